import crypto from "node:crypto";
import { type Algorithm, hash, verify } from "@node-rs/argon2";
import { z } from "zod";
import { assertAdmin } from "../access.js";
import { audit } from "../audit.js";
import { AppError, notFound } from "../errors.js";
import type { Actor, User } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { Db } from "../store/db.js";
import { toUser } from "../store/rows.js";
import { hashToken } from "./tokens.js";

/** argon2id (the declaration's const enum cannot be read under `verbatimModuleSyntax`). */
const ARGON2ID = 2 as Algorithm.Argon2id;
/**
 * One of OWASP's equivalent argon2id settings (Password Storage Cheat Sheet): 12 MiB, 3 passes, 1 lane.
 * The 19 MiB, 2-pass setting is as strong; the smaller buffer keeps each libuv thread's retained memory
 * lower under a flood of sign-ins.
 */
const ARGON2 = { algorithm: ARGON2ID, memoryCost: 12_288, timeCost: 3, parallelism: 1 };

/** A user name: ASCII letters, digits, dots, dashes and underscores, compared lower-case. */
export const Login = z
  .string()
  .trim()
  .transform((s) => s.normalize("NFC").toLowerCase())
  .pipe(z.string().regex(/^[a-z0-9._-]{3,60}$/, "3 to 60 letters (a–z, no accents), digits, dots, dashes or underscores"));

/** A password: at least 10 characters, NFC (the same password typed on another keyboard is the same password). */
export const Password = z
  .string()
  .transform((s) => s.normalize("NFC"))
  .pipe(z.string().min(10, "at least 10 characters").max(200, "at most 200 characters"));

export const SignIn = z.strictObject({ login: z.string().min(1).max(200), password: z.string().min(1).max(200) });
export type SignIn = z.infer<typeof SignIn>;

/** `PUT /api/users/:id/password`: an admin sets or resets a password (and the user name, if the user has none yet). */
export const PasswordReset = z.strictObject({ password: Password, login: Login.optional() });
export type PasswordReset = z.infer<typeof PasswordReset>;

/** `POST /api/me/password`: the current password, then the new one. */
export const PasswordChange = z.strictObject({ currentPassword: z.string().min(1).max(200), newPassword: Password });
export type PasswordChange = z.infer<typeof PasswordChange>;

/**
 * At most two argon2 computations at a time (this machine has two cores): each takes 12 MiB and tens of
 * milliseconds of a core, so a flood of sign-ins queues here instead of taking all memory and every thread.
 */
const MAX_CONCURRENT = 2;
let running = 0;
const waiting: (() => void)[] = [];
async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

export const hashPassword = (password: string) => limited(() => hash(password.normalize("NFC"), ARGON2));
const verifyPassword = (phc: string, password: string) => limited(() => verify(phc, password.normalize("NFC")));

/** Verified against when the user name is unknown, so that an unknown name costs as long as a wrong password. */
let decoy: Promise<string> | undefined;

