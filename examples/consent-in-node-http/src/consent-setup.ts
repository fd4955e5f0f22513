import { randomBytes } from "node:crypto";
import { createKeyring, createMemoryAuditSink, createMemoryKeyStore, createPseudonymizer, type AuditSink, type Clock, type SqliteDatabase } from "@lawful/core";
import { createConsentService, type ConsentService } from "@lawful/consent";
import { createSqliteConsentStore } from "@lawful/consent/sqlite";

/** The controller (tenant) id of the shop. */
export const TENANT = "kiezbuch";

/** The signup form as the server renders it: one unticked box per purpose (GDPR Art. 4(11), DOMAIN.md B1, B5). */
export const SIGNUP_FORM = {
  formId: "signup",
  noticeId: "signup",
  choices: [
    { purposeId: "newsletter", fieldName: "newsletter", label: "Send me the monthly newsletter", defaultChecked: false },
    { purposeId: "readings", fieldName: "readings", label: "Invite me to readings in the shop", defaultChecked: false },
  ],
} as const;

/** Keys the consent service needs. Load them from your secret manager; never generate them per process in production. */
export interface ConsentKeys {
  pseudonymKey: Uint8Array;
  evidenceKek: Uint8Array;
  suppressionKey: Uint8Array;
  tokenKey: Uint8Array;
}

/** Fresh random keys, for tests and the demo. */
export function randomConsentKeys(): ConsentKeys {
  return { pseudonymKey: randomBytes(32), evidenceKek: randomBytes(32), suppressionKey: randomBytes(32), tokenKey: randomBytes(32) };
}

/**
 * Build the consent service on the app's SQLite file and declare what the signup form asks for:
 * two purposes and the notice shown next to the boxes (published once; a changed text is a new
 * version). Safe to call on every start.
 */
export async function setupConsent(options: {
  database: SqliteDatabase;
  keys: ConsentKeys;
  audit?: AuditSink | undefined;
  clock?: Clock | undefined;
}): Promise<ConsentService> {
  const consent = createConsentService({
    store: createSqliteConsentStore({ database: options.database }),
    audit: options.audit ?? createMemoryAuditSink(), // use @lawful/audit in production
    pseudonymizer: createPseudonymizer({ key: options.keys.pseudonymKey }),
    // the evidence keys (IP, user agent) live in the keyring's store: use a durable KeyStore in production
    keyring: createKeyring({ store: createMemoryKeyStore(), keks: [{ id: "kek-1", key: options.keys.evidenceKek }], currentKekId: "kek-1", clock: options.clock }),
    suppressionKey: options.keys.suppressionKey,
    tokenKey: options.keys.tokenKey,
    timeZone: "Europe/Berlin",
    clock: options.clock,
  });
  await consent.definePurpose({ tenantId: TENANT, id: "newsletter", name: "Monthly newsletter", channel: "email", lawfulBasis: "consent", regime: "EU", doubleOptIn: true });
  await consent.definePurpose({ tenantId: TENANT, id: "readings", name: "Invitations to readings", channel: "email", lawfulBasis: "consent", regime: "EU" });
  if (!(await consent.getNotice(TENANT, SIGNUP_FORM.noticeId, 1))) {
    await consent.publishNotice({
      tenantId: TENANT,
      noticeId: SIGNUP_FORM.noticeId,
      version: 1,
      locale: "en",
      contentType: "text/plain",
      content:
        "Kiezbuch Buchhandlung GmbH, Oranienstraße 1, 10997 Berlin, uses your e-mail address to send you the newsletter and invitations you tick below.",
      controllers: [{ name: "Kiezbuch Buchhandlung GmbH", contact: "datenschutz@kiezbuch.example" }],
      purposes: ["newsletter", "readings"],
      dataCategories: ["contact.email"],
      withdrawalInfo: "You can withdraw at any time with the link in every e-mail or by writing to datenschutz@kiezbuch.example.",
    });
  }
  return consent;
}
