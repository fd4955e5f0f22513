import { sqliteTransaction, type SqliteDatabase } from "@lawful/core";
import type { CategoryCounts, DataSource, DataSourceContext, ExportedRecord, Provenance, Rectification } from "@lawful/dsr";

/**
 * The CRM's `contacts` table as it exists before any privacy work: one row per contact, the
 * e-mail address stored normalised (trimmed, lower-case — the form `SubjectRefSchema` gives the
 * data source), plus a side table that records which categories of a contact are restricted.
 */
export const CONTACTS_SCHEMA = `
  CREATE TABLE IF NOT EXISTS contacts (
    id TEXT PRIMARY KEY,
    email TEXT UNIQUE,
    name TEXT,
    phone TEXT,
    street TEXT,
    postcode TEXT,
    city TEXT,
    country TEXT,
    notes TEXT,
    last_seen_at TEXT,
    lead_score REAL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS contact_restrictions (
    contact_id TEXT NOT NULL,
    category TEXT NOT NULL,
    restricted_at TEXT NOT NULL,
    request_id TEXT NOT NULL,
    PRIMARY KEY (contact_id, category)
  );
`;

/** How each personal-data column maps to a data category and a provenance (WP242: provided, observed, inferred). */
export const CONTACT_COLUMNS = {
  email: { category: "contact.email", provenance: "provided" },
  phone: { category: "contact.phone", provenance: "provided" },
  name: { category: "identity.name", provenance: "provided" },
  street: { category: "contact.postal", provenance: "provided" },
  postcode: { category: "contact.postal", provenance: "provided" },
  city: { category: "contact.postal", provenance: "provided" },
  country: { category: "contact.postal", provenance: "provided" },
  notes: { category: "commercial.correspondence", provenance: "provided" },
  last_seen_at: { category: "behaviour.web_activity", provenance: "observed" },
  lead_score: { category: "behaviour.lead_score", provenance: "inferred" },
} as const satisfies Record<string, { category: string; provenance: Provenance }>;

type Column = keyof typeof CONTACT_COLUMNS;
type ContactRow = { id: string } & Record<Column, string | number | null>;

const COLUMNS = Object.keys(CONTACT_COLUMNS) as Column[];
const CATEGORIES = [...new Set(COLUMNS.map((c) => CONTACT_COLUMNS[c].category))].sort();
const columnsOf = (category: string): Column[] => COLUMNS.filter((c) => CONTACT_COLUMNS[c].category === category);

/**
 * A `DataSource` for the CRM's contacts, written by hand (rather than with
 * `createSqliteTableDataSource`) to show what each operation must do:
 *
 * - find the subject by e-mail address or by the CRM's own id (`customer_id`);
 * - be idempotent: the dsr worker retries a task whose worker died, with the same
 *   `ctx.idempotencyKey`, so running an operation twice must leave the same state;
 * - erase whole rows when every category goes, otherwise null only the erased columns;
 * - restrict per category (GDPR Art. 18): the CRM's own queries skip restricted contacts
 *   (see {@link listMarketableContacts}).
 *
 * `database` is a better-sqlite3 connection (typed structurally with core's `SqliteDatabase`).
 */
