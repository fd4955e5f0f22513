/// <reference lib="dom" />
/**
 * `@lawful/consent/browser`: the framework-free cookie banner logic for bundlers. Pages rendered with
 * `renderCookieBanner()` already include it inline; import this entry only to bundle it yourself.
 * @module
 */
import { lawfulCookieBanner } from "./banner.js";

export { lawfulCookieBanner, type CookieBannerConfig } from "./banner.js";

/**
 * Start the cookie banner on the current page (reads `#lawful-cc-config`, wires `#lawful-cc`). Idempotent.
 *
 * @example
 * ```ts
 * import { initCookieBanner } from "@lawful/consent/browser";
 * initCookieBanner();
 * ```
 */
export function initCookieBanner(): void {
  lawfulCookieBanner(window, document);
}
