import type { Readable } from "node:stream";
import { AppError } from "../../content/errors.js";
import type { AdapterContext } from "../../content/ports/adapter.js";
import { describeAnswer, retryAfterMs, send } from "../http.js";
import { googleToken, type YouTubeSecret } from "./youtube.oauth.js";

const EXPIRY_MARGIN_MS = 60_000;
/** Resumable chunks must be multiples of 256 KiB (except the last). */
export const CHUNK_UNIT = 256 * 1024;

/** Milliseconds until the next midnight in America/Los_Angeles, when YouTube's daily quota resets. */
export function untilPacificMidnight(now: Date): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: "America/Los_Angeles",
    hourCycle: "h23",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(now);
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const elapsed = (n("hour") * 3600 + n("minute") * 60 + n("second")) * 1000 + now.getMilliseconds();
  return Math.max(60_000, 86_400_000 - elapsed);
}

/** Maps a YouTube Data API error answer (`{error: {code, message, errors: [{reason}]}}`) to Loa's codes. */
export async function youtubeError(res: Response, now: Date): Promise<AppError> {
  const { text, message: said, summary } = await describeAnswer(res);
  let reason = "";
  try {
    const e = (JSON.parse(text) as { error?: { errors?: { reason?: string }[] } }).error;
    reason = e?.errors?.[0]?.reason ?? "";
  } catch {
    // not JSON: no reason to read
  }
  const message = said ? `YouTube answered ${res.status}${reason ? ` ${reason}` : ""}: ${said}` : `YouTube answered ${summary}`;
  if (reason === "quotaExceeded" || reason === "dailyLimitExceeded") {
    return new AppError("rate_limited", message, { retryAfterMs: untilPacificMidnight(now) });
  }
  if (reason === "uploadLimitExceeded") return new AppError("rate_limited", message, { retryAfterMs: 86_400_000 });
  if (res.status === 429 || reason === "rateLimitExceeded" || reason === "userRateLimitExceeded") {
    return new AppError("rate_limited", message, { retryAfterMs: retryAfterMs(res.headers.get("retry-after")) ?? 60_000 });
  }
  if (res.status === 401) return new AppError("auth_expired", message);
  if (res.status >= 500 || res.status === 408) return new AppError("channel_unavailable", message);
  return new AppError("channel_rejected", message);
}

/**
 * The YouTube Data API v3 over the injected HTTP client, with the channel's OAuth token: refreshed with
 * the city's Google app when it has expired (and once on a 401), new tokens saved at once.
 */
export function youtubeClient(secret: YouTubeSecret, ctx: AdapterContext) {
  const { api, upload: uploads } = ctx.endpoints.youtube;
  let creds = secret;

  async function refresh(signal: AbortSignal): Promise<void> {
    if (!ctx.oauthApp)
      throw new AppError("auth_expired", "the YouTube access token has expired and no Google app is configured (GOOGLE_CLIENT_ID)");
    const form = { refresh_token: creds.refreshToken, grant_type: "refresh_token" };
    const t = await googleToken(ctx.http, ctx.endpoints.google.token, ctx.oauthApp, form, ctx.now(), signal);
    creds = { refreshToken: t.refreshToken ?? creds.refreshToken, accessToken: t.accessToken, expiresAt: t.expiresAt.toISOString() };
    await ctx.saveSecret(JSON.stringify(creds), t.expiresAt);
  }

  async function token(signal: AbortSignal): Promise<string> {
    const stale =
      !creds.accessToken || (creds.expiresAt !== undefined && Date.parse(creds.expiresAt) - EXPIRY_MARGIN_MS <= ctx.now().getTime());
    if (stale) await refresh(signal);
    return creds.accessToken ?? "";
  }

  /**
   * One request to the Data API (or, with `upload`, to its upload host); on a 401 the token is
   * refreshed and the request sent once more (bodies here are replayable).
   */
  async function request(
    path: string,
    { upload = false, ...init }: RequestInit & { signal: AbortSignal; upload?: boolean },
    ok = (s: number) => s >= 200 && s < 300,
  ): Promise<Response> {
    const go = async () =>
      send(ctx.http, `${upload ? uploads : api}${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${await token(init.signal)}` },
      });
    let res = await go();
    if (res.status === 401 && ctx.oauthApp) {
      await res.body?.cancel();
      await refresh(init.signal);
      res = await go();
    }
    if (!ok(res.status)) throw await youtubeError(res, ctx.now());
    return res;
  }

  return {
    request,
    async json<T>(path: string, signal: AbortSignal): Promise<T> {
      return (await (await request(path, { method: "GET", signal })).json()) as T;
    },
    /**
     * Resumable upload: opens a session with the metadata, then sends the bytes in chunks of `chunkBytes`
     * (308 "Resume Incomplete" after each but the last). Only the last chunk can create the video, so a
     * failure before it is safely retried from the start; the caller treats a failure of the last one as unconfirmed.
     */
    async upload(
      path: string,
      metadata: unknown,
      file: { stream: Readable; bytes: number; mime: string },
      chunkBytes: number,
      signal: AbortSignal,
    ): Promise<Response> {
      const session = await request(path, {
        upload: true,
        method: "POST",
        signal,
        headers: {
          "content-type": "application/json; charset=utf-8",
          "x-upload-content-length": String(file.bytes),
          "x-upload-content-type": file.mime,
        },
        body: JSON.stringify(metadata),
      });
      const location = session.headers.get("location");
      await session.body?.cancel();
      if (!location) throw new AppError("channel_unavailable", "YouTube opened no upload session (no Location header)");
      let offset = 0;
      let pending = Buffer.alloc(0);
      const put = async (chunk: Buffer, last: boolean): Promise<Response> => {
        const end = offset + chunk.length - 1;
        const res = await send(ctx.http, location, {
          method: "PUT",
          signal,
          headers: {
            authorization: `Bearer ${await token(signal)}`,
            "content-type": file.mime,
            "content-range": chunk.length ? `bytes ${offset}-${end}/${file.bytes}` : `bytes */${file.bytes}`,
          },
          body: chunk,
        }).catch((err: unknown) => {
          // Before the last byte nothing can have been published: a timeout there is safe to retry.
          if (!last && err instanceof AppError && err.code === "channel_unconfirmed")
            throw new AppError("channel_unavailable", err.message);
          throw err;
        });
        if (!last && res.status !== 308) throw await youtubeError(res, ctx.now());
        if (last && res.status >= 500) {
          const err = await youtubeError(res, ctx.now());
          throw new AppError("channel_unconfirmed", `${err.message} after the last chunk; the video may exist`);
        }
        offset += chunk.length;
        return res;
      };
      for await (const data of file.stream) {
        pending = Buffer.concat([pending, data as Buffer]);
        while (pending.length > chunkBytes && offset + chunkBytes < file.bytes) {
          await (await put(pending.subarray(0, chunkBytes), false)).body?.cancel();
          pending = pending.subarray(chunkBytes);
        }
      }
      if (offset + pending.length !== file.bytes) {
        throw new AppError("channel_unavailable", `the video file has ${offset + pending.length} bytes, not the ${file.bytes} expected`);
      }
      return put(pending, true);
    },
  };
}
export type YouTubeClient = ReturnType<typeof youtubeClient>;
