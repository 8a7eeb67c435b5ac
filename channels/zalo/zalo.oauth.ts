import { z } from "zod";
import { AppError } from "../../content/errors.js";
import type { Credentials, HttpClient, OAuthApp, OAuthProvider } from "../../content/ports/adapter.js";
import { errorFromResponse, parseJsonSecret, send } from "../http.js";

/** What Loa stores (encrypted) for a Zalo OA channel. `expiresAt` is the access token's expiry. */
export const ZaloSecret = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
  expiresAt: z.iso.datetime().optional(),
});
export type ZaloSecret = z.infer<typeof ZaloSecret>;

export const parseZaloSecret = (secret: string | undefined): ZaloSecret =>
  parseJsonSecret(ZaloSecret, secret, 'a Zalo OA secret is JSON: {"accessToken": "…", "refreshToken": "…"}');

/** Zalo answers token errors with HTTP 200 and `error` < 0, e.g. -14014 "Invalid refresh token". */
const TokenAnswer = z.object({
  access_token: z.string().optional(),
  refresh_token: z.string().optional(),
  expires_in: z.union([z.string(), z.number()]).optional(),
  error: z.number().optional(),
  error_name: z.string().optional(),
  error_description: z.string().optional(),
  message: z.string().optional(),
});

/** Access tokens last about 25 hours; when Zalo omits `expires_in`, assume the shortest documented life (1 hour). */
const DEFAULT_LIFE_S = 3600;

/**
 * Asks Zalo's OAuth v4 token endpoint for tokens (form-encoded, app secret in the `secret_key` header).
 * Answers only complete credentials: both tokens present, else it throws — so a caller can never store
 * an empty or failed refresh token. Refresh tokens are single-use: the answer carries the next one.
 */
export async function zaloToken(
  http: HttpClient,
  oauthUrl: string,
  app: OAuthApp,
  form: Record<string, string>,
  now: Date,
  signal: AbortSignal,
): Promise<{ secret: ZaloSecret; expiresAt: Date }> {
  const res = await send(http, `${oauthUrl}/v4/oa/access_token`, {
    method: "POST",
    signal,
    headers: { "content-type": "application/x-www-form-urlencoded", secret_key: app.clientSecret },
    body: new URLSearchParams({ app_id: app.clientId, ...form }).toString(),
  });
  if (!res.ok) throw await errorFromResponse(res, "Zalo OAuth");
  const answer = TokenAnswer.safeParse(await res.json().catch(() => undefined));
  if (!answer.success) throw new AppError("channel_unavailable", "Zalo OAuth answered something that is not a token");
  const a = answer.data;
  if (!a.access_token || !a.refresh_token) {
    const why = a.error_description ?? a.error_name ?? a.message ?? "no token in the answer";
    // A refused code or refresh token means the officer must connect the account again.
    throw new AppError("auth_expired", `Zalo refused the token request (${a.error ?? "?"}): ${why}`);
  }
  const life = Number(a.expires_in ?? DEFAULT_LIFE_S);
  const expiresAt = new Date(now.getTime() + (Number.isFinite(life) && life > 0 ? life : DEFAULT_LIFE_S) * 1000);
  return { secret: { accessToken: a.access_token, refreshToken: a.refresh_token, expiresAt: expiresAt.toISOString() }, expiresAt };
}

const credentials = ({ secret, expiresAt }: { secret: ZaloSecret; expiresAt: Date }): Credentials => ({
  secret: JSON.stringify(secret),
  expiresAt,
});

/** Zalo OA's OAuth v4 with PKCE (S256): consent, code exchange, and refresh. */
export const zaloOAuth: OAuthProvider = {
  authorizeUrl({ app, endpoints, redirectUri, state, codeChallenge }) {
    const url = new URL(`${endpoints.zalo.oauth}/v4/oa/permission`);
    url.search = new URLSearchParams({ app_id: app.clientId, redirect_uri: redirectUri, code_challenge: codeChallenge, state }).toString();
    return url.toString();
  },
  async exchange({ app, endpoints, code, codeVerifier, http, signal }) {
    const form = { code, code_verifier: codeVerifier, grant_type: "authorization_code" };
    return credentials(await zaloToken(http, endpoints.zalo.oauth, app, form, new Date(), signal));
  },
  async refresh({ app, endpoints, secret, http, signal }) {
    const { refreshToken } = parseZaloSecret(secret);
    const form = { refresh_token: refreshToken, grant_type: "refresh_token" };
    return credentials(await zaloToken(http, endpoints.zalo.oauth, app, form, new Date(), signal));
  },
};
