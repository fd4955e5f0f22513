/**
 * The languages the HTML report's built-in strings exist in. Other languages fall back to English.
 *
 * @example
 * ```ts
 * import { REPORT_LANGUAGES } from "@lawful/export";
 * REPORT_LANGUAGES.includes("de"); // true
 * ```
 */
export const REPORT_LANGUAGES = ["en", "de"] as const;

/** One of {@link REPORT_LANGUAGES}. */
export type ReportLanguage = (typeof REPORT_LANGUAGES)[number];

const EN: Record<ReportStringKey, string> = {
  "title.access": "Copy of your personal data (GDPR Art. 15)",
  "title.portability": "Your data for transfer to another provider (GDPR Art. 20)",
  "title.leads": "Lead export with consent records",
  "title.records_of_processing": "Records of processing activities (GDPR Art. 30)",
  "title.custom": "Data export",
  "meta.heading": "About this export",
  "meta.controller": "Controller",
  "meta.contact": "Contact",
  "meta.dpo": "Data protection officer",
  "meta.address": "Address",
  "meta.representative": "Representative (GDPR Art. 27)",
  "meta.subject": "Reference (pseudonym)",
  "meta.generatedAt": "Generated at",
  "meta.schemaVersion": "Schema version",
  "meta.categories": "Categories of personal data",
  "meta.sourceSystems": "Source systems",
  "toc.heading": "Contents",
  "data.heading": "Your data",
  "dictionary.heading": "Data dictionary",
  "dictionary.caption": "What each column means",
  "dictionary.entity": "Table",
  "dictionary.column": "Column",
  "dictionary.description": "Description",
  "dictionary.type": "Type",
  "dictionary.category": "Category",
  "dictionary.provenance": "Origin",
  "table.rows": "Rows",
  "table.empty": "No records.",
  "value.null": "—",
  "value.true": "yes",
  "value.false": "no",
  "provenance.provided": "provided by you",
  "provenance.observed": "observed from your use",
  "provenance.derived": "derived by us",
  "provenance.inferred": "inferred by us",
  "section.confirmation": "Do we process your personal data?",
  "section.purposes": "Purposes of processing",
  "section.categories": "Categories of personal data",
  "section.recipients": "Recipients",
  "section.retention": "How long we keep your data",
  "section.rights": "Your rights",
  "section.complaint_right": "Right to lodge a complaint",
  "section.sources": "Where the data came from",
  "section.automated_decisions": "Automated decision-making and profiling",
  "section.transfer_safeguards": "Safeguards for transfers to third countries",
  "section.activities": "Processing activities",
  "item": "Item",
  "section.none": "None.",
};

/** A key of the report string catalogue (e.g. `"section.rights"`, `"title.access"`). */
export type ReportStringKey =
  | "title.access"
  | "title.portability"
  | "title.leads"
  | "title.records_of_processing"
  | "title.custom"
  | "meta.heading"
  | "meta.controller"
  | "meta.contact"
  | "meta.dpo"
  | "meta.address"
  | "meta.representative"
  | "meta.subject"
  | "meta.generatedAt"
  | "meta.schemaVersion"
  | "meta.categories"
  | "meta.sourceSystems"
  | "toc.heading"
  | "data.heading"
  | "dictionary.heading"
  | "dictionary.caption"
  | "dictionary.entity"
  | "dictionary.column"
  | "dictionary.description"
  | "dictionary.type"
  | "dictionary.category"
  | "dictionary.provenance"
  | "table.rows"
  | "table.empty"
  | "value.null"
  | "value.true"
  | "value.false"
  | "provenance.provided"
  | "provenance.observed"
  | "provenance.derived"
  | "provenance.inferred"
  | `section.${"confirmation" | "purposes" | "categories" | "recipients" | "retention" | "rights" | "complaint_right" | "sources" | "automated_decisions" | "transfer_safeguards" | "activities" | "none"}`
  | "item";

