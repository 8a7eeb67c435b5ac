import type { RequestHandler } from "express";
import type { UserService } from "../content/directory/users.js";
import { AppError } from "../content/errors.js";

/** Requires `Authorization: Bearer <token>`; the user is then `res.locals.user`. */
export function requireUser(users: UserService): RequestHandler {
  return async (req, res, next) => {
    const header = req.get("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new AppError("unauthorized", "a bearer token is required (Authorization: Bearer …)");
    const user = await users.authenticate(match[1]);
    if (!user) throw new AppError("unauthorized", "unknown or revoked token");
    res.locals.user = user;
    next();
  };
}
