import * as z from "zod";
import { DataCategorySchema, ERROR_CODES, LawfulBasisSchema, PurposeIdSchema, issuesFromZod, type LawfulIssue } from "@lawful/core";
import { classifyDestination, type AdequacyList } from "./adequacy.js";
import { describeTransferMechanism } from "./describe.js";
import { RegistryError } from "./errors.js";
import { AddressSchema, ContactSchema, RepresentativeSchema, type Address, type Contact, type PartyRecord, type Representative } from "./party.js";

/**
 * Name and contact details of a controller or processor keeping records (Art. 30(1)(a), 30(2)(a)),
 * with its representative and DPO where applicable.
 *
 * @example
 * ```ts
 * import { OrganisationIdentitySchema } from "@lawful/registry";
 * OrganisationIdentitySchema.parse({ name: "Acme GmbH", contact: { email: "privacy@acme.example" }, dpo: { email: "dpo@acme.example" } });
 * ```
 */
export const OrganisationIdentitySchema = z.object({
  name: z.string().trim().min(1).max(300),
  address: AddressSchema.optional(),
  contact: ContactSchema,
  representative: RepresentativeSchema.optional(),
  dpo: ContactSchema.optional(),
});
/** An organisation identity; see {@link OrganisationIdentitySchema}. */
export type OrganisationIdentity = z.infer<typeof OrganisationIdentitySchema>;

/**
 * A processing purpose as the records of processing need it — a small interface, so the registry
 * does not depend on `@lawful/consent`: id, name, categories of data and of subjects, and
 * optionally description, lawful basis and a security-measures description for this activity.
 *
 * @example
 * ```ts
 * import { RopaPurposeSchema } from "@lawful/registry";
 * RopaPurposeSchema.parse({ id: "newsletter", name: "E-mail newsletter", dataCategories: ["contact.email"], subjectCategories: ["subscribers"] });
 * ```
 */
export const RopaPurposeSchema = z.object({
  id: PurposeIdSchema,
  name: z.string().trim().min(1).max(300),
  description: z.string().trim().min(1).max(2000).optional(),
  lawfulBasis: LawfulBasisSchema.optional(),
  dataCategories: z.array(DataCategorySchema).min(1),
  subjectCategories: z.array(z.string().trim().min(1).max(200)).min(1),
  securityMeasures: z.string().trim().min(1).max(4000).optional(),
});
/** A purpose input; see {@link RopaPurposeSchema}. */
export type RopaPurpose = z.infer<typeof RopaPurposeSchema>;

/**
 * A retention rule as the records of processing need it — a small interface, so the registry does
 * not depend on `@lawful/retention`: id, the data categories it covers (a key covers its
 * sub-keys), optionally the purposes it is limited to, the period as an ISO 8601 duration and a trigger.
 *
 * @example
 * ```ts
 * import { RopaRetentionRuleSchema } from "@lawful/registry";
 * RopaRetentionRuleSchema.parse({ id: "newsletter-2y", dataCategories: ["contact.email"], period: "P2Y", trigger: "last interaction" });
 * ```
 */
export const RopaRetentionRuleSchema = z.object({
  id: z.string().trim().min(1).max(128),
  dataCategories: z.array(DataCategorySchema).min(1),
  purposes: z.array(PurposeIdSchema).optional(),
  period: z.string().regex(/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/, "must be an ISO 8601 duration such as 'P2Y' or 'P6M'"),
  trigger: z.string().trim().min(1).max(300).optional(),
  description: z.string().trim().min(1).max(1000).optional(),
});
/** A retention rule input; see {@link RopaRetentionRuleSchema}. */
export type RopaRetentionRule = z.infer<typeof RopaRetentionRuleSchema>;

/** A named recipient in a records-of-processing entry. */
export interface RopaRecipient {
  readonly id: string;
  readonly name: string;
  readonly country: string;
  readonly services: readonly string[];
}

/** One Art. 30 third-country transfer line: destination, recipient, mechanism and (49(1) 2nd subpara) documented safeguards. */
export interface RopaTransfer {
  readonly country: string;
  readonly recipient: { readonly id: string; readonly name: string };
  readonly mechanism: string;
  /** `none` only when the adequacy list changed after activation and the party needs a mechanism now. */
  readonly mechanismKind: "adequacy" | "scc" | "bcr" | "idta" | "uk_addendum" | "derogation" | "none";
  /** For Art. 49(1) second-subparagraph transfers: the documented suitable safeguards. */
  readonly documentedSafeguards?: string | undefined;
}

