import type { ConsentService } from "@lawful/consent";
import type { DataSource } from "@lawful/dsr";
import type { Outbox } from "./outbox.js";

/**
 * The server's own consent records as a data source of the request engine: an access request
 * exports the consent history with its proof; an erasure deletes the events and shreds the
 * evidence keys (the suppression entry stays); a restriction marks the subject restricted.
 */
export function createConsentDataSource(consent: ConsentService): DataSource {
  const category = "consent.proof";
  return {
    id: "lawful.consent",
    categories: [category],
    async locate(ctx) {
      const events = await consent.history(ctx.tenantId, ctx.subject);
      return { found: events.length > 0, categories: events.length ? [category] : [], records: events.length };
    },
    async export(ctx) {
      const events = await consent.history(ctx.tenantId, ctx.subject);
      return Promise.all(
        events.map(async (e) => {
          const { ip, userAgent } = await consent.evidenceOf(e);
          return {
            category,
            provenance: "observed" as const,
            recordId: e.id,
            fields: { purpose: e.purposeId, type: e.type, method: e.method, at: e.occurredAt.toISOString(), notice: e.notice, evidence: e.evidence, ip: ip ?? null, userAgent: userAgent ?? null },
          };
        }),
      );
    },
    rectify() {
      // consent events are proof of what happened: they are never rewritten
      return Promise.resolve({ updated: 0 });
    },
    async erase(ctx, options) {
      if (!options.categories.includes(category)) return {};
      const { events } = await consent.eraseSubject(ctx.tenantId, ctx.subject, { actor: { type: "system", id: `request:${ctx.requestId}` } });
      return { [category]: events };
    },
    async restrict(ctx, options) {
      if (!options.categories.includes(category)) return {};
      if (options.lift) await consent.liftRestriction(ctx.tenantId, ctx.subject, { notifiedAt: new Date() });
      else await consent.restrict(ctx.tenantId, ctx.subject, { reason: `request ${ctx.requestId}` });
      return { [category]: 1 };
    },
  };
}

/** Messages of the built-in outbox addressed to the subject. */
export function createOutboxDataSource(outbox: Outbox, pseudonymOf: (tenantId: string, subject: { kind: string; value: string }) => string): DataSource {
  const category = "contact.email";
  return {
    id: "lawful.outbox",
    categories: [category],
    async locate(ctx) {
      const n = (await outbox.listForSubject(ctx.tenantId, pseudonymOf(ctx.tenantId, ctx.subject))).length;
      return { found: n > 0, categories: n ? [category] : [], records: n };
    },
    async export(ctx) {
      const messages = await outbox.listForSubject(ctx.tenantId, pseudonymOf(ctx.tenantId, ctx.subject));
      return messages.map((m) => ({ category, provenance: "observed" as const, recordId: m.id, fields: { kind: m.kind, to: m.to, subject: m.subject, sentAt: m.createdAt } }));
    },
    rectify: () => Promise.resolve({ updated: 0 }),
    async erase(ctx, options) {
      if (!options.categories.includes(category)) return {};
      return { [category]: await outbox.eraseSubject(ctx.tenantId, pseudonymOf(ctx.tenantId, ctx.subject)) };
    },
    restrict: () => Promise.resolve({}),
  };
}