const DE: Partial<Record<ReportStringKey, string>> = {
  "title.access": "Kopie Ihrer personenbezogenen Daten (Art. 15 DSGVO)",
  "title.portability": "Ihre Daten zur Übertragung an einen anderen Anbieter (Art. 20 DSGVO)",
  "title.leads": "Lead-Export mit Einwilligungsnachweisen",
  "title.records_of_processing": "Verzeichnis von Verarbeitungstätigkeiten (Art. 30 DSGVO)",
  "title.custom": "Datenexport",
  "meta.heading": "Über diesen Export",
  "meta.controller": "Verantwortlicher",
  "meta.contact": "Kontakt",
  "meta.dpo": "Datenschutzbeauftragte(r)",
  "meta.address": "Anschrift",
  "meta.representative": "Vertreter (DSGVO Art. 27)",
  "meta.subject": "Referenz (Pseudonym)",
  "meta.generatedAt": "Erstellt am",
  "meta.schemaVersion": "Schemaversion",
  "meta.categories": "Kategorien personenbezogener Daten",
  "meta.sourceSystems": "Quellsysteme",
  "toc.heading": "Inhalt",
  "data.heading": "Ihre Daten",
  "dictionary.heading": "Datenverzeichnis",
  "dictionary.caption": "Bedeutung der Spalten",
  "dictionary.entity": "Tabelle",
  "dictionary.column": "Spalte",
  "dictionary.description": "Beschreibung",
  "dictionary.type": "Typ",
  "dictionary.category": "Kategorie",
  "dictionary.provenance": "Herkunft",
  "table.rows": "Zeilen",
  "table.empty": "Keine Einträge.",
  "value.true": "ja",
  "value.false": "nein",
  "provenance.provided": "von Ihnen angegeben",
  "provenance.observed": "aus Ihrer Nutzung beobachtet",
  "provenance.derived": "von uns abgeleitet",
  "provenance.inferred": "von uns gefolgert",
  "section.confirmation": "Verarbeiten wir Ihre personenbezogenen Daten?",
  "section.purposes": "Zwecke der Verarbeitung",
  "section.categories": "Kategorien personenbezogener Daten",
  "section.recipients": "Empfänger",
  "section.retention": "Wie lange wir Ihre Daten speichern",
  "section.rights": "Ihre Rechte",
  "section.complaint_right": "Beschwerderecht bei einer Aufsichtsbehörde",
  "section.sources": "Herkunft der Daten",
  "section.automated_decisions": "Automatisierte Entscheidungen und Profiling",
  "section.transfer_safeguards": "Garantien für Übermittlungen in Drittländer",
  "section.activities": "Verarbeitungstätigkeiten",
  item: "Eintrag",
  "section.none": "Keine.",
};

const CATALOGUE: Record<ReportLanguage, Partial<Record<ReportStringKey, string>>> = { en: EN, de: DE };

/**
 * Pick the catalogue language for a BCP 47 tag: its primary subtag when the catalogue has it
 * (`de-AT` → `de`), English otherwise.
 *
 * @example
 * ```ts
 * import { resolveReportLanguage } from "@lawful/export";
 * resolveReportLanguage("de-AT"); // "de"
 * resolveReportLanguage("fr"); // "en"
 * ```
 */
export function resolveReportLanguage(tag: string): ReportLanguage {
  const primary = tag.split("-")[0]?.toLowerCase();
  return (REPORT_LANGUAGES as readonly string[]).includes(primary ?? "") ? (primary as ReportLanguage) : "en";
}

/**
 * A string of the report catalogue in `language`, falling back to English for missing entries.
 *
 * @example
 * ```ts
 * import { reportString } from "@lawful/export";
 * reportString("de", "section.rights"); // "Ihre Rechte"
 * ```
 */
export function reportString(language: ReportLanguage, key: ReportStringKey): string {
  return CATALOGUE[language][key] ?? EN[key];
}

/** A string for a dynamic key (`section.<key>`), or undefined when the catalogue does not have it. */
export function maybeReportString(language: ReportLanguage, key: string): string | undefined {
  return Object.hasOwn(EN, key) ? reportString(language, key as ReportStringKey) : undefined;
}
