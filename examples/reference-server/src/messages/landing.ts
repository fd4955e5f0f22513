// Strings of the demo landing page and the cookie disclosure page.
import type { Catalogue } from "./catalogue.js";

/** English. */
export const en = {
  "landing.title": "{controller}: customer relationship software",
  "landing.demo": "Demo page of the Lawful reference server. The company and its offers are made up.",
  "landing.heading": "Know your customers, respect their choices",
  "landing.pitch":
    "{controller} helps small teams keep every customer conversation in one place: contacts, deals and follow-ups, with consent and privacy requests handled from day one.",
  "landing.feature.contacts": "Contacts and companies with their full history",
  "landing.feature.pipeline": "A sales pipeline that shows what to do next",
  "landing.feature.privacy": "Consent records with proof, and data-subject requests answered on time",
  "landing.newsletter.heading": "Newsletter",
  "landing.newsletter.notice": "What we ask your consent for",
  "landing.newsletter.email": "Your e-mail address",
  "landing.newsletter.submit": "Subscribe",
  "landing.newsletter.none": "There is no newsletter sign-up on this page yet.",
  "landing.links.heading": "Your privacy",
  "landing.links.privacy": "Privacy center: see, correct or erase your data",
  "landing.links.subprocessors": "Sub-processors",
  "landing.links.retention": "How long we keep your data",
  "landing.links.cookies": "Cookies and similar technologies",
  "landing.cookies.intro": "Which cookies and similar technologies {controller} uses on this site, why, and for how long. Strictly necessary ones are set without consent; all others only after you agree.",
  "landing.cookies.machine": "Machine-readable list (IAB device storage disclosure)",
  "landing.cookies.none": "{controller} has not published a cookie list yet.",
} as const;

/** German. */
export const de: Catalogue<typeof en> = {
  "landing.title": "{controller}: Software für Kundenbeziehungen",
  "landing.demo": "Demoseite des Lawful-Referenzservers. Die Firma und ihre Angebote sind erfunden.",
  "landing.heading": "Kunden kennen, ihre Entscheidungen respektieren",
  "landing.pitch":
    "{controller} hilft kleinen Teams, jedes Kundengespräch an einem Ort zu führen: Kontakte, Geschäfte und Wiedervorlagen, mit Einwilligungen und Datenschutzanfragen vom ersten Tag an.",
  "landing.feature.contacts": "Kontakte und Firmen mit ihrer ganzen Geschichte",
  "landing.feature.pipeline": "Eine Vertriebspipeline, die den nächsten Schritt zeigt",
  "landing.feature.privacy": "Einwilligungen mit Nachweis und fristgerecht beantwortete Betroffenenanfragen",
  "landing.newsletter.heading": "Newsletter",
  "landing.newsletter.notice": "Wofür wir Ihre Einwilligung erbitten",
  "landing.newsletter.email": "Ihre E-Mail-Adresse",
  "landing.newsletter.submit": "Abonnieren",
  "landing.newsletter.none": "Auf dieser Seite gibt es noch keine Newsletter-Anmeldung.",
  "landing.links.heading": "Ihre Privatsphäre",
  "landing.links.privacy": "Datenschutz-Center: Ihre Daten einsehen, berichtigen oder löschen",
  "landing.links.subprocessors": "Unterauftragsverarbeiter",
  "landing.links.retention": "Wie lange wir Ihre Daten speichern",
  "landing.links.cookies": "Cookies und ähnliche Technologien",
  "landing.cookies.intro": "Welche Cookies und ähnlichen Technologien {controller} auf dieser Website einsetzt, wozu und wie lange. Unbedingt erforderliche werden ohne Einwilligung gesetzt, alle anderen erst nach Ihrer Zustimmung.",
  "landing.cookies.machine": "Maschinenlesbare Liste (IAB Device Storage Disclosure)",
  "landing.cookies.none": "{controller} hat noch keine Cookie-Liste veröffentlicht.",
};
