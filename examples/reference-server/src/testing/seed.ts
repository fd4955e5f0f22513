// Seeds a database for tests that run the server in child processes (crash, concurrency).
import pino from "pino";
import { loadConfig } from "../config.js";
import { createLawful } from "../server.js";

/** What {@link seedTenant} created: the tenant's slug and an admin API key. */
export interface SeededTenant {
  slug: string;
  tenantId: string;
  adminKey: string;
}

/** The consent form {@link seedTenant} defines: `email` plus the `newsletter` and `partners` checkboxes. */
export const SEED_FORM_ID = "landing";

/**
 * Create a tenant with an admin key, two consent purposes, a published notice and the form
 * {@link SEED_FORM_ID} on the database `env.DATABASE_URL`, in-process; closes the database afterwards.
 *
 * @example
 * ```ts
 * import { seedTenant } from "./seed.js";
 * const { slug, adminKey } = await seedTenant({ DATABASE_URL: "sqlite:/tmp/lawful-seed-example.db" }, "acme");
 * ```
 */
export async function seedTenant(env: Record<string, string>, slug: string): Promise<SeededTenant> {
  const lawful = await createLawful(loadConfig({ ...env, LOG_LEVEL: "silent" }), { logger: pino({ level: "silent" }) });
  try {
    const tenant = await lawful.tenants.create({ slug, name: `${slug} GmbH` });
    const { secret } = await lawful.tenants.createKey(tenant.id, { name: "admin", scopes: ["admin"] });
    const post = async (path: string, json: unknown) => {
      const res = await lawful.app.request(path, { method: "POST", headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" }, body: JSON.stringify(json) });
      if (res.status !== 201) throw new Error(`seeding ${path} failed with ${res.status}: ${await res.text()}`);
    };
    await post("/v1/purposes", { id: "newsletter", name: "Newsletter", channel: "email", lawfulBasis: "consent", regime: "EU" });
    await post("/v1/purposes", { id: "partner-offers", name: "Partner offers", channel: "email", lawfulBasis: "consent", regime: "EU" });
    await post("/v1/notices", {
      noticeId: "signup",
      version: 1,
      locale: "en",
      contentType: "text/plain",
      content: `${slug} GmbH sends you its newsletter and, if you wish, partner offers. You can withdraw at any time.`,
      controllers: [{ name: `${slug} GmbH` }],
      purposes: ["newsletter", "partner-offers"],
      dataCategories: ["contact.email"],
      withdrawalInfo: "Use the unsubscribe link in every e-mail.",
    });
    await post("/v1/forms", {
      id: SEED_FORM_ID,
      notice: { noticeId: "signup", version: 1 },
      fields: [
        { purposeId: "newsletter", fieldName: "newsletter", label: "Send me the newsletter" },
        { purposeId: "partner-offers", fieldName: "partners", label: "Send me partner offers" },
      ],
    });
    return { slug, tenantId: tenant.id, adminKey: secret };
  } finally {
    await lawful.close();
  }
}
