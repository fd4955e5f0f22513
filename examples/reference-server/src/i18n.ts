/** Languages of the public pages and mails. */
export const LANGUAGES = ["en", "de"] as const;
/** A supported language. */
export type Language = (typeof LANGUAGES)[number];

const en = {
  "privacy.title": "Privacy center",
  "privacy.intro": "Here you can ask {controller} what data it holds about you, have it corrected or erased, and change your consents.",
  "privacy.request.heading": "Make a request",
  "privacy.request.type": "What would you like to do?",
  "privacy.request.email": "Your e-mail address",
  "privacy.request.submit": "Send request",
  "privacy.request.sent": "We have sent a verification code to your e-mail address. Enter it below to confirm your request.",
  "privacy.verify.heading": "Confirm your request",
  "privacy.verify.code": "Verification code",
  "privacy.verify.submit": "Confirm",
  "privacy.status.heading": "Status of your request",
  "privacy.status.due": "We will answer by {date}.",
  "unsubscribe.title": "Unsubscribe",
  "unsubscribe.confirm": "Unsubscribe from all e-mails",
  "unsubscribe.done": "You have been unsubscribed. You will not receive further marketing e-mails from {controller}.",
  "unsubscribe.invalid": "This unsubscribe link is invalid or has expired. Reply to the e-mail to unsubscribe instead.",
  "confirm.title": "Confirm your subscription",
  "confirm.done": "Thank you: your subscription is confirmed.",
  "confirm.invalid": "This confirmation link is invalid or has expired.",
  "form.thanks": "Thank you. Your choices have been recorded.",
  "form.refused": "We could not accept the form: {problems}",
  "subprocessors.title": "Sub-processors of {controller}",
  "retention.title": "How long {controller} keeps your data",
  "cookies.title": "Cookies and similar technologies",
  "common.back": "Back",
} as const;

/** A message key. */
export type MessageKey = keyof typeof en;

const de: Record<MessageKey, string> = {
  "privacy.title": "Datenschutz-Center",
  "privacy.intro": "Hier können Sie {controller} fragen, welche Daten über Sie gespeichert sind, sie berichtigen oder löschen lassen und Ihre Einwilligungen ändern.",
  "privacy.request.heading": "Anfrage stellen",
  "privacy.request.type": "Was möchten Sie tun?",
  "privacy.request.email": "Ihre E-Mail-Adresse",
  "privacy.request.submit": "Anfrage senden",
  "privacy.request.sent": "Wir haben Ihnen einen Bestätigungscode per E-Mail geschickt. Geben Sie ihn unten ein, um Ihre Anfrage zu bestätigen.",
  "privacy.verify.heading": "Anfrage bestätigen",
  "privacy.verify.code": "Bestätigungscode",
  "privacy.verify.submit": "Bestätigen",
  "privacy.status.heading": "Stand Ihrer Anfrage",
  "privacy.status.due": "Wir antworten bis zum {date}.",
  "unsubscribe.title": "Abmelden",
  "unsubscribe.confirm": "Von allen E-Mails abmelden",
  "unsubscribe.done": "Sie wurden abgemeldet. Sie erhalten keine Werbe-E-Mails von {controller} mehr.",
  "unsubscribe.invalid": "Dieser Abmeldelink ist ungültig oder abgelaufen. Antworten Sie stattdessen auf die E-Mail, um sich abzumelden.",
  "confirm.title": "Anmeldung bestätigen",
  "confirm.done": "Danke: Ihre Anmeldung ist bestätigt.",
  "confirm.invalid": "Dieser Bestätigungslink ist ungültig oder abgelaufen.",
  "form.thanks": "Danke. Ihre Auswahl wurde gespeichert.",
  "form.refused": "Das Formular konnte nicht angenommen werden: {problems}",
  "subprocessors.title": "Unterauftragsverarbeiter von {controller}",
  "retention.title": "Wie lange {controller} Ihre Daten speichert",
  "cookies.title": "Cookies und ähnliche Technologien",
  "common.back": "Zurück",
};

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
