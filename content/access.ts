import { type SelectQueryBuilder, sql } from "kysely";
import { AppError, assertNever, notFound } from "./errors.js";
import type { Actor } from "./model.js";

/**
 * Who may see and change an agency's channels, items and deliveries. Officers are confined to their
 * own agency (others' resources are "not found", so their existence does not leak), and so are approvers
 * (who read their agency's resources and write nothing but their decisions); auditors read all.
 */
export function readScope(actor: Actor): { agencyId: string } | "all" {
  switch (actor.role) {
    case "admin":
    case "auditor":
    case "system":
      return "all";
    case "officer":
    case "approver":
      if (!actor.agencyId) throw new AppError("forbidden", `this ${actor.role} belongs to no agency`);
      return { agencyId: actor.agencyId };
    case "broadcaster":
      throw new AppError("forbidden", "broadcasters read their station's scripts only");
    default:
      return assertNever(actor);
  }
}

/**
 * The row, when the actor may read its agency's resources; otherwise "not found" (`what`, naming
 * `field` when given), so that another agency's row and a missing one answer the same.
 */
export function visible<T extends { agency_id: string }>(actor: Actor, row: T | undefined, what: string, field?: string): T {
  const scope = readScope(actor);
  if (!row || (scope !== "all" && row.agency_id !== scope.agencyId)) throw notFound(what, field);
  return row;
}

/** Narrows a list query to the rows the actor may read (their agency in `column`). */
export function visibleOnly<DB, TB extends keyof DB, O>(
  actor: Actor,
  query: SelectQueryBuilder<DB, TB, O>,
  column = "agency_id",
): SelectQueryBuilder<DB, TB, O> {
  const scope = readScope(actor);
  return scope === "all" ? query : query.where(sql<boolean>`${sql.ref(column)} = ${scope.agencyId}`);
}

/** Throws unless the actor may write for this agency (`field` names the request field carrying it). */
export function assertCanWrite(actor: Actor, agencyId: string, field = "agencyId"): void {
  if (actor.role === "admin" || actor.role === "system") return;
  if (actor.role === "officer" && actor.agencyId === agencyId) return;
  if (actor.role === "officer") {
    throw new AppError("forbidden", "officers act only for their own agency", { field });
  }
  throw new AppError("forbidden", `the ${actor.role} role cannot change this`);
}

export function assertAdmin(actor: Actor): void {
  if (actor.role !== "admin" && actor.role !== "system") {
    throw new AppError("forbidden", "only an admin can do this");
  }
}

/** Which agency an actor may see: officers their own (another one is "not found"), auditors and admins any. */
export function visibleAgency(actor: Actor, agencyId: string | undefined): string | undefined {
  const scope = readScope(actor);
  if (scope === "all") return agencyId;
  if (agencyId !== undefined && agencyId !== scope.agencyId) throw notFound("agency", "agencyId");
  return scope.agencyId;
}
