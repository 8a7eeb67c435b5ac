import { BulkScheduleRequest, DeliveryFilter, RescheduleRequest } from "../../content/publishing/deliveries.js";
import type { Services } from "../../content/services.js";
import { type Route, route } from "../route.js";

export function deliveryRoutes(s: Services): Route[] {
  return [
    route({
      method: "post",
      path: "/schedule",
      summary: "Schedule many items at once (up to 1,000 items and 10,000 deliveries), all or nothing",
      body: BulkScheduleRequest,
      status: 201,
      handle: async ({ user, body }) => ({ data: await s.deliveries.scheduleMany(user, body) }),
    }),
    route({
      method: "get",
      path: "/deliveries",
      summary: "List deliveries",
      query: DeliveryFilter,
      handle: async ({ user, query }) => ({ data: await s.deliveries.list(user, query) }),
    }),
    route({
      method: "get",
      path: "/deliveries/:id",
      summary: "One delivery: status, attempts, the provider's id and URL or its last error",
      handle: ({ user, params }) => s.deliveries.get(user, params.id ?? ""),
    }),
    route({
      method: "delete",
      path: "/deliveries/:id",
      summary: "Cancel a scheduled delivery",
      handle: ({ user, params }) => s.deliveries.cancel(user, params.id ?? ""),
    }),
    route({
      method: "patch",
      path: "/deliveries/:id",
      summary: "Reschedule a scheduled delivery",
      body: RescheduleRequest,
      handle: ({ user, params, body }) => s.deliveries.reschedule(user, params.id ?? "", body.at),
    }),
    route({
      method: "post",
      path: "/deliveries/:id/retry",
      summary: "Try again a failed, missed or unconfirmed delivery",
      handle: ({ user, params }) => s.deliveries.retry(user, params.id ?? ""),
    }),
  ];
}
