import type { SqliteDatabase } from "@lawful/core";
import { insertContacts } from "./contacts-source.js";

/** Three contacts of Nordlicht Reisen GmbH, a Hamburg travel agency, as its CRM holds them. */
export function seedContacts(database: SqliteDatabase): void {
  insertContacts(database, [
    {
      id: "c-1001",
      email: "Jana.Weber@example.com",
      name: "Jana Weber",
      phone: "+49 40 1234567",
      street: "Hafenstraße 12",
      postcode: "20457",
      city: "Hamburg",
      country: "DE",
      notes: "Disputes invoice 2025-114; wants a call back.",
      lastSeenAt: "2026-02-20T18:04:00Z",
      leadScore: 0.82,
      createdAt: "2024-05-14T10:00:00Z",
    },
    {
      id: "c-1002",
      email: "tom.berger@example.com",
      name: "Tom Berger",
      street: "Lindenallee 3",
      postcode: "22087",
      city: "Hamburg",
      country: "DE",
      lastSeenAt: "2025-11-02T07:30:00Z",
      createdAt: "2025-01-09T12:00:00Z",
    },
    { id: "c-1003", email: "lea.schulz@example.com", name: "Lea Schulz", createdAt: "2025-08-21T15:45:00Z" },
  ]);
}