/**
 * An Art. 30(1) controller record for one processing activity, with exactly the article's fields:
 * (a) controller (joint controllers, representative, DPO where applicable), (b) purposes,
 * (c) categories of data subjects and of personal data, (d) categories of recipients including
 * third-country recipients, (e) third-country transfers, (f) envisaged erasure time limits
 * (where possible) and (g) a general description of the security measures (where possible).
 * `activity` identifies the entry.
 *
 * @example
 * ```ts
 * import type { ControllerRopaEntry } from "@lawful/registry";
 * // buildControllerRopa({...}).entries[0]?.recipientCategories
 * ```
 */
export interface ControllerRopaEntry {
  readonly activity: { readonly id: string; readonly name: string };
  /** (a) */
  readonly controller: {
    readonly name: string;
    readonly address?: Address | undefined;
    readonly contact: Contact;
    readonly jointControllers: readonly { readonly id: string; readonly name: string; readonly contact: Contact; readonly arrangementRef: string }[];
    readonly representative?: Representative | undefined;
    readonly dpo?: Contact | undefined;
  };
  /** (b) */
  readonly purposes: readonly string[];
  /** (c) */
  readonly dataSubjectCategories: readonly string[];
  /** (c) */
  readonly personalDataCategories: readonly { readonly key: string; readonly label: string }[];
  /** (d) */
  readonly recipientCategories: readonly { readonly category: string; readonly recipients: readonly RopaRecipient[] }[];
  /** (e) — empty when there are none */
  readonly thirdCountryTransfers: readonly RopaTransfer[];
  /** (f) where possible */
  readonly erasureTimeLimits?: readonly { readonly dataCategory: string; readonly period: string; readonly trigger?: string | undefined; readonly retentionRuleIds: readonly string[] }[] | undefined;
  /** (g) where possible */
  readonly securityMeasures?: string | undefined;
}

/**
 * An Art. 30(2) processor record for one controller it acts for, with exactly the article's
 * fields: (a) the processor(s) and the controller with representatives and DPOs, (b) the
 * categories of processing, (c) third-country transfers and (d) a general description of the
 * security measures (where possible).
 *
 * @example
 * ```ts
 * import type { ProcessorRopaEntry } from "@lawful/registry";
 * // buildProcessorRopa({...}).entries[0]?.processingCategories
 * ```
 */
export interface ProcessorRopaEntry {
  /** (a) the processor keeping the record first, then the (sub-)processors it engages */
  readonly processors: readonly { readonly name: string; readonly contact: Contact; readonly representative?: Representative | undefined; readonly dpo?: Contact | undefined }[];
  /** (a) */
  readonly controller: { readonly name: string; readonly contact: Contact; readonly representative?: Representative | undefined; readonly dpo?: Contact | undefined };
  /** (b) */
  readonly processingCategories: readonly string[];
  /** (c) — empty when there are none */
  readonly thirdCountryTransfers: readonly RopaTransfer[];
  /** (d) where possible */
  readonly securityMeasures?: string | undefined;
}

/**
 * Records of processing in a neutral structure: controller or processor entries, when they were
 * generated, and gaps found (e.g. a data category with no retention rule) for follow-up.
 *
 * @example
 * ```ts
 * import type { RecordsOfProcessing } from "@lawful/registry";
 * // const json = ropaToJson(records)
 * ```
 */
export type RecordsOfProcessing =
  | { readonly kind: "controller"; readonly generatedAt: Date; readonly entries: readonly ControllerRopaEntry[]; readonly gaps: readonly LawfulIssue[] }
  | { readonly kind: "processor"; readonly generatedAt: Date; readonly entries: readonly ProcessorRopaEntry[]; readonly gaps: readonly LawfulIssue[] };

const ControllerRopaInputSchema = z.object({
  controller: OrganisationIdentitySchema,
  purposes: z.array(RopaPurposeSchema).min(1),
  retentionRules: z.array(RopaRetentionRuleSchema).default([]),
  securityMeasures: z.string().trim().min(1).max(4000).optional(),
  generatedAt: z.date(),
});

