import crypto from "node:crypto";
import type http from "node:http";
import { listen, type StubServer } from "./stub-server.js";

export type YouTubeFailure = "expired_token" | "rate_limited" | "quota" | "server_error" | "rejected" | "hang";

/** What YouTube says when `fail()` scripts each failure: the `message` of Google's error answer. */
export const YOUTUBE_FAILURE_MESSAGES = {
  expired_token: "Request had invalid authentication credentials.",
  rate_limited: "The request cannot be completed because you have exceeded your quota rate.",
  quota: "The request cannot be completed because you have exceeded your quota.",
  server_error: "Backend Error",
  rejected: "The video snippet.categoryId property specifies an invalid category ID.",
} as const satisfies Record<Exclude<YouTubeFailure, "hang">, string>;

export interface StubVideo {
  id: string;
  snippet: Record<string, unknown>;
  status: Record<string, unknown>;
  bytes: number;
  uploadType: "resumable" | "multipart";
  thumbnail?: { mime: string; bytes: number };
}

interface Session {
  metadata: Record<string, unknown>;
  total: number;
  mime: string;
  received: Buffer[];
  size: number;
  hang: boolean;
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };
const gerr = (status: number, reason: string, message: string, domain = "youtube.api"): Reply => ({
  status,
  body: { error: { code: status, message, errors: [{ domain, reason, message }] } },
});
const id = (n: number) => crypto.randomBytes(n).toString("base64url").slice(0, n);

/**
 * The YouTube Data API v3 and Google's token endpoint, as documented on developers.google.com:
 * Bearer tokens (401 when unknown), `videos.insert` by resumable upload (session POST with
 * `X-Upload-Content-*` → `Location`; PUTs with `Content-Range`, 308 until the last byte) or by
 * `multipart/related` (what the `@googleapis/youtube` client sends), snippet limits (title ≤ 100, no `<>`,
 * description ≤ 5,000 bytes, tags ≤ 500 characters, `publishAt` only for private videos),
 * `thumbnails.set` (JPEG/PNG ≤ 2 MB), the uploads playlist for lookups, and Google's error shapes.
 */
export class YouTubeStub {
  readonly app = { clientId: "loa.apps.googleusercontent.com", clientSecret: "google-secret" };
  readonly refreshToken = `1//${id(24)}`;
  readonly videos: StubVideo[] = [];
  readonly refreshes: string[] = [];
  readonly #access = new Set<string>();
  readonly #sessions = new Map<string, Session>();
  readonly #failures: YouTubeFailure[] = [];
  #server: StubServer | undefined;
  url = "";

  /** An access token as Google would issue it for the channel. */
  issue(): string {
    const token = `ya29.${id(20)}`;
    this.#access.add(token);
    return token;
  }

  /** Every access token issued so far stops working (they last an hour). */
  expireAccessTokens(): void {
    this.#access.clear();
  }

  /** The next upload fails the provider's way (a hang: after the last byte, the video is created). */
  fail(f: YouTubeFailure): void {
    this.#failures.push(f);
  }

