// Strings the server writes into exports (access packages, records of processing).
import type { Catalogue } from "./catalogue.js";

/** English. */
export const en = {
  "exports.entity.title": "Records held in {source}",
  "exports.subjectCategories": "Contacts whose consents, refusals or objections are recorded",
  "exports.retention.unset": "No retention period is configured for this category: the data are kept until they are erased, for example at your request.",
  "exports.ropa.security":
    "Access only with scoped API keys stored as hashes; consent evidence (IP address, user agent) and personal details in the audit log encrypted with per-subject keys that are destroyed on erasure; a tamper-evident audit log (Merkle tree with signed checkpoints).",
} as const;

/** German. */
export const de: Catalogue<typeof en> = {
  "exports.entity.title": "Gespeicherte Datensätze in {source}",
  "exports.subjectCategories": "Kontakte, deren Einwilligungen, Ablehnungen oder Widersprüche erfasst sind",
  "exports.retention.unset": "Für diese Kategorie ist keine Speicherdauer festgelegt: Die Daten werden gespeichert, bis sie gelöscht werden, zum Beispiel auf Ihren Antrag.",
  "exports.ropa.security":
    "Zugriff nur mit API-Schlüsseln mit festgelegten Berechtigungen, die als Hash gespeichert sind; Einwilligungsnachweise (IP-Adresse, User-Agent) und personenbezogene Angaben im Audit-Log mit personenbezogenen Schlüsseln verschlüsselt, die bei einer Löschung vernichtet werden; ein manipulationssicheres Audit-Log (Merkle-Baum mit signierten Checkpoints).",
};
