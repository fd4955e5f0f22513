/** A translation of the English catalogue `E`: every key, no more. */
export type Catalogue<E extends Record<string, string>> = { readonly [K in keyof E]: string };
