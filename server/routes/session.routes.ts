import type { CookieOptions, Request, Response } from "express";
import { assertAdmin } from "../../content/access.js";
import { PasswordChange, PasswordReset, SignIn } from "../../content/directory/sessions.js";
import { AppError } from "../../content/errors.js";
import type { Services } from "../../content/services.js";
import { CSRF_COOKIE, SESSION_COOKIE } from "../auth.js";
import { type Route, route } from "../route.js";
import type { AuthThrottle } from "../throttle.js";

const clientIp = (req: Request) => req.ip ?? req.socket.remoteAddress ?? "unknown";

/**
 * The web app's sign-in: `POST /api/session` (open) checks the user name and password, throttled per
 * address and per user name, and sets the session cookie (httpOnly, SameSite=Lax, Secure behind TLS)
 * and the CSRF cookie the app echoes in `X-CSRF-Token`.
 */
export function sessionOpenRoutes(s: Services, publicUrl: string, throttle: AuthThrottle): Route[] {
  const cookieOptions = (req: Request, expires: Date, httpOnly: boolean): CookieOptions => ({
    httpOnly,
    sameSite: "lax",
    secure: publicUrl.startsWith("https:") || req.secure,
    path: "/",
    expires,
  });
  return [
    route({
      method: "post",
      path: "/api/session",
      summary: "Sign in to the web app with a user name and password: sets the session cookie",
      body: SignIn,
      handle: async ({ req, res, body }) => {
        const keys = { ip: clientIp(req), userName: body.login.trim() };
        await throttle.check(keys);
        const session = await s.sessions.signIn(body);
        if (!session) {
          await throttle.fail(keys);
          throw new AppError("unauthorized", "wrong user name or password", { field: "password" });
        }
        await throttle.succeed(keys);
        res.cookie(SESSION_COOKIE, session.token, cookieOptions(req, session.expiresAt, true));
        res.cookie(CSRF_COOKIE, session.csrfToken, cookieOptions(req, session.expiresAt, false));
        return { user: session.user, csrfToken: session.csrfToken, expiresAt: session.expiresAt };
      },
    }),
  ];
}

function clearCookies(res: Response): void {
  res.clearCookie(SESSION_COOKIE, { path: "/" });
  res.clearCookie(CSRF_COOKIE, { path: "/" });
}

/** Signing out, one's own password, and an admin's reset of anyone's. */
export function sessionRoutes(s: Services, throttle: AuthThrottle): Route[] {
  return [
    route({
      method: "delete",
      path: "/session",
      summary: "Sign out: ends this browser's session (with a bearer token there is none: nothing changes)",
      status: 204,
      handle: async ({ res }) => {
        const sessionId = res.locals.sessionId as string | undefined;
        if (sessionId) await s.sessions.signOut(sessionId);
        clearCookies(res);
        return undefined;
      },
    }),
    route({
      method: "post",
      path: "/me/password",
      summary: "Change one's own password, giving the current one: one's other sessions end",
      body: PasswordChange,
      status: 204,
      handle: async ({ req, res, user, body }) => {
        // Guessing the current password with a stolen session is throttled like a sign-in.
        const keys = { ip: clientIp(req), userName: user.login ?? user.id };
        await throttle.check(keys);
        try {
          await s.sessions.change(user, body, res.locals.sessionId as string | undefined);
        } catch (err) {
          if (err instanceof AppError && err.field === "currentPassword") await throttle.fail(keys);
          throw err;
        }
        return undefined;
      },
    }),
    route({
      method: "put",
      path: "/users/:id/password",
      summary: "Set or reset a user's password, and their user name if they have none (admins): their sessions end",
      body: PasswordReset,
      guard: assertAdmin,
      handle: ({ user, params, body }) => s.sessions.reset(user, params.id ?? "", body),
    }),
  ];
}
