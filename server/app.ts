import express, { type RequestHandler } from "express";
import helmet, { strictTransportSecurity } from "helmet";
import type { Redis } from "ioredis";
import { sql } from "kysely";
import type { Logger } from "pino";
import type { User } from "../content/model.js";
import type { Services } from "../content/services.js";
import { type Authenticator, createAuthenticator } from "./auth.js";
import { mountDocs } from "./docs.js";
import { errorHandler } from "./errors.js";
import { mount, type Route, route } from "./route.js";
import { broadcastRoutes } from "./routes/broadcast.routes.js";
import { calendarRoutes, icalRoutes } from "./routes/calendar.routes.js";
import { channelRoutes } from "./routes/channels.routes.js";
import { complianceRoutes } from "./routes/compliance.routes.js";
import { deliveryRoutes } from "./routes/deliveries.routes.js";
import { feedRoutes } from "./routes/feeds.routes.js";
import { itemRoutes } from "./routes/items.routes.js";
import { mediaRoutes } from "./routes/media.routes.js";
import { notifyRoutes } from "./routes/notify.routes.js";
import { programmeRoutes } from "./routes/programmes.routes.js";
import { publicationRoutes } from "./routes/publications.routes.js";
import { sessionOpenRoutes, sessionRoutes } from "./routes/session.routes.js";
import { textRoutes } from "./routes/text.routes.js";
import { tokenRoutes } from "./routes/tokens.routes.js";
import { userRoutes } from "./routes/users.routes.js";
import { workflowRoutes } from "./routes/workflow.routes.js";
import type { AuthThrottle } from "./throttle.js";
import { webApp } from "./web.js";

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The API answers data, never pages: nothing may load, and nothing may frame it. */
const API_CSP = { defaultSrc: ["'none'"], frameAncestors: ["'none'"] };
/** The hub's own HTML pages (the OAuth callback today): their own resources only, no plugins, no framing. */
export const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * Security headers on every answer (helmet): `nosniff`, the API's CSP, no framing, no referrer; HSTS
 * only when the hub is reached over TLS — `PUBLIC_URL` is https, or the request came over TLS as
 * Express judges it (directly, or `X-Forwarded-Proto: https` from a proxy trusted by `TRUST_PROXY`).
 */
function securityHeaders(publicUrl: string): RequestHandler[] {
  const behindTls = publicUrl.startsWith("https:");
  const hsts = strictTransportSecurity({ maxAge: 365 * 86_400, includeSubDomains: true });
  return [
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: API_CSP },
      strictTransportSecurity: false,
      xFrameOptions: { action: "deny" },
      referrerPolicy: { policy: "no-referrer" },
    }),
    (req, res, next) => (behindTls || req.secure ? hsts(req, res, next) : next()),
  ];
}

/** What the HTTP face needs besides the use cases. */
export interface AppOptions {
  publicUrl: string;
  /** Failed authentication is throttled per client address (and per user name at sign-in). */
  throttle: AuthThrottle;
  /** Express's `trust proxy`: which proxies' `X-Forwarded-For`/`-Proto` are believed. */
  trustProxy: number | string | false;
}

/** Every route of the hub: `api` under `/api` for signed-in users, `open` for anyone (feeds, the OAuth callback). */
export interface RouteTable {
  api: Route[];
  open: Route[];
}

/** For a table that is only listed (tests of the matrix): its sign-in routes must not be called. */
const UNWIRED_THROTTLE: AuthThrottle = {
  check: () => Promise.reject(new Error("routeTable was built without the throttle")),
  fail: () => Promise.reject(new Error("routeTable was built without the throttle")),
  succeed: () => Promise.reject(new Error("routeTable was built without the throttle")),
};

export function routeTable(services: Services, publicUrl: string, throttle: AuthThrottle = UNWIRED_THROTTLE): RouteTable {
  const s = services;
  return {
    api: [
      ...userRoutes(s),
      ...sessionRoutes(s, throttle),
      ...tokenRoutes(s),
      ...channelRoutes(s),
      ...itemRoutes(s),
      ...mediaRoutes(s),
      ...deliveryRoutes(s),
      ...complianceRoutes(s),
      ...publicationRoutes(s),
      ...broadcastRoutes(s, publicUrl),
      ...programmeRoutes(s),
      ...textRoutes(s),
      ...calendarRoutes(s),
      ...workflowRoutes(s),
      ...notifyRoutes(s),
    ],
    open: [
      ...feedRoutes(s, publicUrl),
      ...sessionOpenRoutes(s, publicUrl, throttle),
      ...icalRoutes(s),
      // The provider sends the officer's browser here: the single-use state, not a token, authenticates it;
      // when the request does say who it is, it must be the user who started the flow.
      route({
        method: "get",
        path: "/api/oauth/callback",
        summary: "Where the provider sends the browser back after consent (OAuth)",
        handle: async ({ req, res }) => {
          const q = req.query as Record<string, string | undefined>;
          const signedIn = res.locals.user as User | undefined;
          const { channelName } = await s.oauth.callback({ code: q.code, state: q.state, error: q.error_description ?? q.error }, signedIn);
          res
            .type("html")
            .setHeader("content-security-policy", PAGE_CSP)
            .send(
              `<!doctype html><html lang="vi"><meta charset="utf-8"><title>Đã kết nối</title><p>Đã kết nối kênh <b>${escapeHtml(channelName)}</b>. Bạn có thể đóng trang này.</p></html>`,
            );
        },
      }),
    ],
  };
}

/** Builds the HTTP face from the use cases; it holds no state of its own. */
export function createApp(services: Services, redis: Redis, log: Logger, options: AppOptions): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");
  app.set("trust proxy", options.trustProxy);
  app.use(securityHeaders(options.publicUrl));

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

  const auth: Authenticator = createAuthenticator(services.tokens, options.throttle, services.sessions);
  const table = routeTable(services, options.publicUrl, options.throttle);
  mountDocs(app, table, options.publicUrl);
  // API answers (tokens among them) are for the one who asked: no cache, shared or private, keeps them.
  app.use("/api", (_req, res, next) => {
    res.setHeader("cache-control", "no-store");
    next();
  });
  app.use("/api/oauth/callback", auth.optional);
  // Podcast importers (LibreTime) and e-boards cannot send a header: on their GET routes the token may be a query parameter (RFC 6750 §2.3).
  app.use(["/api/broadcast/stations", "/api/boards"], (req, _res, next) => {
    const token = new URL(req.originalUrl, "http://x").searchParams.get("access_token");
    if (req.method === "GET" && token && !req.headers.authorization) req.headers.authorization = `Bearer ${token}`;
    next();
  });
  // The sign-in's body (JSON only: a page of another site cannot send it without the browser asking first).
  app.use("/api/session", express.json({ limit: "16kb" }));
  app.use(mount(table.open));
  // The token is checked before a byte of the body is read (JSON here, uploads and raw evidence in their routes).
  app.use("/api", auth.required, express.json({ limit: "1mb" }), mount(table.api));
  // The web app at `/` and every page path under it (not `/api`, `/feeds`, `/healthz`, `/readyz`).
  app.use(webApp());
  app.use((req, res) => {
    res.status(404).json({ code: "not_found", message: `no route ${req.method} ${req.baseUrl}${req.path}` });
  });
  app.use(errorHandler(log));
  return app;
}
