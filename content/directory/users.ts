import crypto from "node:crypto";
import { z } from "zod";
import { assertAdmin } from "../access.js";
import { audit } from "../audit.js";
import { BROADCAST_KINDS } from "../broadcast/stations.js";
import { AppError, notFound } from "../errors.js";
import { type Actor, Role, type User } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { Db } from "../store/db.js";
import { toUser } from "../store/rows.js";
import { hashPassword, Login, Password, type SessionService } from "./sessions.js";
import type { TokenService } from "./tokens.js";

export const NewUser = z.strictObject({
  name: z.string().trim().min(1).max(200),
  role: Role,
  agencyId: z.string().min(1).optional(),
  email: z.email().max(320).optional(),
  /** A broadcaster's stations and boards (channels of their agency): all they may read. */
  stationIds: z.array(z.string().min(1)).min(1).max(100).optional(),
  /** The web app's sign-in: a user name and a password, given together (issue 13). */
  login: Login.optional(),
  password: Password.optional(),
});
export type NewUser = z.infer<typeof NewUser>;

/** What an admin changes on a user: deactivating stops every token of theirs at once; reactivating restores them. */
export const UserChange = z.strictObject({ active: z.boolean() });
export type UserChange = z.infer<typeof UserChange>;

/** A broadcaster is linked to stations or boards of their own agency; no other role is. */
async function checkStations(db: Db, input: NewUser): Promise<string[]> {
  const ids = [...new Set(input.stationIds ?? [])];
  if (input.role !== "broadcaster") {
    if (ids.length) throw new AppError("unprocessable", "only broadcasters are linked to stations", { field: "stationIds" });
    return [];
  }
  if (!ids.length) throw new AppError("unprocessable", "a broadcaster needs the stations they broadcast on", { field: "stationIds" });
  const found = new Map(
    (await db.selectFrom("channels").select(["id", "agency_id", "kind"]).where("id", "in", ids).execute()).map((c) => [c.id, c]),
  );
  for (const [i, id] of (input.stationIds ?? []).entries()) {
    const c = found.get(id);
    if (!c || c.agency_id !== input.agencyId || !(BROADCAST_KINDS as readonly string[]).includes(c.kind)) {
      throw new AppError("unprocessable", `no loudspeaker, radio/TV or e-board channel ${id} of this agency`, { field: `stationIds.${i}` });
    }
  }
  return ids;
}

export function createUserService(db: Db, clock: Clock, tokens: TokenService, sessions: Pick<SessionService, "loginFree">) {
  return {
    /** Makes sure an admin can sign in (see `TokenService.ensureAdmin`). */
    ensureAdmin: tokens.ensureAdmin,

    /** Creates a user and answers its token, shown this once. */
    async create(actor: Actor, input: NewUser): Promise<{ user: User; token: string }> {
      assertAdmin(actor);
      const needsAgency = input.role === "officer" || input.role === "broadcaster" || input.role === "approver";
      if (needsAgency && !input.agencyId) {
        throw new AppError("unprocessable", `a user with role ${input.role} needs an agencyId`, { field: "agencyId" });
      }
      if (input.agencyId) {
        const agency = await db.selectFrom("agencies").select("kind").where("id", "=", input.agencyId).executeTakeFirst();
        if (!agency) throw new AppError("unprocessable", `unknown agency ${input.agencyId}`, { field: "agencyId" });
        if (input.role === "broadcaster" && agency.kind !== "press" && agency.kind !== "district" && agency.kind !== "commune") {
          throw new AppError("unprocessable", "a broadcaster belongs to a station: a press agency, district or commune", {
            field: "agencyId",
          });
        }
      }
      const stationIds = await checkStations(db, input);
      if ((input.login === undefined) !== (input.password === undefined)) {
        const missing = input.login === undefined ? "login" : "password";
        throw new AppError("unprocessable", "a user name and a password go together", { field: missing });
      }
      if (input.login) await sessions.loginFree(input.login, "");
      const password_hash = input.password ? await hashPassword(input.password) : null;
      const now = clock.now();
      const row = {
        id: crypto.randomUUID(),
        name: input.name.normalize("NFC"),
        role: input.role,
        agency_id: input.agencyId ?? null,
        email: input.email ?? null,
        login: input.login ?? null,
        created_at: now,
      };
      await db.transaction().execute(async (tx) => {
        await tx
          .insertInto("users")
          .values({ ...row, password_hash })
          .execute();
        if (stationIds.length)
          await tx
            .insertInto("user_stations")
            .values(stationIds.map((channel_id) => ({ user_id: row.id, channel_id })))
            .execute();
        await audit(tx, actor, "user.create", "user", row.id, now, {
          role: row.role,
          agencyId: row.agency_id,
          stationIds,
          login: row.login,
        });
      });
      const user = { ...toUser(row), ...(input.role === "broadcaster" ? { stationIds } : {}) };
      return { user, token: (await tokens.issue(actor, row.id)).token };
    },

    async list(actor: Actor): Promise<User[]> {
      assertAdmin(actor);
      return (await db.selectFrom("users").selectAll().orderBy("created_at").execute()).map(toUser);
    },

    /** `PATCH /api/users/:id {"active"}`: an admin deactivates or reactivates a user (never themselves). */
    async update(actor: Actor, id: string, change: UserChange): Promise<User> {
      assertAdmin(actor);
      const row = await db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
      if (!row) throw notFound("user");
      if (change.active === !row.deactivated_at) return toUser(row);
      // Admins cannot lock themselves out; another admin (who is active, being signed in) always remains.
      if (!change.active && id === actor.id) throw new AppError("unprocessable", "you cannot deactivate yourself", { field: "active" });
      const now = clock.now();
      const deactivated_at = change.active ? null : now;
      await db.updateTable("users").set({ deactivated_at }).where("id", "=", id).execute();
      await audit(db, actor, change.active ? "user.reactivate" : "user.deactivate", "user", id, now);
      return toUser({ ...row, deactivated_at });
    },
  };
}
export type UserService = ReturnType<typeof createUserService>;