/** A signed-in browser: the session's cookie value (shown to the browser only) and its CSRF token. */
export interface NewSession {
  user: User;
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

/** Who a session cookie is: the user, the session's id and the CSRF token writes must carry. */
export interface SessionAuth {
  user: User;
  sessionId: string;
  csrfToken: string;
}

const random = () => crypto.randomBytes(32).toString("base64url");

/**
 * The web app's sign-in: user names and argon2id password hashes, and server-side sessions (stored by
 * the SHA-256 of the cookie's value, with an expiry). Setting or changing a password ends the user's
 * other sessions; deactivating a user ends them at once (checked at every request).
 */
export function createSessionService(db: Db, clock: Clock, ttlMs: number) {
  async function loginFree(login: string, userId: string): Promise<void> {
    const taken = await db.selectFrom("users").select("id").where("login", "=", login).where("id", "!=", userId).executeTakeFirst();
    if (taken) throw new AppError("conflict", `the user name ${login} is taken`, { field: "login" });
  }

  return {
    loginFree,

    /** Checks a user name and password; answers the new session, or undefined when they do not match (the caller counts the failure). */
    async signIn(input: SignIn): Promise<NewSession | undefined> {
      const login = input.login.trim().normalize("NFC").toLowerCase();
      const row = await db.selectFrom("users").selectAll().where("login", "=", login).executeTakeFirst();
      if (!row?.password_hash) {
        decoy ??= hashPassword(random());
        await verifyPassword(await decoy, input.password);
        return undefined;
      }
      if (!(await verifyPassword(row.password_hash, input.password))) return undefined;
      if (row.deactivated_at) return undefined;
      const now = clock.now();
      const token = random();
      const session = {
        id: hashToken(token),
        user_id: row.id,
        csrf_token: random(),
        created_at: now,
        expires_at: new Date(now.getTime() + ttlMs),
      };
      await db.insertInto("sessions").values(session).execute();
      // Expired sessions of anyone go when someone signs in: the table stays the size of the live ones.
      await db.deleteFrom("sessions").where("expires_at", "<=", now).execute();
      return { user: toUser(row), token, csrfToken: session.csrf_token, expiresAt: session.expires_at };
    },

    /** The user behind a session cookie's value, or undefined (unknown, expired, user deactivated). */
    async authenticate(token: string): Promise<SessionAuth | undefined> {
      const row = await db
        .selectFrom("sessions")
        .innerJoin("users", "users.id", "sessions.user_id")
        .selectAll("users")
        .select(["sessions.id as session_id", "sessions.csrf_token", "sessions.expires_at"])
        .where("sessions.id", "=", hashToken(token))
        .executeTakeFirst();
      if (!row || row.expires_at.getTime() <= clock.now().getTime() || row.deactivated_at) return undefined;
      return { user: toUser(row), sessionId: row.session_id, csrfToken: row.csrf_token };
    },

    async signOut(sessionId: string): Promise<void> {
      await db.deleteFrom("sessions").where("id", "=", sessionId).execute();
    },

    /** An admin sets or resets a user's password (and gives them a user name if they have none); their sessions end. */
    async reset(actor: Actor, userId: string, input: PasswordReset): Promise<User> {
      assertAdmin(actor);
      const row = await db.selectFrom("users").selectAll().where("id", "=", userId).executeTakeFirst();
      if (!row) throw notFound("user");
      const login = input.login ?? row.login;
      if (!login) throw new AppError("unprocessable", "this user has no user name yet: give one", { field: "login" });
      await loginFree(login, userId);
      const password_hash = await hashPassword(input.password);
      await db.transaction().execute(async (tx) => {
        await tx.updateTable("users").set({ login, password_hash }).where("id", "=", userId).execute();
        await tx.deleteFrom("sessions").where("user_id", "=", userId).execute();
        await audit(tx, actor, "user.password.reset", "user", userId, clock.now(), { login });
      });
      return toUser({ ...row, login });
    },

    /** A user changes their own password with the current one; their other sessions end. */
    async change(user: User, input: PasswordChange, keepSessionId?: string): Promise<void> {
      const row = await db.selectFrom("users").select(["password_hash"]).where("id", "=", user.id).executeTakeFirst();
      if (!row?.password_hash)
        throw new AppError("unprocessable", "you have no password yet: ask an admin to set one", { field: "currentPassword" });
      if (!(await verifyPassword(row.password_hash, input.currentPassword))) {
        throw new AppError("unprocessable", "the current password is wrong", { field: "currentPassword" });
      }
      const password_hash = await hashPassword(input.newPassword);
      await db.transaction().execute(async (tx) => {
        await tx.updateTable("users").set({ password_hash }).where("id", "=", user.id).execute();
        let q = tx.deleteFrom("sessions").where("user_id", "=", user.id);
        if (keepSessionId) q = q.where("id", "!=", keepSessionId);
        await q.execute();
        await audit(tx, user, "user.password.change", "user", user.id, clock.now());
      });
    },
  };
}
export type SessionService = ReturnType<typeof createSessionService>;
