import type { Request, RequestHandler, Response } from "express";
import type { TokenService } from "../content/directory/tokens.js";
import { AppError } from "../content/errors.js";
import type { User } from "../content/model.js";
import type { AuthThrottle } from "./throttle.js";

/** Authenticates requests by bearer token, with failed attempts throttled per client address. */
export interface Authenticator {
  /** Requires `Authorization: Bearer <token>`; the user is then `res.locals.user` (and the token's id `res.locals.tokenId`). */
  required: RequestHandler;
  /**
   * Authenticates the request if it carries credentials (a bad one is still a 401), and lets it through
   * without a user otherwise: for open pages such as the OAuth callback, which must know who is there
   * when someone is. (The web app's session cookie, issue 13, is to be read here too.)
   */
  optional: RequestHandler;
}

export function createAuthenticator(tokens: Pick<TokenService, "authenticate">, throttle: AuthThrottle): Authenticator {
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
      if (!header) throw new AppError("unauthorized", "a bearer token is required (Authorization: Bearer …)");
      await identify(req, res, header);
      next();
    },
    optional: async (req, res, next) => {
      const header = req.get("authorization");
      if (header) await identify(req, res, header);
      next();
    },
  };
}

/** A route guard for uploads: only those who may write anything (admins, officers) get their body read. */
export function writersOnly(user: User): void {
  if (user.role !== "admin" && user.role !== "officer") throw new AppError("forbidden", `the ${user.role} role cannot change this`);
}
