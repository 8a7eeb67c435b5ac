import { z } from "zod";
import { AppError } from "../../content/errors.js";
import type { Credentials, HttpClient, OAuthApp, OAuthProvider } from "../../content/ports/adapter.js";
import { describeAnswer, errorFromResponse, parseJsonSecret, send } from "../http.js";

/** What Loa stores (encrypted) for a YouTube channel; the access token is a cache of the last refresh. */
export const YouTubeSecret = z.object({
  refreshToken: z.string().min(1),
  accessToken: z.string().min(1).optional(),
  expiresAt: z.iso.datetime().optional(),
});
export type YouTubeSecret = z.infer<typeof YouTubeSecret>;

export const parseYouTubeSecret = (secret: string | undefined): YouTubeSecret =>
  parseJsonSecret(YouTubeSecret, secret, 'a YouTube secret is JSON: {"refreshToken": "…"}');

const TokenAnswer = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.coerce.number().positive().default(3600),
});

/**
 * Asks Google's token endpoint for an access token. `invalid_grant` (refresh token revoked, expired, or
 * a testing-mode app's 7-day token) means the officer must connect again: `auth_expired`.
 */
export async function googleToken(
  http: HttpClient,
  tokenUrl: string,
  app: OAuthApp,
  form: Record<string, string>,
  now: Date,
  signal: AbortSignal,
): Promise<{ accessToken: string; refreshToken?: string; expiresAt: Date }> {
  const res = await send(http, tokenUrl, {
    method: "POST",
    signal,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: app.clientId, client_secret: app.clientSecret, ...form }).toString(),
  });
  if (res.status === 400 || res.status === 401) {
    const { text, message, summary } = await describeAnswer(res);
    let e: { error?: unknown; error_description?: unknown } = {};
    try {
      e = JSON.parse(text) as typeof e;
    } catch {
      e = {};
    }
    const detail = message ? `${res.status}: ${message}` : summary;
    if (typeof e.error === "string" && /^(invalid_grant|invalid_client|unauthorized_client)$/.test(e.error)) {
      const why = typeof e.error_description === "string" ? `: ${e.error_description.slice(0, 300)}` : "";
      throw new AppError("auth_expired", `Google refused the token request: ${e.error}${why}`);
    }
    throw new AppError("channel_rejected", `Google OAuth answered ${detail}`);
  }
  if (!res.ok) throw await errorFromResponse(res, "Google OAuth");
  const answer = TokenAnswer.safeParse(await res.json().catch(() => undefined));
  if (!answer.success) throw new AppError("channel_unavailable", "Google OAuth answered without an access token");
  const { access_token, refresh_token, expires_in } = answer.data;
  return {
    accessToken: access_token,
    expiresAt: new Date(now.getTime() + expires_in * 1000),
    ...(refresh_token ? { refreshToken: refresh_token } : {}),
  };
}

/** Google's OAuth 2.0 for installed/web apps with PKCE, offline access (a refresh token) for uploads. */
export const youtubeOAuth: OAuthProvider = {
  authorizeUrl({ app, endpoints, redirectUri, state, codeChallenge }) {
    const url = new URL(endpoints.google.authorize);
    url.search = new URLSearchParams({
      client_id: app.clientId,
      redirect_uri: redirectUri,
      response_type: "code",
      scope: "https://www.googleapis.com/auth/youtube.upload https://www.googleapis.com/auth/youtube.readonly",
      access_type: "offline",
      // Without `consent` Google gives a refresh token only the first time an account grants access.
      prompt: "consent",
      include_granted_scopes: "true",
      code_challenge: codeChallenge,
      code_challenge_method: "S256",
      state,
    }).toString();
    return url.toString();
  },
  async exchange({ app, endpoints, redirectUri, code, codeVerifier, http, signal }): Promise<Credentials> {
    const form = { code, code_verifier: codeVerifier, redirect_uri: redirectUri, grant_type: "authorization_code" };
    const t = await googleToken(http, endpoints.google.token, app, form, new Date(), signal);
    if (!t.refreshToken) {
      throw new AppError("auth_expired", "Google gave no refresh token: remove Loa at myaccount.google.com/permissions and connect again");
    }
    const secret: YouTubeSecret = { refreshToken: t.refreshToken, accessToken: t.accessToken, expiresAt: t.expiresAt.toISOString() };
    return { secret: JSON.stringify(secret), expiresAt: t.expiresAt };
  },
  async refresh({ app, endpoints, secret, http, signal }): Promise<Credentials> {
    const old = parseYouTubeSecret(secret);
    const t = await googleToken(
      http,
      endpoints.google.token,
      app,
      { refresh_token: old.refreshToken, grant_type: "refresh_token" },
      new Date(),
      signal,
    );
    // Google usually keeps the refresh token; it sends a new one only when it rotates it.
    const next: YouTubeSecret = {
      refreshToken: t.refreshToken ?? old.refreshToken,
      accessToken: t.accessToken,
      expiresAt: t.expiresAt.toISOString(),
    };
    return { secret: JSON.stringify(next), expiresAt: t.expiresAt };
  },
};
