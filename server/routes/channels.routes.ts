import { z } from "zod";
import { NewChannel } from "../../content/accounts/accounts.js";
import type { Services } from "../../content/services.js";
import { type Route, route } from "../route.js";

const ChannelFilter = z.strictObject({
  agencyId: z.string().optional(),
  /** `true`: only channels whose account must be connected again (refused or expiring token). */
  needsReconnect: z.enum(["true", "false"]).optional(),
});

export function channelRoutes(s: Services): Route[] {
  return [
    route({
      method: "get",
      path: "/channels",
      summary: "List channels (secrets are never returned)",
      query: ChannelFilter,
      handle: async ({ user, query }) => ({ data: await s.channels.list(user, query) }),
    }),
    route({
      method: "post",
      path: "/channels",
      summary: "Register an agency's channel",
      body: NewChannel,
      status: 201,
      handle: ({ user, body }) => s.channels.create(user, body),
    }),
    route({
      method: "get",
      path: "/channels/:id/connect",
      summary: "The provider's consent URL to connect the account (OAuth)",
      handle: ({ user, params }) => s.oauth.connect(user, params.id ?? ""),
    }),
    route({
      method: "get",
      path: "/channels/:id",
      summary: "One channel",
      handle: ({ user, params }) => s.channels.get(user, params.id ?? ""),
    }),
  ];
}
