import { z } from "zod";
import { AppError } from "../../content/errors.js";
import type { HttpClient } from "../../content/ports/adapter.js";
import { errorFromResponse, parseAnswer, send } from "../http.js";

/** Graph's error answer: `{"error":{"message","type","code","error_subcode","fbtrace_id","is_transient"}}`. */
const GraphError = z.object({
  error: z.object({
    message: z.string(),
    type: z.string().optional(),
    code: z.number(),
    error_subcode: z.number().optional(),
    is_transient: z.boolean().optional(),
    fbtrace_id: z.string().optional(),
  }),
});

/** Throttling: 4 app, 17 user, 32 Page, 613 per-API; 80001 the Pages business-use-case limit. */
const RATE_LIMIT_CODES = new Set([4, 17, 32, 613, 80001]);
/** Expired or invalidated tokens (190), and the older "session key invalid" (102). */
const AUTH_CODES = new Set([102, 190]);
/** "Service temporarily unavailable". Code 1 ("unknown error") is also used for refusals, so it goes by `is_transient` and status. */
const TRANSIENT_CODES = new Set([2]);
/** When throttled without an estimate, wait this long (Graph's windows are a rolling hour). */
const DEFAULT_THROTTLE_MS = 60_000;

/**
 * How long Graph asks us to wait: the largest `estimated_time_to_regain_access` (minutes) in the
 * `X-Business-Use-Case-Usage` header that Page tokens get, else a minute.
 */
export function throttleWaitMs(headers: Headers): number {
  let minutes = 0;
  try {
    const usage = JSON.parse(headers.get("x-business-use-case-usage") ?? "{}") as Record<
      string,
      { estimated_time_to_regain_access?: number }[]
    >;
    for (const entries of Object.values(usage)) {
      for (const e of entries) minutes = Math.max(minutes, Number(e.estimated_time_to_regain_access) || 0);
    }
  } catch {
    // no usable estimate
  }
  return minutes > 0 ? minutes * 60_000 : DEFAULT_THROTTLE_MS;
}

/**
 * Maps Graph's error answer to Loa's codes: by Graph's error code first (throttling and expired tokens
 * come as HTTP 400 or 403), then by HTTP status.
 */
export async function graphError(res: Response): Promise<AppError> {
  const text = await res.clone().text();
  let parsed: z.infer<typeof GraphError> | undefined;
  try {
    parsed = GraphError.safeParse(JSON.parse(text)).data;
  } catch {
    parsed = undefined;
  }
  if (!parsed) return errorFromResponse(res, "Facebook");
  const e = parsed.error;
  const message = `Facebook answered ${res.status} (#${e.code}${e.error_subcode ? `/${e.error_subcode}` : ""}): ${e.message.slice(0, 500)}${e.fbtrace_id ? ` [fbtrace_id ${e.fbtrace_id}]` : ""}`;
  if (AUTH_CODES.has(e.code)) {
    return new AppError("auth_expired", `${message} — the Page must be reconnected (Facebook no longer accepts its access token)`);
  }
  if (RATE_LIMIT_CODES.has(e.code)) return new AppError("rate_limited", message, { retryAfterMs: throttleWaitMs(res.headers) });
  if (TRANSIENT_CODES.has(e.code) || e.is_transient || res.status >= 500) return new AppError("channel_unavailable", message);
  if (res.status === 429) return new AppError("rate_limited", message, { retryAfterMs: throttleWaitMs(res.headers) });
  return new AppError("channel_rejected", message);
}

/** A Graph client for one Page: the version pinned in settings, the token sent as a Bearer header (never in URLs, which get logged). */
export interface Graph {
  /** `GET` with query parameters, answering the parsed JSON. */
  get<T>(base: string, path: string, query: Record<string, string>, schema: z.ZodType<T>, signal: AbortSignal): Promise<T>;
  /** `POST` of a form (urlencoded or multipart when it carries files), answering the parsed JSON. */
  post<T>(base: string, path: string, form: FormData | URLSearchParams, schema: z.ZodType<T>, signal: AbortSignal): Promise<T>;
}

export function graphClient(http: HttpClient, version: string, token: string | undefined): Graph {
  const url = (base: string, path: string, query: Record<string, string> = {}) => {
    const u = new URL(`${base.replace(/\/+$/, "")}/${version}/${path}`);
    for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
    return u.toString();
  };
  const headers = () => {
    if (!token)
      throw new AppError("auth_expired", "the Facebook Page is not connected yet: connect it (or paste a Page access token) first");
    return { authorization: `Bearer ${token}`, "user-agent": "Loa/0.1" };
  };
  return {
    async get(base, path, query, schema, signal) {
      const res = await send(http, url(base, path, query), { method: "GET", headers: headers(), signal });
      if (!res.ok) throw await graphError(res);
      return parseAnswer(res, schema, "Facebook");
    },
    async post(base, path, form, schema, signal) {
      const res = await send(http, url(base, path), { method: "POST", headers: headers(), body: form, signal });
      if (!res.ok) throw await graphError(res);
      return parseAnswer(res, schema, "Facebook");
    },
  };
}
