import { hash as cryptoHash } from "node:crypto";
import * as z from "zod";
import {
  AuditEventInputSchema,
  ERROR_CODES,
  SubjectRefSchema,
  TenantIdSchema,
  createPseudonymizer,
  createUuidV7Generator,
  isLawfulError,
  issuesFromZod,
  systemClock,
  type Actor,
  type AuditEventInput,
  type AuditReceipt,
  type AuditSink,
  type Clock,
  type IdGenerator,
  type Keyring,
  type LawfulIssue,
  type ParsedAuditEventInput,
  type Pseudonymizer,
  type SubjectRef,
} from "@lawful/core";
import { createCheckpointVerifier, signCheckpoint, type CheckpointSigner, type CheckpointVerifier } from "./checkpoint.js";
import { AuditError } from "./errors.js";
import { exportNdjson } from "./export.js";
import { fastCanonicalize } from "./internal/canonical.js";
import { consistencyProof, hashLeaf, inclusionProof, merkleRoot, treeFrontier, type MerkleHashReader } from "./merkle.js";
import {
  AuditQuerySchema,
  STORED_EVENT_VERSION,
  StoredAuditEventSchema,
  type AuditQuery,
  type AuditRecord,
  type StoredAuditEvent,
  type StoredCheckpoint,
} from "./model.js";
import type { AuditStore } from "./store.js";
import { verifyRows, type VerifiableRow, type VerificationReport } from "./verify.js";

/**
 * Options of {@link createAuditLog}.
 *
 * @example
 * ```ts
 * import { randomBytes } from "node:crypto";
 * import { createKeyring, createMemoryKeyStore } from "@lawful/core";
 * import { generateCheckpointKey, type AuditLogOptions } from "@lawful/audit";
 * import { createMemoryAuditStore } from "@lawful/audit/memory";
 * const options: AuditLogOptions = {
 *   store: createMemoryAuditStore(),
 *   keyring: createKeyring({ store: createMemoryKeyStore(), keks: [{ id: "k1", key: randomBytes(32) }], currentKekId: "k1" }),
 *   pseudonymKey: randomBytes(32),
 *   signer: generateCheckpointKey("example.com/audit").signer,
 * };
 * ```
 */
export interface AuditLogOptions {
  /** Where events, subtree hashes and checkpoints live. */
  readonly store: AuditStore;
  /** Encrypts details and request metadata per subject (key id = the subject pseudonym). */
  readonly keyring: Keyring;
  /** Turns subject references into pseudonyms; one for all tenants or one per tenant. Give this or `pseudonymKey`. */
  readonly pseudonymizer?: Pseudonymizer | ((tenantId: string) => Pseudonymizer) | undefined;
  /** A ≥ 32-byte key for `createPseudonymizer`, when no `pseudonymizer` is given. */
  readonly pseudonymKey?: Uint8Array | undefined;
  /** Signs checkpoints. */
  readonly signer: CheckpointSigner;
  /** More trusted keys for verification (e.g. keys used before a rotation). The signer's key is always trusted. */
  readonly verifiers?: readonly CheckpointVerifier[] | undefined;
  /** Checkpoint origin: a function of the tenant, or a prefix followed by `/<tenantId>`. @default "lawful-audit" */
  readonly origin?: string | ((tenantId: string) => string) | undefined;
  /** @default systemClock */
  readonly clock?: Clock | undefined;
  /** Event ids. @default UUIDv7 over `clock` */
  readonly ids?: IdGenerator | undefined;
  /**
   * Write a checkpoint after an append once this many events or seconds passed since the last one.
   * Checkpoints are written on append (no timers run); call `checkpoint()` on a schedule for quiet logs.
   * @default { events: 1000, seconds: 60 }
   */
  readonly checkpointEvery?: { readonly events?: number | undefined; readonly seconds?: number | undefined } | undefined;
  /** Called when an automatic checkpoint fails (the append itself succeeded). @default ignore */
  readonly onCheckpointError?: ((error: unknown) => void) | undefined;
}

