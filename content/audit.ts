import crypto from "node:crypto";
import type { Actor } from "./model.js";
import type { Db } from "./store/db.js";

/** Appends one line to the audit log: who did what to which entity, and when. */
export async function audit(
  db: Db,
  actor: Actor,
  action: string,
  entity: string,
  entityId: string,
  at: Date,
  details: Record<string, unknown> = {},
  /** The agency concerned, when known: the audit log finds the line by it even after the entity is gone. */
  agencyId?: string | null,
): Promise<void> {
  await auditMany(db, actor, action, entity, at, [{ entityId, details, agencyId }]);
}

/** Appends one line per entity in a few multi-row statements (a bulk schedule audits each item). */
export async function auditMany(
  db: Db,
  actor: Actor,
  action: string,
  entity: string,
  at: Date,
  lines: { entityId: string; details?: Record<string, unknown>; agencyId?: string | null | undefined }[],
): Promise<void> {
  const rows = lines.map((l) => ({
    id: crypto.randomUUID(),
    occurred_at: at,
    actor_id: actor.id,
    action,
    entity,
    entity_id: l.entityId,
    details: JSON.stringify(l.details ?? {}),
    ...(l.agencyId ? { agency_id: l.agencyId } : {}),
  }));
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto("audit_log")
      .values(rows.slice(i, i + 500))
      .execute();
}