/**
 * Input of {@link buildControllerRopa}: the controller, its purposes (one activity each), its
 * retention rules, a general security description, the registry's latest party versions, the
 * adequacy list and the generation time.
 *
 * @example
 * ```ts
 * import type { ControllerRopaInput } from "@lawful/registry";
 * // { controller, purposes, retentionRules, parties: await registry.listParties("acme"), adequacy: registry.adequacy, generatedAt: new Date() }
 * ```
 */
export interface ControllerRopaInput {
  controller: z.input<typeof OrganisationIdentitySchema>;
  purposes: readonly RopaPurpose[];
  retentionRules?: readonly RopaRetentionRule[] | undefined;
  securityMeasures?: string | undefined;
  parties: readonly PartyRecord[];
  adequacy: AdequacyList;
  generatedAt: Date;
  /** Human label of a data category. @default the key */
  describeCategory?: ((key: string) => string) | undefined;
}

function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const issues = issuesFromZod(r.error.issues);
    throw new RegistryError(ERROR_CODES.VALIDATION_FAILED, `Invalid ${what}: ${issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`, { issues });
  }
  return r.data;
}

const ROLE_LABELS = {
  processor: "Processors",
  subprocessor: "Sub-processors",
  independent_controller: "Independent controllers (recipients)",
} as const;

function transfersOf(p: PartyRecord, adequacy: AdequacyList): RopaTransfer[] {
  const d = p.party;
  const out: RopaTransfer[] = [];
  for (const country of [...new Set([d.country, ...(d.processingLocations ?? [])])]) {
    const cls = classifyDestination(country, adequacy);
    if (cls.status === "domestic") continue;
    const recipient = { id: p.id, name: d.legalName };
    if (d.transfer) {
      out.push({
        country,
        recipient,
        mechanism: describeTransferMechanism(d.transfer),
        mechanismKind: d.transfer.kind,
        ...(d.transfer.kind === "derogation" && d.transfer.ground === "49.1.2" && d.transfer.safeguards ? { documentedSafeguards: d.transfer.safeguards } : {}),
      });
    } else if (cls.status === "adequate") {
      out.push({ country, recipient, mechanism: `Adequacy decision ${cls.entry.decisionId}`, mechanismKind: "adequacy" });
    } else {
      out.push({ country, recipient, mechanism: "No transfer mechanism on file", mechanismKind: "none" });
    }
  }
  return out;
}

function covers(ruleKey: string, key: string): boolean {
  return key === ruleKey || key.startsWith(`${ruleKey}.`);
}

/**
 * Build Art. 30(1) controller records — one entry per purpose — from the registry's active
 * parties (recipients, joint controllers, transfers), the purposes and the retention rules.
 * Only `active` parties count. Gaps (no retention rule for a category, no security description)
 * are reported in `gaps`, since the article asks for those fields "where possible".
 *
 * @throws RegistryError `VALIDATION_FAILED` naming every bad field of the input.
 * @example
 * ```ts
 * import { EU_ADEQUACY_LIST, buildControllerRopa } from "@lawful/registry";
 * const ropa = buildControllerRopa({
 *   controller: { name: "Acme GmbH", contact: { email: "privacy@acme.example" } },
 *   purposes: [{ id: "crm", name: "Customer management", dataCategories: ["contact.email"], subjectCategories: ["customers"] }],
 *   parties: [], adequacy: EU_ADEQUACY_LIST, generatedAt: new Date("2026-01-01"),
 * });
 * ropa.entries.length; // 1
 * ```
 */