  async start(): Promise<this> {
    this.#server = await listen((req, res, body) => {
      const reply = this.#handle(req, body);
      if (reply === "hang") return this.#server?.hang(res);
      res.writeHead(reply.status, { "content-type": "application/json; charset=UTF-8", ...reply.headers });
      res.end(reply.body === undefined ? "" : JSON.stringify(reply.body));
    });
    this.url = this.#server.origin;
    return this;
  }

  async stop(): Promise<void> {
    await this.#server?.stop();
  }

  #handle(req: http.IncomingMessage, raw: Buffer): Reply | "hang" {
    const url = new URL(req.url ?? "/", this.url);
    if (url.pathname === "/token") return this.#token(new URLSearchParams(raw.toString("utf8")));
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ""))?.[1] ?? "";
    if (!this.#access.has(bearer)) return gerr(401, "authError", "Request had invalid authentication credentials.", "global");
    const route = `${req.method} ${url.pathname}`;
    const q = url.searchParams;
    if (route === "POST /upload/youtube/v3/videos" && q.get("uploadType") === "resumable") return this.#open(req, q, raw);
    if (route === "PUT /upload/youtube/v3/videos") return this.#put(req, q.get("upload_id") ?? "", raw);
    if (route === "POST /upload/youtube/v3/videos" && q.get("uploadType") === "multipart") return this.#multipart(req, q, raw);
    if (route === "POST /upload/youtube/v3/thumbnails/set") {
      const video = this.videos.find((v) => v.id === q.get("videoId"));
      const mime = String(req.headers["content-type"] ?? "");
      if (!video) return gerr(404, "videoNotFound", "The video that you are trying to update cannot be found.");
      if (!["image/jpeg", "image/png"].includes(mime)) return gerr(400, "invalidImage", "The provided image content is invalid.");
      if (raw.length > 2 * 1024 * 1024) return gerr(413, "mediaBodyTooBig", "The thumbnail is larger than 2 MB.");
      video.thumbnail = { mime, bytes: raw.length };
      return {
        status: 200,
        body: { kind: "youtube#thumbnailSetResponse", items: [{ default: { url: `https://i.ytimg.com/vi/${video.id}/default.jpg` } }] },
      };
    }
    if (route === "GET /youtube/v3/channels" && q.get("mine") === "true") {
      return { status: 200, body: { items: [{ id: "UCloa", contentDetails: { relatedPlaylists: { uploads: "UUloa" } } }] } };
    }
    if (route === "GET /youtube/v3/playlistItems" && q.get("playlistId") === "UUloa") {
      const max = Math.min(50, Number(q.get("maxResults") ?? 5));
      const items = [...this.videos].reverse().slice(0, max);
      return { status: 200, body: { items: items.map((v) => ({ contentDetails: { videoId: v.id } })) } };
    }
    if (route === "GET /youtube/v3/videos") {
      const ids = (q.get("id") ?? "").split(",");
      if (ids.length > 50) return gerr(400, "invalidParameter", "at most 50 ids");
      return { status: 200, body: { items: this.videos.filter((v) => ids.includes(v.id)).map((v) => ({ id: v.id, snippet: v.snippet })) } };
    }
    return gerr(404, "notFound", `no ${route}`);
  }

  #scripted(): Reply | "hang" | undefined {
    const f = this.#failures.shift();
    const m = YOUTUBE_FAILURE_MESSAGES;
    if (f === "expired_token") return gerr(401, "authError", m.expired_token, "global");
    if (f === "rate_limited") return gerr(403, "rateLimitExceeded", m.rate_limited, "usageLimits");
    if (f === "quota") return gerr(403, "quotaExceeded", m.quota, "youtube.quota");
    if (f === "server_error") return gerr(503, "backendError", m.server_error, "global");
    if (f === "rejected") return gerr(400, "invalidCategoryId", m.rejected);
    return f === "hang" ? "hang" : undefined;
  }

  #invalid(m: Record<string, unknown>, part: string | null): Reply | undefined {
    const parts = (part ?? "").split(",");
    const snippet = m.snippet as { title?: string; description?: string; tags?: string[]; categoryId?: string } | undefined;
    const status = m.status as { privacyStatus?: string; publishAt?: string } | undefined;
    if (!parts.includes("snippet") || !snippet) return gerr(400, "invalidPart", "The request must include the snippet part.");
    const title = snippet.title ?? "";
    if (!title.trim() || [...title].length > 100 || /[<>]/.test(title))
      return gerr(400, "invalidTitle", "The request metadata specifies an invalid video title.");
    if (Buffer.byteLength(snippet.description ?? "") > 5000 || /[<>]/.test(snippet.description ?? "")) {
      return gerr(400, "invalidDescription", "The request metadata specifies an invalid video description.");
    }
    const tags = snippet.tags ?? [];
    if (tags.reduce((n, t) => n + t.length + 1 + (t.includes(" ") ? 2 : 0), 0) > 501)
      return gerr(400, "invalidTags", "The request metadata specifies invalid video keywords.");
    if (status?.privacyStatus && !["public", "unlisted", "private"].includes(status.privacyStatus))
      return gerr(400, "invalidVideoMetadata", "privacyStatus");
    if (status?.publishAt && status.privacyStatus !== "private") return gerr(400, "invalidPublishAt", "publishAt needs a private video.");
    return undefined;
  }

  #open(req: http.IncomingMessage, q: URLSearchParams, raw: Buffer): Reply | "hang" {
    let metadata: Record<string, unknown>;
    try {
      metadata = JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
    } catch {
      return gerr(400, "parseError", "Parse Error");
    }
    const scripted = this.#scripted();
    if (scripted && scripted !== "hang") return scripted;
    const invalid = this.#invalid(metadata, q.get("part"));
    if (invalid) return invalid;
    const total = Number(req.headers["x-upload-content-length"]);
    const mime = String(req.headers["x-upload-content-type"] ?? "");
    if (!Number.isInteger(total) || total <= 0 || !mime.startsWith("video/"))
      return gerr(400, "invalidMetadata", "X-Upload-Content-* missing");
    const uploadId = id(16);
    this.#sessions.set(uploadId, { metadata, total, mime, received: [], size: 0, hang: scripted === "hang" });
    return { status: 200, headers: { location: `${this.url}/upload/youtube/v3/videos?uploadType=resumable&upload_id=${uploadId}` } };
  }

  #put(req: http.IncomingMessage, uploadId: string, raw: Buffer): Reply | "hang" {
    const s = this.#sessions.get(uploadId);
    if (!s) return gerr(404, "notFound", "upload session not found");
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(req.headers["content-range"] ?? `bytes 0-${raw.length - 1}/${raw.length}`));
    const incomplete = (): Reply => ({ status: 308, headers: s.size ? { range: `bytes=0-${s.size - 1}` } : {} });
    if (!range)
      return /^bytes \*\/\d+$/.test(String(req.headers["content-range"])) ? incomplete() : gerr(400, "badRange", "bad Content-Range");
    const [from, to, total] = [Number(range[1]), Number(range[2]), Number(range[3])];
    if (from !== s.size || to - from + 1 !== raw.length || total !== s.total) return gerr(400, "badRange", `expected bytes from ${s.size}`);
    s.received.push(raw);
    s.size += raw.length;
    if (s.size < s.total) return incomplete();
    this.#sessions.delete(uploadId);
    return this.#create(s.metadata, Buffer.concat(s.received), "resumable", s.hang);
  }

  #multipart(req: http.IncomingMessage, q: URLSearchParams, raw: Buffer): Reply | "hang" {
    const boundary = /boundary=(.+)$/.exec(String(req.headers["content-type"] ?? ""))?.[1];
    if (!boundary) return gerr(400, "badContent", "multipart/related with a boundary expected");
    const parts = raw.toString("latin1").split(`--${boundary}`).slice(1, -1);
    const bodies = parts.map((p) => Buffer.from(p.slice(p.indexOf("\r\n\r\n") + 4, -2), "latin1"));
    if (bodies.length !== 2 || !bodies[0] || !bodies[1]) return gerr(400, "badContent", "metadata and media parts expected");
    const scripted = this.#scripted();
    if (scripted && scripted !== "hang") return scripted;
    const metadata = JSON.parse(bodies[0].toString("utf8")) as Record<string, unknown>;
    return this.#invalid(metadata, q.get("part")) ?? this.#create(metadata, bodies[1], "multipart", scripted === "hang");
  }

  #create(metadata: Record<string, unknown>, bytes: Buffer, uploadType: StubVideo["uploadType"], hang: boolean): Reply | "hang" {
    if (bytes.subarray(4, 8).toString("latin1") !== "ftyp") return gerr(400, "invalidVideo", "The uploaded file is not a video.");
    const status = { uploadStatus: "uploaded", privacyStatus: "public", ...(metadata.status as Record<string, unknown>) };
    const video: StubVideo = { id: id(11), snippet: metadata.snippet as Record<string, unknown>, status, bytes: bytes.length, uploadType };
    this.videos.push(video);
    if (hang) return "hang";
    return { status: 200, body: { kind: "youtube#video", id: video.id, snippet: video.snippet, status: video.status } };
  }

  #token(form: URLSearchParams): Reply {
    if (form.get("client_id") !== this.app.clientId || form.get("client_secret") !== this.app.clientSecret) {
      return { status: 401, body: { error: "invalid_client", error_description: "The OAuth client was not found." } };
    }
    if (form.get("grant_type") !== "refresh_token") return { status: 400, body: { error: "unsupported_grant_type" } };
    this.refreshes.push(form.get("refresh_token") ?? "");
    if (form.get("refresh_token") !== this.refreshToken) {
      return { status: 400, body: { error: "invalid_grant", error_description: "Token has been expired or revoked." } };
    }
    return {
      status: 200,
      body: { access_token: this.issue(), expires_in: 3599, scope: "https://www.googleapis.com/auth/youtube.upload", token_type: "Bearer" },
    };
  }
}