const fn = (what: string) => z.custom<(...args: never[]) => unknown>((v) => typeof v === "function", `${what} must be a function`);
const obj = (what: string, methods: readonly string[]) =>
  z.custom<object>(
    (v) => typeof v === "object" && v !== null && methods.every((m) => typeof (v as Record<string, unknown>)[m] === "function"),
    `${what} must have ${methods.join(", ")}`,
  );

const AuditLogOptionsSchema = z.object({
  store: obj("store", ["append", "size", "readRange", "readHashes", "get", "query", "addCheckpoint", "listCheckpoints", "latestCheckpoint"]),
  keyring: obj("keyring", ["encryptJson", "decryptJson", "shred"]),
  pseudonymizer: z.union([obj("pseudonymizer", ["pseudonym"]), fn("pseudonymizer")]).optional(),
  pseudonymKey: z.instanceof(Uint8Array).optional(),
  signer: obj("signer", ["sign"]),
  verifiers: z.array(obj("verifier", ["verify"])).optional(),
  origin: z.union([z.string().min(1).max(200).regex(/^[^\s\u2014]+$/, "must contain no spaces"), fn("origin")]).optional(),
  clock: obj("clock", ["now"]).optional(),
  ids: fn("ids").optional(),
  checkpointEvery: z
    .object({ events: z.number().int().positive().optional(), seconds: z.number().positive().optional() })
    .optional(),
  onCheckpointError: fn("onCheckpointError").optional(),
});

/**
 * The details of an event as its reader gets them.
 *
 * @example
 * ```ts
 * import type { AuditEventDetails } from "@lawful/audit";
 * function show(d: AuditEventDetails): string { return d.status === "clear" || d.status === "decrypted" ? JSON.stringify(d.details) : `[${d.status}]`; }
 * ```
 */
export type AuditEventDetails =
  /** The event has no details. */
  | { readonly status: "none" }
  /** Details without a subject, stored in clear. */
  | { readonly status: "clear"; readonly details: Record<string, unknown> }
  /** Decrypted with the subject key. */
  | { readonly status: "decrypted"; readonly details?: Record<string, unknown> | undefined; readonly requestMeta?: Record<string, unknown> | undefined }
  /** The subject key was shredded: the details are gone for good (the event still verifies). */
  | { readonly status: "shredded" }
  /** The subject key was already shredded when the event was written, so details were not kept. */
  | { readonly status: "withheld" };

/**
 * A page of query results.
 *
 * @example
 * ```ts
 * import type { AuditQueryPage } from "@lawful/audit";
 * function count(p: AuditQueryPage): number { return p.events.length; }
 * ```
 */
