import type { Response } from "express";
import { NewToken, TokenFilter } from "../../content/directory/tokens.js";
import type { Services } from "../../content/services.js";
import { type Route, route } from "../route.js";

/** The token the request was made with (set by the authenticator). */
const current = (res: Response) => res.locals.tokenId as string | undefined;

/** One's own API tokens (an admin's: everyone's): list, mint (shown once), revoke. */
export function tokenRoutes(s: Services): Route[] {
  return [
    route({
      method: "get",
      path: "/tokens",
      summary: "List one's tokens (admins: everyone's, or one user's with userId); never their value",
      query: TokenFilter,
      handle: async ({ user, query, res }) => ({ data: await s.tokens.list(user, query, current(res)) }),
    }),
    route({
      method: "post",
      path: "/tokens",
      summary: "Mint a new token for oneself, shown once",
      body: NewToken,
      status: 201,
      handle: ({ user, body, res }) => s.tokens.mint(user, body, current(res)),
    }),
    route({
      method: "delete",
      path: "/tokens/:id",
      summary: "Revoke a token (one's own; admins any): it stops working at once",
      handle: ({ user, params, res }) => s.tokens.revoke(user, params.id ?? "", current(res)),
    }),
  ];
}
