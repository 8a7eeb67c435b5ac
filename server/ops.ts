// What operators use, outside the API's route table: request logs with their id, /readyz, /metrics
// (admins) and the Bull Board (admins).
import { randomUUID } from "node:crypto";
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import type { Queue } from "bullmq";
import { type RequestHandler, Router } from "express";
import type { Redis } from "ioredis";
import { sql } from "kysely";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { AppError } from "../content/errors.js";
import type { User } from "../content/model.js";
import type { Db } from "../content/store/db.js";
import { type Authenticator, cookieValue } from "./auth.js";

/** A client's own request id is kept when it looks like one (a proxy's, a caller's); otherwise a new UUID. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Gives each request an id (`X-Request-Id`, answered back), a child logger carrying it
 * (`res.locals.log`), and one line when it ends: method, path (never the query, which may hold a
 * token), status, milliseconds.
 */
export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.get("x-request-id");
    const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader("x-request-id", requestId);
    const child = log.child({ requestId });
    res.locals.log = child;
    res.locals.requestId = requestId;
    const start = process.hrtime.bigint();
    const path = req.originalUrl.split("?")[0];
    res.on("finish", () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const line = { method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10 };
      if (res.statusCode >= 500) child.error(line, "request");
      else child.info(line, "request");
    });
    next();
  };
}

async function within<T>(ms: number, probe: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      probe(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("timeout")), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `/readyz`: 200 when the database answers, Redis answers and every queue can be read (with its
 * counts, so a backlog is visible); 503 naming what is not. Load balancers take a web process out of
 * rotation on 503.
 */
export function readiness(db: Db, redis: Redis, queues: Queue[]): RequestHandler {
  return async (_req, res) => {
    const check = async (probe: () => Promise<unknown>): Promise<string> => {
      try {
        await within(2_000, probe);
        return "ok";
      } catch (err) {
        return `unreachable: ${(err as Error).message}`;
      }
    };
    const queueState = async (q: Queue) => {
      try {
        const [counts, paused] = await within(2_000, () =>
          Promise.all([q.getJobCounts("waiting", "active", "delayed", "failed"), q.isPaused()]),
        );
        return { status: paused ? "paused" : "ok", ...counts };
      } catch (err) {
        return { status: `unreachable: ${(err as Error).message}` };
      }
    };
    const [database, redisState, ...states] = await Promise.all([
      check(() => sql`select 1`.execute(db)),
      check(() => redis.ping()),
      ...queues.map(queueState),
    ]);
    const queuesOut = Object.fromEntries(queues.map((q, i) => [q.name, states[i]]));
    const ready = database === "ok" && redisState === "ok" && states.every((s) => s?.status === "ok");
    res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "not ready", database, redis: redisState, queues: queuesOut });
  };
}

const adminOnly: RequestHandler = (_req, res, next) => {
  const user = res.locals.user as User;
  if (user.role !== "admin") throw new AppError("forbidden", "only an admin may see this");
  next();
};

/** `/metrics` in Prometheus's text format, for an admin's token (a scraper's `authorization` bearer token). */
export function metricsRoute(auth: Authenticator, registry: Registry): Router {
  const router = Router();
  router.get("/metrics", auth.required, adminOnly, async (_req, res) => {
    res.setHeader("cache-control", "no-store");
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}

export const BOARD_PATH = "/admin/queues";
const BOARD_COOKIE = "loa_board";
/** The board's page loads its own scripts and styles (some inline styles, a font sheet it may fetch); nothing else, no framing. */
const BOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline' https://fonts.googleapis.com; font-src 'self' https://fonts.gstatic.com; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/**
 * The Bull Board at `/admin/queues`, for admins only. A browser cannot send a bearer header, so
 * `GET /admin/queues?access_token=<admin token>` checks the token, keeps it in an HttpOnly,
 * SameSite=Strict cookie limited to the board's path (so no other site can make the browser act on
 * the board) and redirects to the board without the token in the address; scripts send the
 * `Authorization` header as usual.
 */
export function bullBoard(auth: Authenticator, queues: Queue[]): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BOARD_PATH);
  createBullBoard({ queues: queues.map((q) => new BullMQAdapter(q)), serverAdapter, options: { uiConfig: { boardTitle: "Loa" } } });
  const router = Router();
  const fromCookie: RequestHandler = (req, _res, next) => {
    const stored = cookieValue(req, BOARD_COOKIE);
    const token = stored && decodeURIComponent(stored);
    if (token && !req.headers.authorization) req.headers.authorization = `Bearer ${token}`;
    next();
  };
  const signIn: RequestHandler = async (req, res, next) => {
    const token = typeof req.query.access_token === "string" ? req.query.access_token : undefined;
    if (req.method !== "GET" || !token) return next();
    req.headers.authorization = `Bearer ${token}`;
    let authenticated = false;
    await auth.required(req, res, () => {
      authenticated = true;
    }); // a refused token throws: a 401
    if (!authenticated) return;
    adminOnly(req, res, () => undefined); // throws 403 for anyone else
    const secure = req.secure ? "; Secure" : "";
    res.setHeader("set-cookie", `${BOARD_COOKIE}=${encodeURIComponent(token)}; Path=${BOARD_PATH}; HttpOnly; SameSite=Strict${secure}`);
    res.redirect(303, BOARD_PATH);
  };
  router.use(
    BOARD_PATH,
    (_req, res, next) => {
      res.setHeader("content-security-policy", BOARD_CSP);
      res.setHeader("cache-control", "no-store");
      next();
    },
    signIn,
    fromCookie,
    auth.required,
    adminOnly,
    serverAdapter.getRouter() as Router,
  );
  return router;
}
