// Strings of the public consent pages (forms, double opt-in, unsubscribe, published lists).
import type { Catalogue } from "./catalogue.js";

/** English. */
export const en = {
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

/** German. */
export const de: Catalogue<typeof en> = {
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

