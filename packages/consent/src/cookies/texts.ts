/**
 * The texts of the cookie banner and table in one language.
 *
 * @example
 * ```ts
 * import type { CookieTexts } from "@lawful/consent";
 * const title = (t: CookieTexts) => t.title;
 * ```
 */
export interface CookieTexts {
  readonly title: string;
  readonly intro: string;
  readonly acceptAll: string;
  readonly rejectAll: string;
  readonly customise: string;
  readonly save: string;
  readonly settings: string;
  readonly alwaysOn: string;
  readonly gpcHonoured: string;
  readonly policyLink: string;
  readonly categories: Readonly<Record<"strictly_necessary" | "communication" | "preferences" | "analytics" | "marketing", { readonly label: string; readonly description: string }>>;
  readonly table: {
    readonly caption: string;
    readonly name: string;
    readonly provider: string;
    readonly category: string;
    readonly purpose: string;
    readonly duration: string;
    readonly type: string;
    readonly exemption: string;
    readonly session: string;
    readonly seconds: string;
    readonly days: string;
  };
}

/**
 * The built-in texts: English (`en`) and German (`de`). Extend with {@link createCookieTextCatalogue}.
 *
 * @example
 * ```ts
 * import { COOKIE_TEXTS } from "@lawful/consent";
 * COOKIE_TEXTS.de?.rejectAll; // "Alle ablehnen"
 * ```
 */
export const COOKIE_TEXTS: Readonly<Record<string, CookieTexts>> = Object.freeze({
  en: {
    title: "Cookies and similar technologies",
    intro:
      "We use strictly necessary cookies to run this site. With your consent we also use cookies for preferences, statistics and marketing. You can accept or reject them, choose per category, and change your mind at any time with the cookie settings link.",
    acceptAll: "Accept all",
    rejectAll: "Reject all",
    customise: "Choose per category",
    save: "Save my choices",
    settings: "Cookie settings",
    alwaysOn: "Always on",
    gpcHonoured: "Your browser's Global Privacy Control signal was honoured: we do not sell or share your data.",
    policyLink: "Privacy policy",
    categories: {
      strictly_necessary: { label: "Strictly necessary", description: "Needed for the site to work; they cannot be switched off." },
      communication: { label: "Communication", description: "Needed to carry the communication you asked for." },
      preferences: { label: "Preferences", description: "Remember your settings such as language." },
      analytics: { label: "Statistics", description: "Help us understand how the site is used." },
      marketing: { label: "Marketing", description: "Used to show you relevant advertising and measure it." },
    },
    table: {
      caption: "Cookies and trackers used on this site",
      name: "Name",
      provider: "Provider",
      category: "Category",
      purpose: "Purpose",
      duration: "Duration",
      type: "Type",
      exemption: "Why it is exempt from consent",
      session: "Session",
      seconds: "seconds",
      days: "days",
    },
  },
  de: {
    title: "Cookies und ähnliche Technologien",
    intro:
      "Wir verwenden unbedingt erforderliche Cookies, um diese Website zu betreiben. Mit Ihrer Einwilligung nutzen wir außerdem Cookies für Einstellungen, Statistik und Marketing. Sie können alle annehmen oder ablehnen, je Kategorie wählen und Ihre Entscheidung jederzeit über den Link „Cookie-Einstellungen“ ändern.",
    acceptAll: "Alle annehmen",
    rejectAll: "Alle ablehnen",
    customise: "Je Kategorie wählen",
    save: "Auswahl speichern",
    settings: "Cookie-Einstellungen",
    alwaysOn: "Immer aktiv",
    gpcHonoured: "Das Global-Privacy-Control-Signal Ihres Browsers wurde beachtet: Wir verkaufen oder teilen Ihre Daten nicht.",
    policyLink: "Datenschutzerklärung",
    categories: {
      strictly_necessary: { label: "Unbedingt erforderlich", description: "Für den Betrieb der Website nötig; sie können nicht abgeschaltet werden." },
      communication: { label: "Kommunikation", description: "Für die von Ihnen gewünschte Übertragung nötig." },
      preferences: { label: "Einstellungen", description: "Speichern Ihre Einstellungen, etwa die Sprache." },
      analytics: { label: "Statistik", description: "Helfen uns zu verstehen, wie die Website genutzt wird." },
      marketing: { label: "Marketing", description: "Dienen dazu, Ihnen passende Werbung zu zeigen und sie zu messen." },
    },
    table: {
      caption: "Auf dieser Website eingesetzte Cookies und Tracker",
      name: "Name",
      provider: "Anbieter",
      category: "Kategorie",
      purpose: "Zweck",
      duration: "Speicherdauer",
      type: "Art",
      exemption: "Warum keine Einwilligung nötig ist",
      session: "Sitzung",
      seconds: "Sekunden",
      days: "Tage",
    },
  },
});

/**
 * A text catalogue: the built-in languages plus yours (a new locale, or overrides of single texts).
 *
 * @example
 * ```ts
 * import { COOKIE_TEXTS, createCookieTextCatalogue } from "@lawful/consent";
 * const texts = createCookieTextCatalogue({ fr: { ...COOKIE_TEXTS.en!, acceptAll: "Tout accepter", rejectAll: "Tout refuser" } });
 * texts.get("fr-FR").rejectAll; // "Tout refuser"
 * ```
 */
export interface CookieTextCatalogue {
  /** Texts for a BCP 47 locale: exact match, then the language, then English. */
  get(locale: string): CookieTexts;
  readonly locales: readonly string[];
}

/**
 * Create a {@link CookieTextCatalogue} from the built-in texts plus `extra` (partial entries are merged over English
 * or over the built-in language of the same code).
 *
 * @example
 * ```ts
 * import { createCookieTextCatalogue } from "@lawful/consent";
 * const texts = createCookieTextCatalogue({ de: { settings: "Datenschutz-Einstellungen" } });
 * texts.get("de").settings; // "Datenschutz-Einstellungen"
 * ```
 */
export function createCookieTextCatalogue(extra: Readonly<Record<string, Partial<CookieTexts>>> = {}): CookieTextCatalogue {
  const all: Record<string, CookieTexts> = { ...COOKIE_TEXTS };
  for (const [locale, texts] of Object.entries(extra)) {
    const base = all[locale] ?? all[locale.split("-")[0]!.toLowerCase()] ?? COOKIE_TEXTS.en!;
    all[locale.toLowerCase()] = {
      ...base,
      ...texts,
      categories: { ...base.categories, ...(texts.categories ?? {}) },
      table: { ...base.table, ...(texts.table ?? {}) },
    };
  }
  return Object.freeze({
    locales: Object.freeze(Object.keys(all)),
    get(locale: string) {
      const l = locale.toLowerCase();
      return all[l] ?? all[l.split("-")[0]!] ?? COOKIE_TEXTS.en!;
    },
  });
}
