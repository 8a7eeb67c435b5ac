import { sql } from "kysely";
import { z } from "zod";
import { readScope } from "../access.js";
import { csvTable } from "../compliance/reports/matrix-files.js";
import { AppError } from "../errors.js";
import type { Actor } from "../model.js";
import type { Db } from "../store/db.js";
import { Instant } from "../time.js";

export const AuditQuery = z.strictObject({
  from: Instant.optional(),
  to: Instant.optional(),
  agencyId: z.string().min(1).optional(),
  /** A user id (`system` for the clock and the workers). */
  actor: z.string().min(1).optional(),
  /** An action (`item.approve`), or a prefix ending in `.` (`item.`). */
  action: z.string().min(1).max(100).optional(),
  format: z.enum(["json", "csv"]).default("json"),
  limit: z.coerce.number().int().min(1).max(1_000).default(200),
  offset: z.coerce.number().int().min(0).default(0),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export interface AuditEntry {
  id: string;
  at: Date;
  actorId: string;
  actorName: string | null;
  action: string;
  entity: string;
  entityId: string;
  agencyId: string | null;
  details: Record<string, unknown>;
}

/**
 * The audit log as admins and auditors read it (every agency) and officers and approvers (their
 * agency's). The agency of a line is the one its writer recorded, else its entity's (an item, a
 * delivery, a channel, a user, a webhook, a media, an agency).
 */
export function createAuditLog(db: Db) {
  const agencyOf = sql<string | null>`coalesce(
    audit_log.agency_id, items.agency_id, deliveries.agency_id, channels.agency_id, users.agency_id, webhooks.agency_id, media.agency_id,
    case when audit_log.entity = 'agency' then audit_log.entity_id end
  )`;

  async function query(actor: Actor, q: AuditQuery): Promise<AuditEntry[]> {
    if (actor.role === "broadcaster") throw new AppError("forbidden", "broadcasters read their station's scripts only");
    const scope = readScope(actor);
    if (q.from && q.to && q.to < q.from) throw new AppError("unprocessable", "to is before from", { field: "to" });
    const base = db
      .selectFrom("audit_log")
      .leftJoin("items", (j) => j.onRef("items.id", "=", "audit_log.entity_id").on("audit_log.entity", "=", "item"))
      .leftJoin("deliveries", (j) => j.onRef("deliveries.id", "=", "audit_log.entity_id").on("audit_log.entity", "=", "delivery"))
      .leftJoin("channels", (j) => j.onRef("channels.id", "=", "audit_log.entity_id").on("audit_log.entity", "=", "channel"))
      .leftJoin("users", (j) => j.onRef("users.id", "=", "audit_log.entity_id").on("audit_log.entity", "=", "user"))
      .leftJoin("webhooks", (j) => j.onRef("webhooks.id", "=", "audit_log.entity_id").on("audit_log.entity", "=", "webhook"))
      .leftJoin("media", (j) => j.onRef("media.id", "=", "audit_log.entity_id").on("audit_log.entity", "=", "media"))
      .leftJoin("users as actors", "actors.id", "audit_log.actor_id")
      .select([
        "audit_log.id",
        "audit_log.occurred_at",
        "audit_log.actor_id",
        "actors.name as actor_name",
        "audit_log.action",
        "audit_log.entity",
        "audit_log.entity_id",
        "audit_log.details",
      ])
      .select(agencyOf.as("agency_id"));
    let rows = base;
    if (q.from) rows = rows.where("audit_log.occurred_at", ">=", q.from);
    if (q.to) rows = rows.where("audit_log.occurred_at", "<", q.to);
    if (q.actor) rows = rows.where("audit_log.actor_id", "=", q.actor);
    if (q.action) {
      const action = q.action;
      rows = action.endsWith(".")
        ? rows.where(sql<boolean>`substr(audit_log.action, 1, ${action.length}) = ${action}`)
        : rows.where("audit_log.action", "=", action);
    }
    const agency = scope === "all" ? q.agencyId : scope.agencyId;
    if (scope !== "all" && q.agencyId && q.agencyId !== scope.agencyId) return [];
    if (agency) rows = rows.where(sql<boolean>`${agencyOf} = ${agency}`);
    const found = await rows.orderBy("audit_log.occurred_at", "desc").orderBy("audit_log.id").limit(q.limit).offset(q.offset).execute();
    return found.map((r) => ({
      id: r.id,
      at: r.occurred_at,
      actorId: r.actor_id,
      actorName: r.actor_name ?? (r.actor_id === "system" ? "system" : null),
      action: r.action,
      entity: r.entity,
      entityId: r.entity_id,
      agencyId: r.agency_id,
      details: JSON.parse(r.details) as Record<string, unknown>,
    }));
  }

  return {
    query,
    /** The same entries as CSV (RFC 4180, UTF-8 with a byte-order mark). */
    csv(entries: AuditEntry[]): string {
      return csvTable([
        ["at", "actorId", "actorName", "action", "entity", "entityId", "agencyId", "details"],
        ...entries.map((e) => [
          e.at.toISOString(),
          e.actorId,
          e.actorName ?? "",
          e.action,
          e.entity,
          e.entityId,
          e.agencyId ?? "",
          JSON.stringify(e.details),
        ]),
      ]);
    },
  };
}
export type AuditLog = ReturnType<typeof createAuditLog>;
