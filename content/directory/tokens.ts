import crypto from "node:crypto";
import { z } from "zod";
import { audit } from "../audit.js";
import { Duration } from "../config.js";
import { AppError, notFound } from "../errors.js";
import { type Actor, SYSTEM, type User } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { Db } from "../store/db.js";
import { toUser } from "../store/rows.js";
import type { TokenRow } from "../store/schema.js";
import { toLocalIso } from "../time.js";

/** The configured admin token's row: it follows `LOA_ADMIN_TOKEN`, so it neither expires nor can be revoked by the API. */
export const ENV_TOKEN_ID = "admin-env";
/** However long the default lifetime, a token asked for explicitly may live at least this long. */
const MAX_EXPLICIT_TTL_MS = 365 * 86_400_000;
const MIN_TTL_MS = 60_000;

/** Only the SHA-256 of a token is stored: tokens are 256 random bits, so a fast hash is enough. */
export const hashToken = (token: string) => crypto.createHash("sha256").update(token).digest("hex");
const newToken = () => `loa_${crypto.randomBytes(32).toString("base64url")}`;

export const NewToken = z.strictObject({
  name: z
    .string()
    .transform((s) => s.normalize("NFC").trim())
    .pipe(z.string().min(1, "must not be empty").max(100))
    .optional(),
  /** How long the token lives (`30d`, `12h`); the default is `API_TOKEN_TTL`. */
  expiresIn: Duration.optional(),
});
export type NewToken = z.infer<typeof NewToken>;

export const TokenFilter = z.strictObject({ userId: z.string().min(1).optional() });
export type TokenFilter = z.infer<typeof TokenFilter>;

/** A token as its owner and admins see it: never the token itself, which is shown once at creation. */
export interface TokenView {
  id: string;
  userId: string;
  name: string | null;
  createdAt: Date;
  /** Null for the configured admin token only. */
  expiresAt: Date | null;
  revokedAt: Date | null;
  /** Neither revoked nor expired (its user may still be deactivated). */
  valid: boolean;
  /** The token this request was made with. */
  current: boolean;
}

/** Who a bearer token is, or why it is refused. */
export type Authentication = { user: User; tokenId: string } | { refused: string };

/**
 * Bearer tokens: issued with an expiry (`API_TOKEN_TTL` unless asked otherwise), listed without their
 * value, revoked one by one; a deactivated user's tokens all stop at once. Every change is audited.
 */
