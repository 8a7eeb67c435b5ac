import express from "express";
import type { Redis } from "ioredis";
import { sql } from "kysely";
import type { Logger } from "pino";
import type { Services } from "../content/services.js";
import { requireUser } from "./auth.js";
import { errorHandler } from "./errors.js";
import { mount, type Route, route } from "./route.js";
import { channelRoutes } from "./routes/channels.routes.js";
import { complianceRoutes } from "./routes/compliance.routes.js";
import { deliveryRoutes } from "./routes/deliveries.routes.js";
import { feedRoutes } from "./routes/feeds.routes.js";
import { itemRoutes } from "./routes/items.routes.js";
import { mediaRoutes } from "./routes/media.routes.js";
import { publicationRoutes } from "./routes/publications.routes.js";
import { userRoutes } from "./routes/users.routes.js";

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Every route of the hub: `api` under `/api` for signed-in users, `open` for anyone (feeds, the OAuth callback). */
export interface RouteTable {
  api: Route[];
  open: Route[];
}

export function routeTable(services: Services, publicUrl: string): RouteTable {
  const s = services;
  return {
    api: [
      ...userRoutes(s),
      ...channelRoutes(s),
      ...itemRoutes(s),
      ...mediaRoutes(s),
      ...deliveryRoutes(s),
      ...complianceRoutes(s),
      ...publicationRoutes(s),
    ],
    open: [
      ...feedRoutes(s, publicUrl),
      // The provider sends the officer's browser here: the single-use state, not a token, authenticates it.
      route({
        method: "get",
        path: "/api/oauth/callback",
        summary: "Where the provider sends the browser back after consent (OAuth)",
        handle: async ({ req, res }) => {
          const q = req.query as Record<string, string | undefined>;
          const { channelName } = await s.oauth.callback({ code: q.code, state: q.state, error: q.error_description ?? q.error });
          res
            .type("html")
            .send(
              `<!doctype html><html lang="vi"><meta charset="utf-8"><title>Đã kết nối</title><p>Đã kết nối kênh <b>${escapeHtml(channelName)}</b>. Bạn có thể đóng trang này.</p></html>`,
            );
        },
      }),
    ],
  };
}

/** Builds the HTTP face from the use cases; it holds no state of its own. */
export function createApp(services: Services, redis: Redis, log: Logger, publicUrl: string): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", async (_req, res) => {
    const check = async (probe: () => Promise<unknown>) => {
      try {
        await Promise.race([probe(), new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 2_000))]);
        return "ok";
      } catch (err) {
        return `unreachable: ${(err as Error).message}`;
      }
    };
    const [database, redisState] = await Promise.all([check(() => sql`select 1`.execute(services.db)), check(() => redis.ping())]);
    const ready = database === "ok" && redisState === "ok";
    res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "not ready", database, redis: redisState });
  });

  const table = routeTable(services, publicUrl);
  app.use(mount(table.open));
  // The token is checked before a byte of the body is read.
  app.use("/api", requireUser(services.users), express.json({ limit: "1mb" }), mount(table.api));
  app.use("/api", (req, res) => {
    res.status(404).json({ code: "not_found", message: `no route ${req.method} ${req.baseUrl}${req.path}` });
  });
  app.use(errorHandler(log));
  return app;
}