export function buildControllerRopa(input: ControllerRopaInput): RecordsOfProcessing {
  const i = parseInput(ControllerRopaInputSchema, input, "records-of-processing input");
  const describe = input.describeCategory ?? ((k: string) => k);
  const active = input.parties.filter((p) => p.status === "active");
  const gaps: LawfulIssue[] = [];
  const entries: ControllerRopaEntry[] = i.purposes.map((purpose, pi) => {
    const involved = active.filter((p) => p.party.purposes.includes(purpose.id));
    const joint = involved.filter((p) => p.party.role === "joint_controller");
    const recipients = involved.filter((p) => p.party.role === "processor" || p.party.role === "subprocessor" || p.party.role === "independent_controller");
    const recipientCategories = (["processor", "subprocessor", "independent_controller"] as const)
      .map((role) => ({
        category: ROLE_LABELS[role],
        recipients: recipients
          .filter((p) => p.party.role === role)
          .map((p) => ({ id: p.id, name: p.party.legalName, country: p.party.country, services: [...p.party.services] })),
      }))
      .filter((c) => c.recipients.length > 0);
    const thirdCountryTransfers = [...recipients, ...joint].flatMap((p) => transfersOf(p, input.adequacy));
    for (const t of thirdCountryTransfers) {
      if (t.mechanismKind === "none") {
        gaps.push({ path: ["purposes", pi, "thirdCountryTransfers", t.recipient.id], code: "transfer_mechanism_missing", message: `no transfer mechanism on file for ${t.country}` });
      }
    }
    const erasure = purpose.dataCategories.flatMap((key) => {
      const rules = i.retentionRules.filter((r) => r.dataCategories.some((rk) => covers(rk, key)) && (r.purposes === undefined || r.purposes.includes(purpose.id)));
      if (rules.length === 0) {
        gaps.push({ path: ["purposes", pi, "erasureTimeLimits", key], code: "retention_rule_missing", message: `no retention rule covers ${key} for this purpose` });
        return [];
      }
      const first = rules[0]!;
      return [
        {
          dataCategory: key,
          period: rules.length === 1 ? first.period : rules.map((r) => r.period).join(" / "),
          ...(rules.length === 1 && first.trigger ? { trigger: first.trigger } : {}),
          retentionRuleIds: rules.map((r) => r.id),
        },
      ];
    });
    const securityMeasures = purpose.securityMeasures ?? i.securityMeasures;
    if (!securityMeasures) gaps.push({ path: ["purposes", pi, "securityMeasures"], code: "security_description_missing", message: "no general description of the Art. 32 measures" });
    const c = i.controller;
    return {
      activity: { id: purpose.id, name: purpose.name },
      controller: {
        name: c.name,
        ...(c.address ? { address: c.address } : {}),
        contact: c.contact,
        jointControllers: joint.map((p) => ({
          id: p.id,
          name: p.party.legalName,
          contact: p.party.contact,
          arrangementRef: p.party.role === "joint_controller" ? p.party.arrangementRef : "",
        })),
        ...(c.representative ? { representative: c.representative } : {}),
        ...(c.dpo ? { dpo: c.dpo } : {}),
      },
      purposes: [purpose.description ? `${purpose.name}: ${purpose.description}` : purpose.name],
      dataSubjectCategories: [...purpose.subjectCategories],
      personalDataCategories: purpose.dataCategories.map((key) => ({ key, label: describe(key) })),
      recipientCategories,
      thirdCountryTransfers,
      ...(erasure.length ? { erasureTimeLimits: erasure } : {}),
      ...(securityMeasures ? { securityMeasures } : {}),
    };
  });
  return { kind: "controller", generatedAt: i.generatedAt, entries, gaps };
}

const ProcessorRopaInputSchema = z.object({
  processor: OrganisationIdentitySchema,
  controllers: z
    .array(
      z.object({
        controller: OrganisationIdentitySchema,
        processingCategories: z.array(z.string().trim().min(1).max(300)).min(1),
        /** Purposes processed for this controller; links the registry's processors. @default every active processor */
        purposes: z.array(PurposeIdSchema).optional(),
        securityMeasures: z.string().trim().min(1).max(4000).optional(),
      }),
    )
    .min(1),
  securityMeasures: z.string().trim().min(1).max(4000).optional(),
  generatedAt: z.date(),
});

/**
 * Input of {@link buildProcessorRopa}: the processor keeping the records, each controller it acts
 * for with the categories of processing, the registry's latest party versions (the processors it
 * engages), the adequacy list and the generation time.
 *
 * @example
 * ```ts
 * import type { ProcessorRopaInput } from "@lawful/registry";
 * // { processor, controllers: [{ controller, processingCategories: ["E-mail delivery"] }], parties, adequacy, generatedAt }
 * ```
 */
export interface ProcessorRopaInput {
  processor: z.input<typeof OrganisationIdentitySchema>;
  controllers: readonly {
    controller: z.input<typeof OrganisationIdentitySchema>;
    processingCategories: readonly string[];
    purposes?: readonly string[] | undefined;
    securityMeasures?: string | undefined;
  }[];
  securityMeasures?: string | undefined;
  parties: readonly PartyRecord[];
  adequacy: AdequacyList;
  generatedAt: Date;
}

