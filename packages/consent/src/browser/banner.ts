/// <reference lib="dom" />

/**
 * The configuration the banner script reads from `<script type="application/json" id="lawful-cc-config">`
 * (written by `renderCookieBanner`).
 *
 * @example
 * ```ts
 * import type { CookieBannerConfig } from "@lawful/consent/browser";
 * const c: CookieBannerConfig = { noticeVersion: "3", endpoint: "/consent", categories: ["strictly_necessary", "analytics"], cookieName: "lawful_consent", maxAgeSeconds: 15552000, consentMode: { analytics_storage: "analytics" }, cookies: {} };
 * ```
 */
export interface CookieBannerConfig {
  /** Version of the cookie notice; a stored choice for another version re-prompts. */
  noticeVersion: string;
  /** Where choices are POSTed as JSON. */
  endpoint: string;
  categories: string[];
  cookieName: string;
  maxAgeSeconds: number;
  /** Google Consent Mode signal → category. */
  consentMode: Record<string, string>;
  /** Category → cookie names deleted when the category is refused or withdrawn. */
  cookies: Record<string, string[]>;
}

/**
 * The cookie banner logic: framework-free and self-contained (it references nothing outside its body, so
 * `cookieBannerScript()` can serve it as `fn.toString()`). Reads the config, honours a stored choice for the current
 * notice version or GPC, otherwise shows the banner; activates `<script type="text/plain" data-category>` elements of
 * granted categories; sends Google Consent Mode `update`; POSTs every choice to the endpoint.
 *
 * @example
 * ```ts
 * import { lawfulCookieBanner } from "@lawful/consent/browser";
 * lawfulCookieBanner(window, document);
 * ```
 */
export function lawfulCookieBanner(w: Window, d: Document): void {
  type Choices = Record<string, boolean>;
  type Stored = { v: string; c: Choices; g?: boolean };
  const cfgEl = d.getElementById("lawful-cc-config");
  const root = d.getElementById("lawful-cc");
  if (!cfgEl || !root) return;
  const cfg = JSON.parse(cfgEl.textContent || "{}") as CookieBannerConfig;
  const ww = w as Window & { gtag?: (...a: unknown[]) => void; dataLayer?: unknown[]; __lawfulCc?: boolean };
  if (ww.__lawfulCc) return;
  ww.__lawfulCc = true;
  const gpc = (w.navigator as Navigator & { globalPrivacyControl?: boolean }).globalPrivacyControl === true;
  const NEC = "strictly_necessary";
  const panel = root.querySelector<HTMLElement>("[data-lawful-panel]");
  const customise = root.querySelector<HTMLElement>("[data-lawful-action=customise]");
  const boxes = (): HTMLInputElement[] => Array.from(root.querySelectorAll<HTMLInputElement>("input[data-category]"));
  const gtag = (...args: unknown[]): void => {
    if (typeof ww.gtag === "function") ww.gtag(...args);
    else {
      // the gtag() contract pushes the arguments object itself
      // eslint-disable-next-line prefer-rest-params
      (ww.dataLayer = ww.dataLayer || []).push((function (..._a: unknown[]) { return arguments; })(...args));
    }
  };
  const read = (): Stored | null => {
    const m = new RegExp("(?:^|; )" + cfg.cookieName + "=([^;]*)").exec(d.cookie);
    if (!m) return null;
    try {
      return JSON.parse(decodeURIComponent(m[1] || "")) as Stored;
    } catch {
      return null;
    }
  };
  const write = (s: Stored): void => {
    d.cookie = cfg.cookieName + "=" + encodeURIComponent(JSON.stringify(s)) + "; Path=/; Max-Age=" + cfg.maxAgeSeconds + "; SameSite=Lax" + (w.location.protocol === "https:" ? "; Secure" : "");
  };
  const allowed = (c: Choices, cat: string | null): boolean => cat === NEC || (cat !== null && c[cat] === true);
  const apply = (c: Choices): void => {
    const update: Record<string, string> = {};
    for (const signal of Object.keys(cfg.consentMode)) update[signal] = allowed(c, cfg.consentMode[signal] || null) ? "granted" : "denied";
    gtag("consent", "update", update);
    d.querySelectorAll<HTMLScriptElement>('script[type="text/plain"][data-category]').forEach((s) => {
      const cat = s.getAttribute("data-category");
      if (!allowed(c, cat)) return;
      const n = d.createElement("script");
      for (const a of Array.from(s.attributes)) if (a.name !== "type") n.setAttribute(a.name, a.value);
      n.setAttribute("data-lawful-activated", "");
      n.text = s.text;
      s.replaceWith(n);
    });
    for (const cat of Object.keys(cfg.cookies)) {
      if (allowed(c, cat)) continue;
      for (const name of cfg.cookies[cat] || []) d.cookie = name + "=; Path=/; Max-Age=0";
    }
    boxes().forEach((b) => {
      b.checked = allowed(c, b.getAttribute("data-category"));
    });
    w.dispatchEvent(new CustomEvent("lawful:consent", { detail: c }));
  };
  const show = (detail: boolean): void => {
    root.hidden = false;
    if (panel) panel.hidden = !detail;
    if (customise) customise.setAttribute("aria-expanded", String(detail));
    const first = root.querySelector<HTMLElement>("button");
    if (first) first.focus();
  };
  const choose = (picked: Choices, method: string): void => {
    const c: Choices = {};
    for (const cat of cfg.categories) c[cat] = cat === NEC || picked[cat] === true;
    write({ v: cfg.noticeVersion, c, g: gpc });
    apply(c);
    root.hidden = true;
    const back = d.querySelector<HTMLElement>("[data-lawful-cc-open]");
    if (back) back.focus();
    try {
      void w
        .fetch(cfg.endpoint, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ noticeVersion: cfg.noticeVersion, choices: c, gpc, method }),
          credentials: "same-origin",
          keepalive: true,
        })
        .catch(() => undefined);
    } catch {
      /* offline: the choice is still stored locally and applied */
    }
  };
  root.addEventListener("click", (e) => {
    const t = e.target as HTMLElement | null;
    const action = t && t.closest("[data-lawful-action]")?.getAttribute("data-lawful-action");
    if (action === "accept") {
      const all: Choices = {};
      for (const cat of cfg.categories) all[cat] = true;
      choose(all, "accept_all");
    } else if (action === "reject") choose({}, "reject_all");
    else if (action === "customise") show(panel ? panel.hidden === true : true);
    else if (action === "save") {
      const c: Choices = {};
      boxes().forEach((b) => {
        c[b.getAttribute("data-category") || ""] = b.checked;
      });
      choose(c, "save");
    }
  });
  d.querySelectorAll<HTMLElement>("[data-lawful-cc-open]").forEach((el) => {
    el.addEventListener("click", (e) => {
      e.preventDefault();
      show(true);
    });
  });
  const stored = read();
  if (stored && stored.v === cfg.noticeVersion) apply(stored.c);
  else if (gpc) {
    const note = root.querySelector<HTMLElement>("[data-lawful-gpc]");
    if (note) note.hidden = false;
    choose({}, "gpc");
  } else show(false);
}
