import { AuditQuery } from "../../content/directory/audit-log.js";
import { AttemptQuery, NewWebhook, WebhookChange } from "../../content/notify/webhooks.js";
import type { Services } from "../../content/services.js";
import { type Route, route } from "../route.js";

/** Outgoing webhooks, marking notifications read, and the audit log. */
export function notifyRoutes(s: Services): Route[] {
  const id = (p: Record<string, string>) => p.id ?? "";
  return [
    route({
      method: "post",
      path: "/notifications/:id/read",
      summary: "Mark a notification read (for the caller)",
      handle: ({ user, params }) => s.notificationReads.markRead(user, id(params)),
    }),
    route({
      method: "get",
      path: "/webhooks",
      summary: "Outgoing webhooks (admins: all; officers: their agency's)",
      handle: async ({ user }) => ({ data: await s.webhooks.list(user) }),
    }),
    route({
      method: "post",
      path: "/webhooks",
      summary: "Subscribe a URL to events; the signing secret is shown once",
      body: NewWebhook,
      status: 201,
      handle: ({ user, body }) => s.webhooks.create(user, body),
    }),
    route({
      method: "get",
      path: "/webhooks/:id",
      summary: "One outgoing webhook",
      handle: ({ user, params }) => s.webhooks.get(user, id(params)),
    }),
    route({
      method: "patch",
      path: "/webhooks/:id",
      summary: "Change, pause or resume a webhook, or rotate its secret",
      body: WebhookChange,
      handle: ({ user, params, body }) => s.webhooks.update(user, id(params), body),
    }),
    route({
      method: "delete",
      path: "/webhooks/:id",
      summary: "Remove a webhook",
      status: 204,
      handle: async ({ user, params }) => {
        await s.webhooks.remove(user, id(params));
      },
    }),
    route({
      method: "get",
      path: "/webhooks/:id/deliveries",
      summary: "A webhook's events and each attempt's answer",
      query: AttemptQuery,
      handle: async ({ user, params, query }) => ({ data: await s.webhooks.deliveries(user, id(params), query) }),
    }),
    route({
      method: "get",
      path: "/audit",
      summary: "The audit log (admins and auditors; officers and approvers: their agency's), JSON or CSV",
      query: AuditQuery,
      handle: async ({ user, query, res }) => {
        const entries = await s.auditLog.query(user, query);
        if (query.format === "csv") {
          res.type("text/csv; charset=utf-8").attachment("nhat-ky.csv").send(s.auditLog.csv(entries));
          return undefined;
        }
        return { data: entries };
      },
    }),
  ];
}
