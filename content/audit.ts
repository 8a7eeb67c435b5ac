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
  await db
    .insertInto("audit_log")
    .values({
      id: crypto.randomUUID(),
      occurred_at: at,
      actor_id: actor.id,
      action,
      entity,
      entity_id: entityId,
      details: JSON.stringify(details),
      ...(agencyId ? { agency_id: agencyId } : {}),
    })
    .execute();
}
