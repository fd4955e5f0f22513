import { ERROR_CODES } from "@lawful/core";
import { ConsentError } from "./errors.js";

/**
 * True when a request carries the Global Privacy Control signal: the `Sec-GPC` header with the value `1`.
 * Accepts a `Headers` object, a Node `IncomingHttpHeaders`-like record (any case), or the header value itself.
 *
 * @example
 * ```ts
 * import { parseGpcHeader } from "@lawful/consent";
 * parseGpcHeader({ "sec-gpc": "1" }); // true
 * parseGpcHeader(new Headers({ "Sec-GPC": "0" })); // false
 * ```
 */
export function parseGpcHeader(headers: { get(name: string): string | null } | Readonly<Record<string, string | readonly string[] | undefined>> | string | null | undefined): boolean {
  let value: string | readonly string[] | null | undefined;
  if (typeof headers === "string" || headers === null || headers === undefined) value = headers;
  else if (typeof (headers as { get?: unknown }).get === "function") value = (headers as { get(name: string): string | null }).get("sec-gpc");
  else {
    const rec = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
    const key = Object.keys(rec).find((k) => k.toLowerCase() === "sec-gpc");
    value = key === undefined ? undefined : rec[key];
  }
  const first = Array.isArray(value) ? (value as readonly string[])[0] : (value as string | null | undefined);
  return typeof first === "string" && first.trim() === "1";
}

/**
 * The body of `/.well-known/gpc.json` (GPC specification §4): `{ "gpc": true, "lastUpdate": "YYYY-MM-DD" }`.
 *
 * @throws ConsentError `VALIDATION_FAILED` when `lastUpdate` is not a date.
 * @param options - `lastUpdate`: when the site's GPC support last changed (a Date or a `YYYY-MM-DD` string).
 * @example
 * ```ts
 * import { gpcWellKnown } from "@lawful/consent";
 * gpcWellKnown({ lastUpdate: "2025-03-05" }); // { gpc: true, lastUpdate: "2025-03-05" }
 * ```
 */
export function gpcWellKnown(options: { lastUpdate: Date | string; gpc?: boolean | undefined }): { gpc: boolean; lastUpdate: string } {
  const d = typeof options.lastUpdate === "string" ? options.lastUpdate : options.lastUpdate.toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) {
    throw new ConsentError(ERROR_CODES.VALIDATION_FAILED, "Invalid GPC well-known: lastUpdate must be a Date or a YYYY-MM-DD string.", {
      issues: [{ path: ["lastUpdate"], message: "must be a Date or a YYYY-MM-DD string", code: "invalid_format" }],
    });
  }
  return { gpc: options.gpc ?? true, lastUpdate: d };
}
