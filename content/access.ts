import { AppError } from "./errors.js";
import type { Actor } from "./model.js";

/**
 * Who may see and change an agency's channels, items and deliveries. Officers are confined to their
 * own agency (others' resources are "not found", so their existence does not leak); auditors read all.
 */
export function readScope(actor: Actor): { agencyId: string } | "all" {
  switch (actor.role) {
    case "admin":
    case "auditor":
    case "system":
      return "all";
    case "officer":
      if (!actor.agencyId) throw new AppError("forbidden", "this officer belongs to no agency");
      return { agencyId: actor.agencyId };
    case "broadcaster":
      throw new AppError("forbidden", "broadcasters read their station's scripts only");
    default:
      return assertNever(actor);
  }
}

export function canRead(actor: Actor, agencyId: string): boolean {
  const scope = readScope(actor);
  return scope === "all" || scope.agencyId === agencyId;
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

export function assertNever(x: never): never {
  throw new Error(`unexpected value ${JSON.stringify(x)}`);
}
