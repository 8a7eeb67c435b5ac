import { AppError } from "../../content/errors.js";
import type { AdapterContext } from "../../content/ports/adapter.js";
import { errorFromResponse, send } from "../http.js";
import { type ZaloSecret, zaloToken } from "./zalo.oauth.js";

/** Zalo answers HTTP 200 with `error` ≠ 0; these codes mean the access token is invalid or expired. */
export const AUTH_ERRORS = new Set([-216, -124, -220]);
/** -32: the app exceeded its request rate; -211: the OA exceeded its quota for the API. */
const RATE_ERRORS = new Map([
  [-32, 60_000],
  [-211, 3_600_000],
]);
/** Refresh this long before the stored expiry rather than fail on a token about to lapse. */
const EXPIRY_MARGIN_MS = 60_000;

export type ZaloAnswer = { error?: number; message?: string; data?: Record<string, unknown> };

/** Maps a non-zero Zalo `error` to Loa's codes; the provider's message is kept for the officer. */
export function zaloError(answer: ZaloAnswer, what: string): AppError {
  const message = `Zalo ${what} failed (${answer.error}): ${answer.message ?? "no message"}`;
  const code = answer.error ?? 0;
  if (AUTH_ERRORS.has(code)) return new AppError("auth_expired", message);
  const wait = RATE_ERRORS.get(code);
  if (wait !== undefined) return new AppError("rate_limited", message, { retryAfterMs: wait });
  return new AppError("channel_rejected", message);
}

/**
 * Calls the OA API with the channel's access token. It refreshes the token first when it has expired,
 * and once more when Zalo says it is invalid, then retries the call once. New credentials are saved
 * at once (refresh tokens are single-use); a failed refresh saves nothing and ends in `auth_expired`.
 */
export function zaloClient(secret: ZaloSecret, ctx: AdapterContext) {
  const { api: apiUrl, oauth: oauthUrl } = ctx.endpoints.zalo;
  let creds = secret;

  async function refresh(signal: AbortSignal): Promise<void> {
    if (!ctx.oauthApp) {
      throw new AppError("auth_expired", "the Zalo access token has expired and no Zalo app is configured to refresh it (ZALO_CLIENT_ID)");
    }
    const form = { refresh_token: creds.refreshToken, grant_type: "refresh_token" };
    const next = await zaloToken(ctx.http, oauthUrl, ctx.oauthApp, form, ctx.now(), signal);
    creds = next.secret;
    await ctx.saveSecret(JSON.stringify(next.secret), next.expiresAt);
  }

  const expired = () => creds.expiresAt !== undefined && Date.parse(creds.expiresAt) - EXPIRY_MARGIN_MS <= ctx.now().getTime();

  async function once(method: "GET" | "POST", path: string, body: unknown, signal: AbortSignal): Promise<ZaloAnswer> {
    const res = await send(ctx.http, `${apiUrl}${path}`, {
      method,
      signal,
      headers: { access_token: creds.accessToken, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw await errorFromResponse(res, "Zalo");
    const answer = (await res.json().catch(() => undefined)) as ZaloAnswer | undefined;
    if (!answer || typeof answer !== "object")
      throw new AppError("channel_unavailable", `Zalo answered ${path} with something that is not JSON`);
    return answer;
  }

  return {
    /** The answer of one API call: `error` 0, or an `error` the caller handles itself (listed in `accept`). */
    async call(method: "GET" | "POST", path: string, body: unknown, signal: AbortSignal, accept: number[] = []): Promise<ZaloAnswer> {
      if (expired()) await refresh(signal);
      let answer = await once(method, path, body, signal);
      if (answer.error && AUTH_ERRORS.has(answer.error) && ctx.oauthApp) {
        await refresh(signal);
        answer = await once(method, path, body, signal);
      }
      if (answer.error && !accept.includes(answer.error)) throw zaloError(answer, path);
      return answer;
    },
  };
}
export type ZaloClient = ReturnType<typeof zaloClient>;