export function createContactsDataSource(database: SqliteDatabase, options: { id?: string | undefined } = {}): DataSource {
  database.exec(CONTACTS_SCHEMA);

  const find = (ctx: DataSourceContext): ContactRow[] => {
    const column = ctx.subject.kind === "email" ? "email" : ctx.subject.kind === "customer_id" ? "id" : undefined;
    if (column === undefined) return []; // this source cannot be searched by phone or device id
    return database.prepare(`SELECT * FROM contacts WHERE ${column} = ? ORDER BY id`).all(ctx.subject.value) as ContactRow[];
  };
  const present = (row: ContactRow, category: string) => columnsOf(category).some((c) => row[c] !== null);
  // core's helper: serialised per connection, nested calls become savepoints, so the source also
  // works inside a transaction the application (or a store on the same file) already opened
  const transaction = <T>(fn: () => T): Promise<T> => sqliteTransaction(database, fn);

  return Object.freeze({
    id: options.id ?? "crm.contacts",
    categories: CATEGORIES,

    locate(ctx: DataSourceContext) {
      const rows = find(ctx);
      const categories = CATEGORIES.filter((category) => rows.some((row) => present(row, category)));
      return Promise.resolve({ found: rows.length > 0, categories, records: rows.length });
    },

    export(ctx: DataSourceContext, { categories }: { categories?: readonly string[] | undefined }) {
      const wanted = categories ?? CATEGORIES;
      const records: ExportedRecord[] = [];
      for (const row of find(ctx)) {
        for (const category of CATEGORIES.filter((c) => wanted.includes(c))) {
          const fields = Object.fromEntries(columnsOf(category).filter((c) => row[c] !== null).map((c) => [c, row[c]]));
          if (Object.keys(fields).length === 0) continue;
          records.push({ category, provenance: CONTACT_COLUMNS[columnsOf(category)[0]!].provenance, recordId: row.id, fields });
        }
      }
      return Promise.resolve(records);
    },

    rectify(ctx: DataSourceContext, { rectifications }: { rectifications: readonly Rectification[] }) {
      return transaction(() => {
        // resolve every change before writing anything: a change we cannot map fails the task whole
        const changes = rectifications.map((r) => {
          const candidates = columnsOf(r.category);
          const column = r.field === undefined ? (candidates.length === 1 ? candidates[0] : undefined) : candidates.find((c) => c === r.field);
          if (column === undefined) {
            throw new Error(`Cannot rectify ${r.category}: name one of the fields ${candidates.join(", ") || "(none in this source)"}.`);
          }
          return { column, value: r.value };
        });
        let updated = 0;
        for (const row of find(ctx)) {
          for (const { column, value } of changes) {
            if (row[column] === value) continue; // already applied: a retry changes nothing
            database.prepare(`UPDATE contacts SET ${column} = ? WHERE id = ?`).run(value, row.id);
            updated++;
          }
        }
        return { updated };
      });
    },

    erase(ctx: DataSourceContext, { categories }: { categories: readonly string[] }) {
      const erase = CATEGORIES.filter((c) => categories.includes(c));
      return transaction(() => {
        const counts: CategoryCounts = Object.fromEntries(erase.map((c) => [c, 0]));
        for (const row of find(ctx)) {
          for (const category of erase) if (present(row, category)) counts[category] = (counts[category] ?? 0) + 1;
          const kept = CATEGORIES.filter((c) => !erase.includes(c) && present(row, c));
          if (kept.length === 0) {
            // nothing left worth keeping: the row and its restriction markers go
            database.prepare("DELETE FROM contact_restrictions WHERE contact_id = ?").run(row.id);
            database.prepare("DELETE FROM contacts WHERE id = ?").run(row.id);
          } else {
            const columns = erase.flatMap(columnsOf);
            if (columns.length) database.prepare(`UPDATE contacts SET ${columns.map((c) => `${c} = NULL`).join(", ")} WHERE id = ?`).run(row.id);
          }
        }
        return counts;
      });
    },

    restrict(ctx: DataSourceContext, { categories, lift }: { categories: readonly string[]; lift: boolean }) {
      const scope = CATEGORIES.filter((c) => categories.includes(c));
      return transaction(() => {
        const counts: CategoryCounts = Object.fromEntries(scope.map((c) => [c, 0]));
        for (const row of find(ctx)) {
          for (const category of scope) {
            if (!present(row, category)) continue;
            if (lift) database.prepare("DELETE FROM contact_restrictions WHERE contact_id = ? AND category = ?").run(row.id, category);
            else {
              database
                .prepare("INSERT OR IGNORE INTO contact_restrictions (contact_id, category, restricted_at, request_id) VALUES (?, ?, ?, ?)")
                .run(row.id, category, new Date().toISOString(), ctx.requestId);
            }
            counts[category] = (counts[category] ?? 0) + 1;
          }
        }
        return counts;
      });
    },
  });
}

/** A contact as the CRM's application code inserts it. */
export interface ContactInput {
  id: string;
  email: string;
  name?: string | undefined;
  phone?: string | undefined;
  street?: string | undefined;
  postcode?: string | undefined;
  city?: string | undefined;
  country?: string | undefined;
  notes?: string | undefined;
  lastSeenAt?: string | undefined;
  leadScore?: number | undefined;
  createdAt: string;
}

/** Insert contacts, normalising the e-mail address the way `SubjectRefSchema` does (trim, lower-case). */
export function insertContacts(database: SqliteDatabase, contacts: readonly ContactInput[]): void {
  database.exec(CONTACTS_SCHEMA);
  const insert = database.prepare(
    `INSERT INTO contacts (id, email, name, phone, street, postcode, city, country, notes, last_seen_at, lead_score, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const c of contacts) {
    insert.run(
      c.id,
      c.email.trim().toLowerCase(),
      c.name ?? null,
      c.phone ?? null,
      c.street ?? null,
      c.postcode ?? null,
      c.city ?? null,
      c.country ?? null,
      c.notes ?? null,
      c.lastSeenAt ?? null,
      c.leadScore ?? null,
      c.createdAt,
    );
  }
}

/**
 * The CRM's marketing query: contacts with an e-mail address whose contact data are not
 * restricted. A restricted category may only be stored (Art. 18(2)), so it must disappear
 * from every query that uses data for anything else.
 */
export function listMarketableContacts(database: SqliteDatabase): { id: string; email: string }[] {
  return database
    .prepare(
      `SELECT id, email FROM contacts c WHERE email IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM contact_restrictions r WHERE r.contact_id = c.id AND r.category IN ('contact.email', 'identity.name'))
       ORDER BY id`,
    )
    .all() as { id: string; email: string }[];
}
