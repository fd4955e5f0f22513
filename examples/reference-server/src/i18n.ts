import * as publicPages from "./messages/public.js";
import * as landingPages from "./messages/landing.js";
import * as privacyPages from "./messages/privacy.js";
import * as operatorPages from "./messages/operator.js";
import * as exportTexts from "./messages/exports.js";

/** Languages of the public pages and mails. */
export const LANGUAGES = ["en", "de"] as const;
/** A supported language. */
export type Language = (typeof LANGUAGES)[number];

// One catalogue per area of the server (src/messages/*.ts); add an area here.
const AREAS = [publicPages, landingPages, privacyPages, operatorPages, exportTexts] as const;

/** The catalogue of every area (`src/messages/*.ts`): English and German strings by key. */
export const MESSAGE_AREAS: readonly { en: Record<string, string>; de: Record<string, string> }[] = AREAS;

const en = Object.assign({}, ...AREAS.map((a) => a.en)) as UnionToIntersection<(typeof AREAS)[number]["en"]>;
const de = Object.assign({}, ...AREAS.map((a) => a.de)) as Record<MessageKey, string>;
type UnionToIntersection<U> = (U extends unknown ? (k: U) => void : never) extends (k: infer I) => void ? I : never;

/** A message key. */
export type MessageKey = keyof typeof en;

const CATALOGUE: Record<Language, Record<MessageKey, string>> = { en, de };

/**
 * Pick the best supported language from an `Accept-Language` header (RFC 9110 §12.5.4:
 * quality values, language ranges, primary-tag fallback); English when nothing matches.
 */
export function negotiateLanguage(header: string | undefined | null): Language {
  if (!header) return "en";
  const ranges = header
    .split(",")
    .slice(0, 32)
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim().toLowerCase(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.tag && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const r of ranges) {
    const primary = r.tag.split("-")[0];
    const hit = LANGUAGES.find((l) => l === r.tag || l === primary);
    if (hit) return hit;
    if (r.tag === "*") return "en";
  }
  return "en";
}

/** Translate `key` into `lang`, filling `{name}` placeholders (values are inserted as given: escape for HTML at the call site). */
export function t(lang: Language, key: MessageKey, params: Record<string, string> = {}): string {
  const text = CATALOGUE[lang][key] ?? en[key];
  return text.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? `{${name}}`);
}
