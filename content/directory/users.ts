import crypto from "node:crypto";
import { z } from "zod";
import { assertAdmin } from "../access.js";
import { audit } from "../audit.js";
import { AppError, notFound } from "../errors.js";
import { type Actor, Role, type User } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { Db } from "../store/db.js";
import { toUser } from "../store/rows.js";
import type { TokenService } from "./tokens.js";

export const NewUser = z.strictObject({
  name: z.string().trim().min(1).max(200),
  role: Role,
  agencyId: z.string().min(1).optional(),
  email: z.email().max(320).optional(),
});
export type NewUser = z.infer<typeof NewUser>;

/** What an admin changes on a user: deactivating stops every token of theirs at once; reactivating restores them. */
export const UserChange = z.strictObject({ active: z.boolean() });
export type UserChange = z.infer<typeof UserChange>;

export function createUserService(db: Db, clock: Clock, tokens: TokenService) {
  return {
    /** Makes sure an admin can sign in (see `TokenService.ensureAdmin`). */
    ensureAdmin: tokens.ensureAdmin,

    /** Creates a user and answers its token, shown this once. */
    async create(actor: Actor, input: NewUser): Promise<{ user: User; token: string }> {
      assertAdmin(actor);
      const needsAgency = input.role === "officer" || input.role === "broadcaster";
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
      const now = clock.now();
      const row = {
        id: crypto.randomUUID(),
        name: input.name.normalize("NFC"),
        role: input.role,
        agency_id: input.agencyId ?? null,
        email: input.email ?? null,
        created_at: now,
      };
      await db.insertInto("users").values(row).execute();
      await audit(db, actor, "user.create", "user", row.id, now, { role: row.role, agencyId: row.agency_id });
      return { user: toUser(row), token: (await tokens.issue(actor, row.id)).token };
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