/**
 * Build Art. 30(2) processor records — one entry per controller — naming the processor and the
 * (sub-)processors it engages, the controller, the categories of processing, third-country
 * transfers and the security description.
 *
 * @throws RegistryError `VALIDATION_FAILED` naming every bad field of the input.
 * @example
 * ```ts
 * import { EU_ADEQUACY_LIST, buildProcessorRopa } from "@lawful/registry";
 * const ropa = buildProcessorRopa({
 *   processor: { name: "Mailer Ltd", contact: { email: "privacy@mailer.example" } },
 *   controllers: [{ controller: { name: "Acme GmbH", contact: { email: "privacy@acme.example" } }, processingCategories: ["E-mail delivery"] }],
 *   parties: [], adequacy: EU_ADEQUACY_LIST, generatedAt: new Date("2026-01-01"),
 * });
 * ```
 */
export function buildProcessorRopa(input: ProcessorRopaInput): RecordsOfProcessing {
  const i = parseInput(ProcessorRopaInputSchema, input, "processor records-of-processing input");
  const engaged = input.parties.filter((p) => p.status === "active" && (p.party.role === "processor" || p.party.role === "subprocessor"));
  const gaps: LawfulIssue[] = [];
  const ident = (o: OrganisationIdentity) => ({
    name: o.name,
    contact: o.contact,
    ...(o.representative ? { representative: o.representative } : {}),
    ...(o.dpo ? { dpo: o.dpo } : {}),
  });
  const entries: ProcessorRopaEntry[] = i.controllers.map((c, ci) => {
    const purposes = c.purposes;
    const mine = purposes ? engaged.filter((p) => p.party.purposes.some((x) => purposes.includes(x))) : engaged;
    const securityMeasures = c.securityMeasures ?? i.securityMeasures;
    if (!securityMeasures) gaps.push({ path: ["controllers", ci, "securityMeasures"], code: "security_description_missing", message: "no general description of the Art. 32 measures" });
    return {
      processors: [ident(i.processor), ...mine.map((p) => ({ name: p.party.legalName, contact: p.party.contact, ...(p.party.representative ? { representative: p.party.representative } : {}), ...(p.party.dpo ? { dpo: p.party.dpo } : {}) }))],
      controller: ident(c.controller),
      processingCategories: [...c.processingCategories],
      thirdCountryTransfers: mine.flatMap((p) => transfersOf(p, input.adequacy)),
      ...(securityMeasures ? { securityMeasures } : {}),
    };
  });
  return { kind: "processor", generatedAt: i.generatedAt, entries, gaps };
}

/**
 * Records of processing as plain JSON (dates as ISO strings, no `undefined`), ready for
 * `JSON.stringify` or for `@lawful/export`.
 *
 * @example
 * ```ts
 * import { EU_ADEQUACY_LIST, buildControllerRopa, ropaToJson } from "@lawful/registry";
 * const json = ropaToJson(buildControllerRopa({
 *   controller: { name: "Acme GmbH", contact: { email: "privacy@acme.example" } },
 *   purposes: [{ id: "crm", name: "CRM", dataCategories: ["contact.email"], subjectCategories: ["customers"] }],
 *   parties: [], adequacy: EU_ADEQUACY_LIST, generatedAt: new Date("2026-01-01"),
 * }));
 * ```
 */
export function ropaToJson(records: RecordsOfProcessing): Record<string, unknown> {
  return JSON.parse(JSON.stringify(records)) as Record<string, unknown>;
}

/**
 * A flat table form of records of processing: labelled columns (with the Art. 30 point) and one
 * row of strings per entry, for `@lawful/export` to render as CSV or HTML.
 *
 * @example
 * ```ts
 * import type { RopaTable } from "@lawful/registry";
 * const t: RopaTable = { columns: [{ key: "purposes", label: "Purposes (Art. 30(1)(b))" }], rows: [{ purposes: "CRM" }] };
 * ```
 */
export interface RopaTable {
  readonly columns: readonly { readonly key: string; readonly label: string }[];
  readonly rows: readonly Readonly<Record<string, string>>[];
}

const contactLine = (name: string, c: Contact) => [name, c.name, c.email, c.phone, c.url].filter(Boolean).join(", ");

