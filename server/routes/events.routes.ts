import { EventItemRequest, NewEvent, ProgressQuery } from "../../content/events/events.js";
import type { Services } from "../../content/services.js";
import { type Route, route } from "../route.js";

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** Communication events (plan tasks 3.1, 3.2): their targets, items, and progress per agency. */
export function eventRoutes(s: Services): Route[] {
  return [
    route({
      method: "get",
      path: "/events",
      summary: "List communication events",
      handle: async ({ user }) => ({ data: await s.events.list(user) }),
    }),
    route({
      method: "post",
      path: "/events",
      summary: "Create a communication event: a window of dates and targets per kind of agency and channel (DOST, admins)",
      body: NewEvent,
      status: 201,
      handle: ({ user, body }) => s.events.create(user, body),
    }),
    route({
      method: "get",
      path: "/events/:id",
      summary: "One communication event",
      handle: ({ user, params }) => s.events.get(user, params.id ?? ""),
    }),
    route({
      method: "post",
      path: "/events/:id/items",
      summary: "Add an item of one's agency to the event: its publications in the window count for the agency",
      body: EventItemRequest,
      status: 201,
      handle: ({ user, params, body }) => s.events.addItem(user, params.id ?? "", body.itemId),
    }),
    route({
      method: "get",
      path: "/events/:id/progress",
      summary: "The event's progress per agency and target (an officer: their agency's), as JSON or XLSX",
      query: ProgressQuery,
      handle: async ({ user, params, query, res }) => {
        if (query.format === "json") return s.events.progress(user, params.id ?? "");
        const file = await s.events.progressXlsx(user, params.id ?? "");
        res.type(XLSX).attachment(file.name).send(file.data);
        return undefined;
      },
    }),
  ];
}
