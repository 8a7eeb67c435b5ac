import express, { type Request, type RequestHandler, type Response, Router } from "express";
import type { z } from "zod";
import type { User } from "../content/model.js";
import { assertSane, parse } from "./validate.js";

export type Method = "get" | "post" | "put" | "patch" | "delete";

/** What a handler is given: the parsed body and query, the path's parameters and the signed-in user. */
export interface Call<B, Q> {
  req: Request;
  res: Response;
  user: User;
  body: B;
  query: Q;
  params: Record<string, string>;
}

/**
 * One route of the API, declared once: its method and path, what it is for, the zod schemas of its
 * body and query, and its handler. The table of these drives Express, the OpenAPI document, the
 * authorization matrix test and the fuzz test, so none of them can forget a route.
 */
export interface Route {
  method: Method;
  /** The Express path under `/api` (`/items/:id`). */
  path: string;
  summary: string;
  /** Body and query schemas (strict): a mismatch is a 400 naming the field. */
  body?: z.ZodType;
  query?: z.ZodType;
  /** How the body arrives when it is not JSON (uploads stream `multipart/form-data`; evidence is raw bytes). */
  bodyType?: "json" | "multipart" | "raw";
  /** For `raw` bodies: the most bytes read. */
  rawLimit?: number;
  /** The status of a successful answer: 200 unless said; 204 for handlers that answer nothing. */
  status?: number;
  /** Checked before the body is read (e.g. `assertAdmin`), so a caller who may not do this learns nothing about the body. */
  guard?: (user: User) => void;
  /** The handler: its answer is sent as JSON; `undefined` when it answered itself (a file) or with `status: 204`. */
  handle(call: Call<unknown, unknown>): Promise<unknown>;
}

/** Declares a route with its body and query types inferred from the schemas. */
export function route<B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined>(r: {
  method: Method;
  path: string;
  summary: string;
  body?: B;
  query?: Q;
  bodyType?: Route["bodyType"];
  rawLimit?: number;
  status?: number;
  guard?: (user: User) => void;
  handle(call: Call<B extends z.ZodType ? z.infer<B> : undefined, Q extends z.ZodType ? z.infer<Q> : undefined>): Promise<unknown>;
}): Route {
  return r as Route;
}

/** Builds an Express router from routes; the user was authenticated before (`res.locals.user`). */
export function mount(routes: Route[]): Router {
  const router = Router();
  for (const r of routes) {
    const raw = r.bodyType === "raw" ? [express.raw({ type: () => true, limit: r.rawLimit ?? "1mb" })] : [];
    // The guard and the path and query checks run before a raw body is read.
    const before: RequestHandler = (req, res, next) => {
      r.guard?.(res.locals.user as User);
      assertSane(req.params, "path");
      assertSane(req.query, "query");
      next();
    };
    router[r.method](r.path, before, ...raw, async (req, res) => {
      const call: Call<unknown, unknown> = {
        req,
        res,
        user: res.locals.user as User,
        body: r.body && (r.bodyType ?? "json") === "json" ? parse(r.body, req.body) : undefined,
        query: r.query ? parse(r.query, req.query, "query") : undefined,
        params: req.params as Record<string, string>,
      };
      const answer = await r.handle(call);
      if (answer !== undefined) res.status(r.status ?? 200).json(answer);
      else if (r.status === 204) res.status(204).end();
      // Otherwise the handler answered itself (a file, a download).
    });
  }
  return router;
}
