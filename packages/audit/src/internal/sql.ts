import type { AuditStoreFilter } from "../model.js";

/** Migration component name of the SQLite/PostgreSQL audit store. */
export const AUDIT_COMPONENT = "@lawful/audit";
/** Migration component name of the SQLite/PostgreSQL key store. */
export const KEYS_COMPONENT = "@lawful/audit:keystore";

/**
 * Translate a store filter into a SQL WHERE clause (shared by the SQLite and PostgreSQL stores).
 */
export function filterSql(f: AuditStoreFilter, param: (value: unknown) => string): string {
  const where: string[] = [`sequence > ${param(f.afterSequence)}`];
  if (f.subject !== undefined) where.push(`subject = ${param(f.subject)}`);
  if (f.actorId !== undefined) where.push(`actor_id = ${param(f.actorId)}`);
  if (f.actorType !== undefined) where.push(`actor_type = ${param(f.actorType)}`);
  if (f.actionPrefix !== undefined) {
    const p = f.actionPrefix;
    where.push(`(action = ${param(p)} OR substr(action, 1, ${p.length + 1}) = ${param(`${p}.`)})`);
  }
  if (f.targetSystem !== undefined) where.push(`target_system = ${param(f.targetSystem)}`);
  if (f.targetRecordType !== undefined) where.push(`target_record_type = ${param(f.targetRecordType)}`);
  if (f.targetRecordId !== undefined) where.push(`target_record_id = ${param(f.targetRecordId)}`);
  if (f.from !== undefined) where.push(`occurred_at >= ${param(f.from.getTime())}`);
  if (f.to !== undefined) where.push(`occurred_at < ${param(f.to.getTime())}`);
  return where.join(" AND ");
}