export interface AuditQueryPage {
  readonly events: readonly StoredAuditEvent[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  readonly nextCursor?: string | undefined;
}

/**
 * An inclusion proof as the log hands it out. Verify it with `verifyInclusion` against the root of a
 * checkpoint you verified yourself, and the leaf hash of the event bytes you hold.
 *
 * @example
 * ```ts
 * import type { InclusionProof } from "@lawful/audit";
 * function length(p: InclusionProof): number { return p.proof.length; }
 * ```
 */
export interface InclusionProof {
  readonly sequence: number;
  readonly treeSize: number;
  readonly leafHash: Uint8Array;
  readonly proof: readonly Uint8Array[];
}

/**
 * Options of {@link AuditLog.verify}.
 *
 * @example
 * ```ts
 * import type { AuditVerifyOptions } from "@lawful/audit";
 * const options: AuditVerifyOptions = { from: 1000, to: 2000 };
 * ```
 */
export interface AuditVerifyOptions {
  /** First sequence number to check. @default 0 */
  readonly from?: number | undefined;
  /** Stop before this sequence number. @default the end of the log */
  readonly to?: number | undefined;
  /** Checkpoint notes kept outside the store (they are checked with the store's own). */
  readonly checkpoints?: readonly string[] | undefined;
  /** Rows read per store call. @default 2000 */
  readonly pageSize?: number | undefined;
}

/**
 * A tamper-evident, per-tenant audit log; it implements core's `AuditSink`.
 *
 * @example
 * ```ts
 * import type { AuditLog } from "@lawful/audit";
 * async function audit(log: AuditLog) {
 *   await log.record({ tenantId: "acme", action: "data.accessed", actor: { type: "staff", id: "u1" } });
 *   const report = await log.verify("acme");
 * }
 * ```
 */
export interface AuditLog extends AuditSink {
  /** The store behind the log. */
  readonly store: AuditStore;
  /** The checkpoint origin of a tenant. */
  origin(tenantId: string): string;
  /** The trusted checkpoint verifiers (the signer's key first). */
  readonly verifiers: readonly CheckpointVerifier[];
  /** The pseudonym of a subject, as stored in events and used as keyring key id. */
  pseudonym(tenantId: string, subject: SubjectRef | { kind: string; value: string }): string;
  /** Sign and store a checkpoint of the current tree (returns the latest one when the tree did not grow). */
  checkpoint(tenantId: string): Promise<StoredCheckpoint>;
  /** Number of events of the tenant log. */
  size(tenantId: string): Promise<number>;
  /** One event by sequence number. @throws AuditError `INTEGRITY_FAILED` when its stored bytes are not a valid event. */
  get(tenantId: string, sequence: number): Promise<StoredAuditEvent | undefined>;
  /** Query events (stable order by sequence, cursor pagination). */
  query(tenantId: string, query?: AuditQuery): Promise<AuditQueryPage>;
  /** Decrypt the details and request metadata of an event. */
  readDetails(event: StoredAuditEvent): Promise<AuditEventDetails>;
  /** Inclusion proof of event `sequence` in the tree of `treeSize` events (default: the latest checkpoint's size). */
  inclusionProof(tenantId: string, sequence: number, treeSize?: number): Promise<InclusionProof>;
  /** Consistency proof between two tree sizes. */
  consistencyProof(tenantId: string, first: number, second: number): Promise<readonly Uint8Array[]>;
  /** Verify the whole log or a range; reports the first bad event and why. Never throws for damaged data. */
  verify(tenantId: string, options?: AuditVerifyOptions): Promise<VerificationReport>;
  /** Export the log with its checkpoints as NDJSON lines (each line ends with `\n`). */
  export(tenantId: string): AsyncIterable<string>;
  /**
   * Crypto-shred a subject: destroy its keyring key (its encrypted details read as `shredded`
   * afterwards, the log still verifies) and record a `keyring.shredded` event.
   */
  shredSubject(tenantId: string, subject: SubjectRef | { kind: string; value: string } | { pseudonym: string }, actor: Actor): Promise<AuditReceipt>;
}

/**
 * The exact stored bytes of an event — its RFC 8785 canonical JSON in UTF-8 — and their RFC 6962 leaf
 * hash. The log calls it once per event; verification hashes the stored bytes and never calls it again.
 *
 * @throws LawfulError `NOT_JSON_SERIALIZABLE` when the event holds a non-JSON value.
 * @example
 * ```ts
 * import { encodeAuditEvent, type StoredAuditEvent } from "@lawful/audit";
 * declare const event: StoredAuditEvent;
 * const { bytes, leafHash } = encodeAuditEvent(event);
 * ```
 */
export function encodeAuditEvent(event: StoredAuditEvent): { bytes: Buffer; leafHash: Buffer } {
  const bytes = Buffer.from(fastCanonicalize(event), "utf8");
  return { bytes, leafHash: hashLeaf(bytes) };
}

/** Encodes one event once its sequence number and recording time are known. */
export type AuditEventEncoder = (sequence: number, recordedAt: string) => { bytes: Buffer; leafHash: Buffer };

/**
 * Canonicalise an event ahead of its append, leaving only `sequence` and `recordedAt` open: the returned
 * encoder splices them into the pre-encoded bytes and hashes, with output identical to
 * {@link encodeAuditEvent}. The log prepares events this way before it takes the store's append lock,
 * so the lock is held for the splice, the hash and the insert only.
 *
 * @throws LawfulError `NOT_JSON_SERIALIZABLE` (from the encoder) when the event holds a non-JSON value.
 * @example
 * ```ts
 * import { prepareAuditEvent, type StoredAuditEvent } from "@lawful/audit";
 * declare const event: Omit<StoredAuditEvent, "sequence" | "recordedAt">;
 * const { bytes, leafHash } = prepareAuditEvent(event)(41, "2026-01-01T00:00:00.000Z");
 * ```
 */
export function prepareAuditEvent(event: Omit<StoredAuditEvent, "sequence" | "recordedAt">): AuditEventEncoder {
  const fields = event as Record<string, unknown>;
  const keys = Object.keys(fields);
  // anything the fast path could get wrong keeps the one general encoder (which also raises its errors)
  if (keys.some((k) => fields[k] === undefined || k === "sequence" || k === "recordedAt")) {
    return (sequence, recordedAt) => encodeAuditEvent({ ...event, sequence, recordedAt });
  }
  // RFC 8785 orders members by UTF-16 code units, as Array#sort does; values are canonical on their own
  const order = [...keys, "recordedAt", "sequence"].sort();
  const member = (k: string) => `${JSON.stringify(k)}:${fastCanonicalize(fields[k])}`;
  const at = (k: string) => order.indexOf(k);
  const head = Buffer.from(`{${order.slice(0, at("recordedAt")).map((k) => `${member(k)},`).join("")}"recordedAt":`, "utf8");
  const middle = Buffer.from(`${order.slice(at("recordedAt") + 1, at("sequence")).map((k) => `,${member(k)}`).join("")},"sequence":`, "utf8");
  const tail = Buffer.from(`${order.slice(at("sequence") + 1).map((k) => `,${member(k)}`).join("")}}`, "utf8");
  return (sequence, recordedAt) => {
    const time = JSON.stringify(recordedAt);
    const seq = String(sequence);
    // one buffer: the 0x00 leaf prefix, then the stored bytes, so hashing needs no copy
    const buf = Buffer.allocUnsafe(1 + head.length + Buffer.byteLength(time) + middle.length + seq.length + tail.length);
    buf[0] = 0;
    let o = 1 + head.copy(buf, 1);
    o += buf.write(time, o, "utf8");
    o += middle.copy(buf, o);
    o += buf.write(seq, o, "latin1");
    tail.copy(buf, o);
    return { bytes: buf.subarray(1), leafHash: cryptoHash("sha256", buf, "buffer") };
  };
}

interface Prepared {
  readonly tenantId: string;
  readonly event: Omit<StoredAuditEvent, "sequence" | "recordedAt">;
  /** The event canonicalised up to its sequence and recording time, ready for the append lock. */
  readonly encode: AuditEventEncoder;
  readonly index: Omit<AuditRecord, "tenantId" | "sequence" | "id" | "bytes" | "leafHash">;
}

const aadFor = (id: string, part: string): string => `lawful-audit/v1/${id}/${part}`;

function invalid(issues: LawfulIssue[], what: string): AuditError {
  const fields = [...new Set(issues.map((i) => (i.path.length ? i.path.join(".") : "(root)")))];
  return new AuditError(
    ERROR_CODES.VALIDATION_FAILED,
    `Invalid ${what}: ${issues.length} problem${issues.length === 1 ? "" : "s"} at ${fields.join(", ")}. ${issues
      .map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`)
      .join("; ")}. Nothing was written.`,
    { issues },
  );
}

/**
 * Create a tamper-evident audit log over an {@link AuditStore}: it validates events, pseudonymises
 * the subject, encrypts details and request metadata with the subject's keyring key, canonicalises
 * each event once (RFC 8785), stores those exact bytes, and appends their RFC 6962 leaf hashes to the
 * tenant's Merkle tree; it signs checkpoints (C2SP signed notes, Ed25519) every N events or T seconds.
 *
 * @throws AuditError `INVALID_CONFIGURATION` for malformed options (naming each bad field).
 * @example
 * ```ts
 * import { randomBytes } from "node:crypto";
 * import { createKeyring, createMemoryKeyStore } from "@lawful/core";
 * import { createAuditLog, generateCheckpointKey } from "@lawful/audit";
 * import { createMemoryAuditStore } from "@lawful/audit/memory";
 * const log = createAuditLog({
 *   store: createMemoryAuditStore(),
 *   keyring: createKeyring({ store: createMemoryKeyStore(), keks: [{ id: "k1", key: randomBytes(32) }], currentKekId: "k1" }),
 *   pseudonymKey: randomBytes(32),
 *   signer: generateCheckpointKey("example.com/audit").signer,
 * });
 * await log.record({
 *   tenantId: "acme", action: "data.accessed", actor: { type: "staff", id: "u1" },
 *   subject: { kind: "email", value: "ada@example.com" }, details: { fields: ["phone"] },
 * });
 * (await log.verify("acme")).ok; // true
 * ```
 */
export function createAuditLog(options: AuditLogOptions): AuditLog {
  const parsed = AuditLogOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issues = issuesFromZod(parsed.error.issues);
    throw new AuditError(ERROR_CODES.INVALID_CONFIGURATION, `Invalid audit log options: ${issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}.`, { issues });
  }
  if (options.pseudonymizer === undefined && options.pseudonymKey === undefined) {
    throw new AuditError(ERROR_CODES.INVALID_CONFIGURATION, "Invalid audit log options: give a pseudonymizer or a pseudonymKey.", {
      issues: [{ path: ["pseudonymizer"], message: "give a pseudonymizer or a pseudonymKey", code: "required" }],
    });
  }
  const store = options.store;
  const keyring = options.keyring;
  const signer = options.signer;
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? createUuidV7Generator({ clock });
  const everyEvents = options.checkpointEvery?.events ?? 1000;
  const everyMs = (options.checkpointEvery?.seconds ?? 60) * 1000;
  const onCheckpointError = options.onCheckpointError ?? (() => undefined);
  const fixedPseudonymizer =
    options.pseudonymizer === undefined ? createPseudonymizer({ key: options.pseudonymKey! }) : typeof options.pseudonymizer === "function" ? undefined : options.pseudonymizer;
  const pseudonymizerFor = (tenantId: string): Pseudonymizer =>
    fixedPseudonymizer ?? (options.pseudonymizer as (tenantId: string) => Pseudonymizer)(tenantId);
  const originOption = options.origin ?? "lawful-audit";
  const origin = (tenantId: string): string => (typeof originOption === "function" ? originOption(tenantId) : `${originOption}/${tenantId}`);
  const ownVerifier = createCheckpointVerifier({ name: signer.name, publicKey: signer.publicKey });
  const verifiers = Object.freeze([ownVerifier, ...(options.verifiers ?? [])]);
  const lastCheckpoint = new Map<string, { size: number; at: number }>();

  const reader =
    (tenantId: string): MerkleHashReader =>
    (level, from, to) =>
      store.readHashes(tenantId, level, from, to);

  function pseudonym(tenantId: string, subject: SubjectRef | { kind: string; value: string }): string {
    const ref = SubjectRefSchema.safeParse(subject);
    if (!ref.success) throw invalid(issuesFromZod(ref.error.issues, ["subject"]), "subject");
    return pseudonymizerFor(tenantId).pseudonym(ref.data);
  }

  async function prepare(e: ParsedAuditEventInput, i: number, many: boolean): Promise<Prepared> {
    const prefix = many ? [i] : [];
    const id = ids();
    const subject = e.subject !== undefined ? pseudonymizerFor(e.tenantId).pseudonym(e.subject) : e.subjectPseudonym;
    const occurredAt = (e.occurredAt ?? clock.now()).toISOString();
    const event: Record<string, unknown> = { v: STORED_EVENT_VERSION, id, tenantId: e.tenantId, occurredAt, actor: e.actor, action: e.action, outcome: e.outcome };
    if (subject !== undefined) event.subject = subject;
    if (e.target !== undefined) event.target = e.target;
    if (e.purpose !== undefined) event.purpose = e.purpose;
    if (e.lawfulBasis !== undefined) event.lawfulBasis = e.lawfulBasis;
    if (e.recipient !== undefined) event.recipient = e.recipient;
    if (e.correlationId !== undefined) event.correlationId = e.correlationId;
    const issues: LawfulIssue[] = [];
    const checkJson = (value: unknown, field: string): void => {
      try {
        fastCanonicalize(value);
      } catch (error) {
        if (!isLawfulError(error)) throw error;
        issues.push(...error.issues.map((iss) => ({ ...iss, path: [...prefix, field, ...iss.path] })));
      }
    };
    if (e.details !== undefined) checkJson(e.details, "details");
    if (issues.length > 0) throw invalid(issues, many ? `audit event #${i}` : "audit event");
    if (subject !== undefined) {
      try {
        if (e.details !== undefined) event.detailsCiphertext = await keyring.encryptJson(e.tenantId, subject, e.details, aadFor(id, "details"));
        if (e.requestMeta !== undefined) event.requestMetaCiphertext = await keyring.encryptJson(e.tenantId, subject, e.requestMeta, aadFor(id, "requestMeta"));
      } catch (error) {
        if (!isLawfulError(error) || error.code !== ERROR_CODES.KEY_SHREDDED) throw error;
        delete event.detailsCiphertext;
        delete event.requestMetaCiphertext;
        event.detailsWithheld = "subject_key_shredded";
      }
    } else if (e.details !== undefined) {
      event.details = e.details;
    }
    return {
      tenantId: e.tenantId,
      event: event as Prepared["event"],
      encode: prepareAuditEvent(event as Prepared["event"]),
      index: {
        occurredAt: new Date(occurredAt),
        action: e.action,
        actorType: e.actor.type,
        actorId: e.actor.id,
        subject: subject ?? null,
        targetSystem: e.target?.system ?? null,
        targetRecordType: e.target?.recordType ?? null,
        targetRecordId: e.target?.recordId ?? null,
      },
    };
  }

  async function maybeCheckpoint(tenantId: string, size: number): Promise<void> {
    let last = lastCheckpoint.get(tenantId);
    if (last === undefined) {
      const stored = await store.latestCheckpoint(tenantId);
      last = stored === undefined ? { size: 0, at: Number.NEGATIVE_INFINITY } : { size: stored.treeSize, at: stored.createdAt.getTime() };
      lastCheckpoint.set(tenantId, last);
    }
    if (size - last.size >= everyEvents || (size > last.size && clock.now().getTime() - last.at >= everyMs)) await checkpoint(tenantId);
  }

  async function append(inputs: readonly AuditEventInput[], many: boolean): Promise<AuditReceipt[]> {
    if (!Array.isArray(inputs)) throw invalid([{ path: [], message: "expected an array of events", code: "invalid_type" }], "audit events");
    if (inputs.length === 0) return [];
    const tenant = TenantIdSchema.safeParse((inputs[0] as { tenantId?: unknown } | undefined)?.tenantId);
    const mixed = inputs.findIndex((e) => (e as { tenantId?: unknown } | undefined)?.tenantId !== (inputs[0] as { tenantId?: unknown }).tenantId);
    if (mixed >= 0 && tenant.success) {
      throw invalid([{ path: [mixed, "tenantId"], message: "every event of one recordMany call must belong to the same tenant", code: "custom" }], "audit events");
    }
    // validate everything first, so a bad event anywhere writes nothing
    const results = inputs.map((input) => AuditEventInputSchema.safeParse(input));
    const issues = results.flatMap((r, i) => (r.success ? [] : issuesFromZod(r.error.issues, many ? [i] : [])));
    if (issues.length > 0) throw invalid(issues, many ? "audit events" : "audit event");
    const prepared: Prepared[] = [];
    for (let i = 0; i < inputs.length; i++) prepared.push(await prepare((results[i] as { data: ParsedAuditEventInput }).data, i, many));
    const tenantId = prepared[0]!.tenantId;
    const written = await store.append(tenantId, (first) => {
      const recordedAt = clock.now().toISOString();
      return prepared.map((p, i) => {
        const sequence = first + i;
        const { bytes, leafHash } = p.encode(sequence, recordedAt);
        return { tenantId, sequence, id: p.event.id, bytes, leafHash, ...p.index };
      });
    });
    const receipts = written.map((r) => ({ id: r.id, sequence: r.sequence }));
    const size = written[written.length - 1]!.sequence + 1;
    try {
      await maybeCheckpoint(tenantId, size);
    } catch (error) {
      onCheckpointError(error);
    }
    return receipts;
  }

  async function checkpoint(tenantId: string): Promise<StoredCheckpoint> {
    const t = TenantIdSchema.safeParse(tenantId);
    if (!t.success) throw invalid(issuesFromZod(t.error.issues, ["tenantId"]), "tenant id");
    const size = await store.size(tenantId);
    const latest = await store.latestCheckpoint(tenantId);
    if (latest !== undefined && latest.treeSize >= size) return latest;
    const rootHash = await merkleRoot(reader(tenantId), size);
    const now = clock.now();
    const note = signCheckpoint({ origin: origin(tenantId), treeSize: size, rootHash, time: now }, signer);
    const cp: StoredCheckpoint = { treeSize: size, rootHash, note, createdAt: now };
    await store.addCheckpoint(tenantId, cp);
    lastCheckpoint.set(tenantId, { size, at: now.getTime() });
    return cp;
  }

  function decode(record: AuditRecord): StoredAuditEvent {
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(record.bytes).toString("utf8"));
    } catch (cause) {
      throw new AuditError(ERROR_CODES.INTEGRITY_FAILED, `Event ${record.sequence} of tenant '${record.tenantId}' is not valid JSON; the store was damaged — run verification.`, { cause });
    }
    const r = StoredAuditEventSchema.safeParse(json);
    if (!r.success) {
      throw new AuditError(ERROR_CODES.INTEGRITY_FAILED, `Event ${record.sequence} of tenant '${record.tenantId}' is not a valid stored event; the store was damaged — run verification.`, {
        issues: issuesFromZod(r.error.issues),
      });
    }
    return r.data;
  }

  function checkSequence(value: unknown, field: string): number {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
      throw invalid([{ path: [field], message: "must be a non-negative integer", code: "invalid_type" }], field);
    }
    return value;
  }

  async function* rowsOf(tenantId: string, from: number, pageSize: number): AsyncGenerator<readonly VerifiableRow[]> {
    let next = from;
    for (;;) {
      const page = await store.readRange(tenantId, next, pageSize);
      if (page.length === 0) return;
      yield page;
      const last = page[page.length - 1]!.sequence;
      if (page.length < pageSize || !(last >= next)) return;
      next = last + 1;
    }
  }

  const log: AuditLog = {
    store,
    origin,
    verifiers,
    pseudonym,
    record: async (event) => (await append([event], false))[0]!,
    recordMany: (events) => append(events, true),
    checkpoint,
    size: (tenantId) => store.size(tenantId),
    async get(tenantId, sequence) {
      const r = await store.get(tenantId, checkSequence(sequence, "sequence"));
      return r === undefined ? undefined : decode(r);
    },
    async query(tenantId, query = {}) {
      const t = TenantIdSchema.safeParse(tenantId);
      const q = AuditQuerySchema.safeParse(query);
      const issues = [...(t.success ? [] : issuesFromZod(t.error.issues, ["tenantId"])), ...(q.success ? [] : issuesFromZod(q.error.issues))];
      if (!q.success || issues.length > 0) throw invalid(issues, "audit query");
      const f = q.data;
      const subject = f.subject !== undefined ? pseudonym(tenantId, f.subject) : f.subjectPseudonym;
      const rows = await store.query(tenantId, {
        subject,
        actorId: f.actorId,
        actorType: f.actorType,
        actionPrefix: f.actionPrefix?.replace(/\.$/, ""),
        targetSystem: f.targetSystem,
        targetRecordType: f.targetRecordType,
        targetRecordId: f.targetRecordId,
        from: f.from,
        to: f.to,
        afterSequence: f.cursor === undefined ? -1 : Number(f.cursor.slice(1)),
        limit: f.limit + 1,
      });
      const events = rows.slice(0, f.limit).map(decode);
      return rows.length > f.limit ? { events, nextCursor: `c${events[events.length - 1]!.sequence}` } : { events };
    },
    async readDetails(event) {
      if (event.detailsWithheld !== undefined) return { status: "withheld" };
      if (event.details !== undefined) return { status: "clear", details: event.details };
      if (event.subject === undefined || (event.detailsCiphertext === undefined && event.requestMetaCiphertext === undefined)) return { status: "none" };
      try {
        const details =
          event.detailsCiphertext === undefined ? undefined : ((await keyring.decryptJson(event.tenantId, event.subject, event.detailsCiphertext, aadFor(event.id, "details"))) as Record<string, unknown>);
        const requestMeta =
          event.requestMetaCiphertext === undefined
            ? undefined
            : ((await keyring.decryptJson(event.tenantId, event.subject, event.requestMetaCiphertext, aadFor(event.id, "requestMeta"))) as Record<string, unknown>);
        return { status: "decrypted", details, requestMeta };
      } catch (error) {
        if (isLawfulError(error) && error.code === ERROR_CODES.KEY_SHREDDED) return { status: "shredded" };
        throw error;
      }
    },
    async inclusionProof(tenantId, sequence, treeSize) {
      checkSequence(sequence, "sequence");
      const size = treeSize ?? (await store.latestCheckpoint(tenantId))?.treeSize ?? 0;
      checkSequence(size, "treeSize");
      if (sequence >= size) {
        throw invalid([{ path: ["sequence"], message: `must be smaller than the tree size ${size} (make a checkpoint first)`, code: "too_big" }], "inclusion proof request");
      }
      const stored = await store.readHashes(tenantId, 0, sequence, sequence + 1);
      const proof = await inclusionProof(reader(tenantId), sequence, size);
      return { sequence, treeSize: size, leafHash: stored[0] ?? new Uint8Array(32), proof };
    },
    consistencyProof: (tenantId, first, second) => consistencyProof(reader(tenantId), first, second),
    async verify(tenantId, opts = {}) {
      const from = checkSequence(opts.from ?? 0, "from");
      const to = opts.to === undefined ? undefined : checkSequence(opts.to, "to");
      const stored = await store.listCheckpoints(tenantId);
      let frontier: Uint8Array[] | undefined;
      if (from > 0) {
        try {
          frontier = await treeFrontier(reader(tenantId), from);
        } catch (error) {
          if (!isLawfulError(error)) throw error;
          return {
            ok: false,
            problem: { kind: "truncated", sequence: from, message: `The stored hashes of the events before ${from} are missing; verify from 0.` },
            eventsChecked: 0,
            treeSize: from,
            checkpointsVerified: 0,
            coveredSize: 0,
            rootHash: new Uint8Array(32),
          };
        }
      }
      return verifyRows({
        tenantId,
        rows: rowsOf(tenantId, from, opts.pageSize ?? 2000),
        checkpoints: [...stored.map((c) => c.note), ...(opts.checkpoints ?? [])],
        verifiers,
        origin: origin(tenantId),
        from,
        frontier,
        to,
      });
    },
    export: (tenantId) => exportNdjson({ store, tenantId, origin: origin(tenantId), verifierKey: signer.verifierKey }),
    async shredSubject(tenantId, subject, actor) {
      const id = "pseudonym" in subject ? subject.pseudonym : pseudonym(tenantId, subject);
      await keyring.shred(tenantId, id);
      return log.record({ tenantId, action: "keyring.shredded", actor, subjectPseudonym: id, outcome: "succeeded" });
    },
  };
  return Object.freeze(log);
}
