// Shared synthetic lead rows for the export benchmarks (deterministic).
export const COLUMNS = [
  { name: "lead_id", type: "integer" },
  { name: "email" },
  { name: "name" },
  { name: "company" },
  { name: "note" },
  { name: "score", type: "number" },
  { name: "subscribed", type: "boolean" },
  { name: "consent_ip_address" },
  { name: "consent_form_filled_at", type: "datetime" },
];

const NOTES = ["", "called back, interested", 'said "maybe later"', "=HYPERLINK(\"x\")", "line one\nline two", "plain note", "-5 discount", "über größe"];
const BASE = Date.UTC(2026, 0, 1);

export function makeRow(i) {
  return {
    lead_id: i,
    email: `lead${i}@example.com`,
    name: `Lead Number ${i}`,
    company: i % 7 === 0 ? "Acme, Inc." : "Example GmbH",
    note: NOTES[i % NOTES.length],
    score: (i % 1000) / 10,
    subscribed: i % 3 !== 0,
    consent_ip_address: `203.0.${(i >> 8) & 255}.${i & 255}`,
    consent_form_filled_at: new Date(BASE + i * 1000),
  };
}

export async function* rows(n) {
  for (let i = 0; i < n; i++) yield makeRow(i);
}