/**
 * Flatten records of processing into a {@link RopaTable}: multi-valued cells are joined with "; ".
 *
 * @example
 * ```ts
 * import { EU_ADEQUACY_LIST, buildControllerRopa, ropaToTable } from "@lawful/registry";
 * const table = ropaToTable(buildControllerRopa({
 *   controller: { name: "Acme GmbH", contact: { email: "privacy@acme.example" } },
 *   purposes: [{ id: "crm", name: "CRM", dataCategories: ["contact.email"], subjectCategories: ["customers"] }],
 *   parties: [], adequacy: EU_ADEQUACY_LIST, generatedAt: new Date("2026-01-01"),
 * }));
 * table.rows.length; // 1
 * ```
 */
export function ropaToTable(records: RecordsOfProcessing): RopaTable {
  const transfers = (ts: readonly RopaTransfer[]) =>
    ts.length === 0
      ? "None"
      : ts.map((t) => `${t.country}: ${t.recipient.name} (${t.mechanism}${t.documentedSafeguards ? `; safeguards: ${t.documentedSafeguards}` : ""})`).join("; ");
  if (records.kind === "controller") {
    return {
      columns: [
        { key: "activity", label: "Processing activity" },
        { key: "controller", label: "Controller, joint controllers, representative, DPO (Art. 30(1)(a))" },
        { key: "purposes", label: "Purposes (Art. 30(1)(b))" },
        { key: "dataSubjectCategories", label: "Categories of data subjects (Art. 30(1)(c))" },
        { key: "personalDataCategories", label: "Categories of personal data (Art. 30(1)(c))" },
        { key: "recipientCategories", label: "Categories of recipients (Art. 30(1)(d))" },
        { key: "thirdCountryTransfers", label: "Third-country transfers and safeguards (Art. 30(1)(e))" },
        { key: "erasureTimeLimits", label: "Envisaged erasure time limits (Art. 30(1)(f))" },
        { key: "securityMeasures", label: "Technical and organisational security measures (Art. 30(1)(g))" },
      ],
      rows: records.entries.map((e) => ({
        activity: e.activity.name,
        controller: [
          contactLine(e.controller.name, e.controller.contact),
          ...e.controller.jointControllers.map((j) => `Joint controller: ${contactLine(j.name, j.contact)} (arrangement ${j.arrangementRef})`),
          e.controller.representative ? `Representative: ${contactLine(e.controller.representative.name, e.controller.representative.contact)}` : "",
          e.controller.dpo ? `DPO: ${contactLine("", e.controller.dpo)}` : "",
        ]
          .filter(Boolean)
          .join("; "),
        purposes: e.purposes.join("; "),
        dataSubjectCategories: e.dataSubjectCategories.join("; "),
        personalDataCategories: e.personalDataCategories.map((c) => c.label).join("; "),
        recipientCategories: e.recipientCategories.map((c) => `${c.category}: ${c.recipients.map((r) => `${r.name} (${r.country})`).join(", ")}`).join("; "),
        thirdCountryTransfers: transfers(e.thirdCountryTransfers),
        erasureTimeLimits: (e.erasureTimeLimits ?? []).map((l) => `${l.dataCategory}: ${l.period}${l.trigger ? ` from ${l.trigger}` : ""}`).join("; "),
        securityMeasures: e.securityMeasures ?? "",
      })),
    };
  }
  return {
    columns: [
      { key: "processors", label: "Processor(s), representatives, DPOs (Art. 30(2)(a))" },
      { key: "controller", label: "Controller, representative, DPO (Art. 30(2)(a))" },
      { key: "processingCategories", label: "Categories of processing (Art. 30(2)(b))" },
      { key: "thirdCountryTransfers", label: "Third-country transfers and safeguards (Art. 30(2)(c))" },
      { key: "securityMeasures", label: "Technical and organisational security measures (Art. 30(2)(d))" },
    ],
    rows: records.entries.map((e) => ({
      processors: e.processors.map((p) => contactLine(p.name, p.contact) + (p.dpo ? ` (DPO: ${p.dpo.email})` : "")).join("; "),
      controller: contactLine(e.controller.name, e.controller.contact) + (e.controller.dpo ? ` (DPO: ${e.controller.dpo.email})` : ""),
      processingCategories: e.processingCategories.join("; "),
      thirdCountryTransfers: transfers(e.thirdCountryTransfers),
      securityMeasures: e.securityMeasures ?? "",
    })),
  };
}