export function createTokenService(db: Db, clock: Clock, tokenTtlMs: number) {
  const view = (r: TokenRow, currentId?: string): TokenView => {
    const now = clock.now().getTime();
    return {
      id: r.id,
      userId: r.user_id,
      name: r.name,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      revokedAt: r.revoked_at,
      valid: !r.revoked_at && (!r.expires_at || r.expires_at.getTime() > now),
      current: r.id === currentId,
    };
  };

  /** Stores a new token's hash and answers the token, to be shown once. */
  async function issue(actor: Actor, userId: string, opts: { name?: string | undefined; ttlMs?: number | undefined } = {}) {
    const token = newToken();
    const now = clock.now();
    const row = {
      id: crypto.randomUUID(),
      user_id: userId,
      hash: hashToken(token),
      name: opts.name ?? null,
      created_at: now,
      expires_at: new Date(now.getTime() + (opts.ttlMs ?? tokenTtlMs)),
      revoked_at: null,
    };
    await db.insertInto("tokens").values(row).execute();
    await audit(db, actor, "token.create", "token", row.id, now, { userId, name: row.name, expiresAt: row.expires_at.toISOString() });
    return { token, view: view(row) };
  }

  return {
    issue,

    /** The user behind a bearer token, or why it is refused (unknown, revoked, expired, user deactivated). */
    async authenticate(token: string): Promise<Authentication> {
      const row = await db
        .selectFrom("tokens")
        .innerJoin("users", "users.id", "tokens.user_id")
        .selectAll("users")
        .select(["tokens.id as token_id", "tokens.revoked_at", "tokens.expires_at"])
        .where("tokens.hash", "=", hashToken(token))
        .executeTakeFirst();
      if (!row || row.revoked_at) return { refused: "unknown or revoked token" };
      if (row.expires_at && row.expires_at.getTime() <= clock.now().getTime()) {
        return { refused: `this token expired at ${toLocalIso(row.expires_at)}; sign in with another one or ask an admin for a new one` };
      }
      if (row.deactivated_at) return { refused: "this user is deactivated" };
      return { user: toUser(row), tokenId: row.token_id };
    },

    /** `GET /api/tokens`: one's own tokens; an admin sees everyone's, or one user's with `userId`. */
    async list(actor: User, filter: TokenFilter, currentId?: string): Promise<TokenView[]> {
      if (actor.role !== "admin" && filter.userId !== undefined && filter.userId !== actor.id) {
        throw new AppError("forbidden", "only an admin lists other users' tokens", { field: "userId" });
      }
      const userId = actor.role === "admin" ? filter.userId : actor.id;
      let q = db.selectFrom("tokens").selectAll();
      if (userId !== undefined) q = q.where("user_id", "=", userId);
      const rows = await q.orderBy("created_at").orderBy("id").execute();
      return rows.map((r) => view(r, currentId));
    },

    /** `POST /api/tokens`: a new token for oneself (a script, another device), shown once. */
    async mint(actor: User, input: NewToken, currentId?: string): Promise<TokenView & { token: string }> {
      const maxMs = Math.max(MAX_EXPLICIT_TTL_MS, tokenTtlMs);
      if (input.expiresIn !== undefined && (input.expiresIn < MIN_TTL_MS || input.expiresIn > maxMs)) {
        throw new AppError("unprocessable", `expiresIn: between 1m and ${Math.round(maxMs / 86_400_000)}d`, { field: "expiresIn" });
      }
      const { token, view: v } = await issue(actor, actor.id, { name: input.name, ttlMs: input.expiresIn });
      return { ...v, current: v.id === currentId, token };
    },

    /** `DELETE /api/tokens/:id`: revokes one's own token (an admin, anyone's); it stops working at once. */
    async revoke(actor: User, id: string, currentId?: string): Promise<TokenView> {
      const row = await db.selectFrom("tokens").selectAll().where("id", "=", id).executeTakeFirst();
      if (!row || (actor.role !== "admin" && row.user_id !== actor.id)) throw notFound("token");
      if (row.id === ENV_TOKEN_ID) {
        throw new AppError("conflict", "the configured admin token follows LOA_ADMIN_TOKEN: change or unset it and restart", {
          field: "id",
        });
      }
      if (row.revoked_at) throw new AppError("conflict", `the token was revoked at ${toLocalIso(row.revoked_at)}`, { field: "id" });
      const now = clock.now();
      await db.updateTable("tokens").set({ revoked_at: now }).where("id", "=", id).where("revoked_at", "is", null).execute();
      await audit(db, actor, "token.revoke", "token", id, now, { userId: row.user_id });
      return view({ ...row, revoked_at: now }, currentId);
    },

    /**
     * Makes sure an admin can sign in. With `LOA_ADMIN_TOKEN` set, that token is the admin's (its hash
     * stored, replacing an earlier configured one; it does not expire). Unset, the configured token stops
     * working, and a token is generated when the admin has no valid one left (at first start), answered
     * so that the caller prints it once; it expires like any other.
     */
    async ensureAdmin(configured: string | undefined): Promise<string | undefined> {
      const adminId = "admin";
      const now = clock.now();
      const exists = await db.selectFrom("users").select("id").where("id", "=", adminId).executeTakeFirst();
      if (!exists) {
        await db
          .insertInto("users")
          .values({ id: adminId, name: "Quản trị hệ thống", role: "admin", agency_id: null, created_at: now })
          .execute();
      }
      if (configured) {
        const hash = hashToken(configured);
        const row = {
          id: ENV_TOKEN_ID,
          user_id: adminId,
          hash,
          name: "LOA_ADMIN_TOKEN",
          created_at: now,
          expires_at: null,
          revoked_at: null,
        };
        // Several web processes start at once: the row is written, never inserted twice.
        await db
          .insertInto("tokens")
          .values(row)
          .onConflict((oc) => oc.column("id").doUpdateSet({ hash, created_at: now, expires_at: null, revoked_at: null }))
          .execute();
        return undefined;
      }
      await db.deleteFrom("tokens").where("id", "=", ENV_TOKEN_ID).execute();
      const valid = await db
        .selectFrom("tokens")
        .select("id")
        .where("user_id", "=", adminId)
        .where("revoked_at", "is", null)
        .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", now)]))
        .executeTakeFirst();
      if (valid) return undefined;
      return (await issue(SYSTEM, adminId, { name: "first start" })).token;
    },
  };
}
export type TokenService = ReturnType<typeof createTokenService>;
