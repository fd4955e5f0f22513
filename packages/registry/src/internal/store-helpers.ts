import { ERROR_CODES, TenantIdSchema, parseOrThrow } from "@lawful/core";
import { ChangeNoticeSchema, type ChangeNotice } from "../change-notice.js";
import { DisclosureRecordSchema, type DisclosureQuery, type DisclosureRecord } from "../disclosure.js";
import { RegistryError } from "../errors.js";
import { PartyRecordSchema, type PartyRecord } from "../party.js";
import * as z from "zod";

export const COMPONENT = "@lawful/registry";

export const parseParty = (v: unknown): PartyRecord => parseOrThrow(PartyRecordSchema, v, "party record", RegistryError);
export const parseNotice = (v: unknown): ChangeNotice => parseOrThrow(ChangeNoticeSchema, v, "change notice", RegistryError);
export const parseDisclosure = (v: unknown): DisclosureRecord => parseOrThrow(DisclosureRecordSchema, v, "disclosure record", RegistryError);
export const parseTenant = (v: unknown): string => parseOrThrow(TenantIdSchema, v, "tenant id", RegistryError);

const QuerySchema = z.object({
  subjectPseudonym: z.string().min(1).max(128).optional(),
  recipientId: z.string().min(1).max(128).optional(),
  from: z.date().optional(),
  to: z.date().optional(),
  limit: z.number().int().positive().max(100_000).optional(),
});
export const parseQuery = (q: DisclosureQuery | undefined): DisclosureQuery => parseOrThrow(QuerySchema, q ?? {}, "disclosure query", RegistryError);

export function closedError(name: string): RegistryError {
  return new RegistryError(ERROR_CODES.STORE_CLOSED, `The ${name} registry store was closed; create a new one.`);
}

export function versionConflict(r: PartyRecord, latest: number): RegistryError {
  return new RegistryError(
    ERROR_CODES.CONFLICT,
    `Party ${r.id} is at version ${latest}; version ${r.version} cannot be appended (expected ${latest + 1}). Reload the party and retry.`,
  );
}

export function revisionConflict(n: ChangeNotice, stored: number): RegistryError {
  return new RegistryError(
    ERROR_CODES.CONFLICT,
    `Change notice ${n.id} is at revision ${stored}; revision ${n.revision} cannot be written (expected ${stored + 1}). Reload it and retry.`,
  );
}

export function disclosureConflict(id: string): RegistryError {
  return new RegistryError(ERROR_CODES.CONFLICT, `Disclosure ${id} already exists; disclosures are append-only.`);
}

export function storeFailed(name: string, op: string, cause: unknown): RegistryError {
  return new RegistryError(ERROR_CODES.STORE_FAILED, `The ${name} registry store failed to ${op}.`, { cause });
}

/** JSON for storage: Dates as ISO strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

export function byVersionOrder(a: PartyRecord, b: PartyRecord): number {
  return a.recordedAt.getTime() - b.recordedAt.getTime() || cmp(a.id, b.id) || a.version - b.version;
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
