import { z } from "zod";
import { ItemFilter, NewItem } from "../../content/items/items.js";
import { ScheduleRequest } from "../../content/publishing/deliveries.js";
import type { Services } from "../../content/services.js";
import { type Route, route } from "../route.js";

const PreviewQuery = z.strictObject({ channelId: z.string().min(1).optional() });

export function itemRoutes(s: Services): Route[] {
  return [
    route({
      method: "get",
      path: "/items",
      summary: "List items",
      query: ItemFilter,
      handle: async ({ user, query }) => ({ data: await s.items.list(user, query) }),
    }),
    route({
      method: "post",
      path: "/items",
      summary: "Create an item (a draft)",
      body: NewItem,
      status: 201,
      handle: ({ user, body }) => s.items.create(user, body),
    }),
    route({
      method: "get",
      path: "/items/:id",
      summary: "One item",
      handle: ({ user, params }) => s.items.get(user, params.id ?? ""),
    }),
    route({
      method: "get",
      path: "/items/:id/preview",
      summary: "What each channel will show for the item, and the problems its adapter finds",
      query: PreviewQuery,
      handle: async ({ user, params, query }) => ({ data: await s.preview.preview(user, params.id ?? "", new Date(), query.channelId) }),
    }),
    route({
      method: "post",
      path: "/items/:id/schedule",
      summary: "Schedule the item on channels: one delivery per channel and time",
      body: ScheduleRequest,
      status: 201,
      handle: async ({ user, params, body }) => ({ data: await s.deliveries.schedule(user, params.id ?? "", body) }),
    }),
  ];
}
