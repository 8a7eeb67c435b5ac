import crypto from "node:crypto";
import type { Request, RequestHandler, Response } from "express";
import type { SessionService } from "../content/directory/sessions.js";
import type { TokenService } from "../content/directory/tokens.js";
import { AppError } from "../content/errors.js";
import type { User } from "../content/model.js";
import type { AuthThrottle } from "./throttle.js";

/** Authenticates requests by bearer token (failed attempts throttled per client address) or the web app's session cookie. */
export interface Authenticator {
  /** Requires `Authorization: Bearer <token>`; the user is then `res.locals.user` (and the token's id `res.locals.tokenId`). */
  required: RequestHandler;
  /**
   * Authenticates the request if it carries credentials (a bad one is still a 401), and lets it through
   * without a user otherwise: for open pages such as the OAuth callback, which must know who is there
   * when someone is. The web app's session cookie is read here too.
   */
  optional: RequestHandler;
}

/** The session cookie (httpOnly) and the CSRF cookie the app reads and sends back as `X-CSRF-Token` on writes. */
export const SESSION_COOKIE = "loa_session";
export const CSRF_COOKIE = "loa_csrf";
export const CSRF_HEADER = "x-csrf-token";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** One cookie's value from the `Cookie` header. */
export function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return value ? value : undefined;
    }
  }
  return undefined;
}

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
};

export function createAuthenticator(
  tokens: Pick<TokenService, "authenticate">,
  throttle: AuthThrottle,
  sessions: Pick<SessionService, "authenticate">,
): Authenticator {
  /**
   * The web app's session cookie, when there is no bearer token. A write must carry the session's CSRF
   * token in `X-CSRF-Token` (a page of another site can make the browser send the cookie, never the header).
   */
  async function fromSession(req: Request, res: Response, cookie: string): Promise<void> {
    const session = await sessions.authenticate(cookie);
    if (!session) throw new AppError("unauthorized", "your session has ended: sign in again");
    if (!SAFE_METHODS.has(req.method) && !sameSecret(req.get(CSRF_HEADER) ?? "", session.csrfToken)) {
      throw new AppError("forbidden", `a change made with the session cookie needs the ${CSRF_HEADER} header (the ${CSRF_COOKIE} cookie)`);
    }
    res.locals.user = session.user satisfies User;
    res.locals.sessionId = session.sessionId;
  }

  async function identify(req: Request, res: Response, header: string): Promise<void> {
    const keys = { ip: req.ip ?? req.socket.remoteAddress ?? "unknown" };
    await throttle.check(keys);
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const result = token ? await tokens.authenticate(token) : { refused: "the Authorization header must be `Bearer <token>`" };
    if ("refused" in result) {
      await throttle.fail(keys);
      throw new AppError("unauthorized", result.refused);
    }
    res.locals.user = result.user satisfies User;
    res.locals.tokenId = result.tokenId;
  }
  return {
    required: async (req, res, next) => {
      const header = req.get("authorization");
      const cookie = header ? undefined : cookieValue(req, SESSION_COOKIE);
      if (cookie) await fromSession(req, res, cookie);
      else if (!header) throw new AppError("unauthorized", "a bearer token is required (Authorization: Bearer …), or sign in");
      else await identify(req, res, header);
      next();
    },
    optional: async (req, res, next) => {
      const header = req.get("authorization");
      const cookie = header ? undefined : cookieValue(req, SESSION_COOKIE);
      if (header) await identify(req, res, header);
      else if (cookie) await fromSession(req, res, cookie);
      next();
    },
  };
}

/** A route guard for uploads: only those who may write anything (admins, officers) get their body read. */
export function writersOnly(user: User): void {
  if (user.role !== "admin" && user.role !== "officer") throw new AppError("forbidden", `the ${user.role} role cannot change this`);
}
