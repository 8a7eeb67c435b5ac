import crypto from "node:crypto";
import { z } from "zod";
import { assertAdmin } from "../access.js";
import { audit } from "../audit.js";
import { AppError } from "../errors.js";
import { type Actor, Role, type User } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { Db } from "../store/db.js";
import { toUser } from "../store/rows.js";

export const NewUser = z.strictObject({
  name: z.string().trim().min(1).max(200),
  role: Role,
  agencyId: z.string().min(1).optional(),
  email: z.email().max(320).optional(),
});
export type NewUser = z.infer<typeof NewUser>;

/** Only the SHA-256 of a token is stored: tokens are 256 random bits, so a fast hash is enough. */
export const hashToken = (token: string) => crypto.createHash("sha256").update(token).digest("hex");
const newToken = () => `loa_${crypto.randomBytes(32).toString("base64url")}`;

export function createUserService(db: Db, clock: Clock) {
  async function issueToken(userId: string): Promise<string> {
    const token = newToken();
    await db
      .insertInto("tokens")
      .values({ id: crypto.randomUUID(), user_id: userId, hash: hashToken(token), created_at: clock.now(), revoked_at: null })
      .execute();
    return token;
  }

  return {
    /** The user behind a bearer token, or undefined. */
    async authenticate(token: string): Promise<User | undefined> {
      const row = await db
        .selectFrom("tokens")
        .innerJoin("users", "users.id", "tokens.user_id")
        .selectAll("users")
        .where("tokens.hash", "=", hashToken(token))
        .where("tokens.revoked_at", "is", null)
        .executeTakeFirst();
      return row ? toUser(row) : undefined;
    },

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
      return { user: toUser(row), token: await issueToken(row.id) };
    },

    async list(actor: Actor): Promise<User[]> {
      assertAdmin(actor);
      return (await db.selectFrom("users").selectAll().orderBy("created_at").execute()).map(toUser);
    },

    /**
     * Makes sure an admin can log in. With `LOA_ADMIN_TOKEN` set, that token is the admin's (its hash is
     * stored, replacing an earlier configured one); otherwise a token is generated at first start only,
     * and answered so that the caller prints it once.
     */
    async ensureAdmin(configured: string | undefined): Promise<string | undefined> {
      const adminId = "admin";
      const exists = await db.selectFrom("users").select("id").where("id", "=", adminId).executeTakeFirst();
      if (!exists) {
        await db
          .insertInto("users")
          .values({ id: adminId, name: "Quản trị hệ thống", role: "admin", agency_id: null, created_at: clock.now() })
          .execute();
      }
      if (configured) {
        const hash = hashToken(configured);
        await db.deleteFrom("tokens").where("user_id", "=", adminId).where("id", "=", "admin-env").execute();
        await db
          .insertInto("tokens")
          .values({ id: "admin-env", user_id: adminId, hash, created_at: clock.now(), revoked_at: null })
          .execute();
        return undefined;
      }
      const hasToken = await db.selectFrom("tokens").select("id").where("user_id", "=", adminId).executeTakeFirst();
      return hasToken ? undefined : issueToken(adminId);
    },
  };
}
export type UserService = ReturnType<typeof createUserService>;
