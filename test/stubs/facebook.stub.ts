import crypto from "node:crypto";
import type http from "node:http";
import { listen, type StubServer } from "./stub-server.js";

/** One scripted answer for the next publishing request (feed post, published photo, video `finish`). */
export type GraphReply = { status: number; body?: unknown; headers?: Record<string, string> } | { hang: true };
type Answer = { status: number; body: unknown; headers?: Record<string, string> };

export interface FbPost {
  id: string;
  message: string;
  link?: string;
  photoIds: string[];
  created_time: string;
}
export interface FbVideo {
  id: string;
  title: string;
  description: string;
  bytes: Buffer;
  /** The size of each transferred chunk, in order. */
  chunks: number[];
  created_time: string;
}
interface Session {
  videoId: string;
  size: number;
  offset: number;
  parts: Buffer[];
  chunks: number[];
}

/** Graph's error shape, with a fresh `fbtrace_id` as every real answer has. */
export function graphError(status: number, code: number, message: string, extra: Record<string, unknown> = {}): Answer {
  const body = { error: { message, type: "OAuthException", code, ...extra, fbtrace_id: crypto.randomBytes(8).toString("base64url") } };
  return { status, body };
}

const isImage = (b: Buffer) =>
  (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) ||
  b.subarray(0, 4).toString("latin1") === "\x89PNG" ||
  b.subarray(0, 3).toString() === "GIF";

/**
 * A Facebook Page on the Graph API, as developers.facebook.com documents it: versioned paths
 * (`/v21.0/...`), the Page token as Bearer/OAuth header or `access_token` parameter (code 190 otherwise),
 * `/{page-id}/feed` (message, link, attached_media), `/{page-id}/photos` (multipart `source`, ≤ 4 MB,
 * an image; `published=false` for attachments), `/{page-id}/videos` by resumable upload (`start` with
 * `file_size`, `transfer` of exactly the asked range as `video_file_chunk`, `finish`), the listing edges
 * `lookup` reads, Facebook Login's token exchanges, and Graph's `{"error":{...}}` answers. Scripted
 * failures apply to the next publishing request; a hung one still publishes.
 */
export class FacebookStub {
  readonly posts: FbPost[] = [];
  readonly photos: { id: string; published: boolean; bytes: number; caption: string }[] = [];
  readonly videos: FbVideo[] = [];
  /** Every request: method, path after the version, upload phase, and answer. */
  readonly requests: { method: string; path: string; phase?: string; status: number | "hang" }[] = [];
  /** Ids of what was published, in order: post ids, and video ids for videos. */
  readonly published: string[] = [];
  readonly app = { clientId: "1357924680", clientSecret: "app-secret-khong-tiet-lo", code: "ma-uy-quyen-1", redirectUri: "" };
  readonly userToken = { short: "EAA-short-user-token", long: "EAA-long-lived-user-token" };
  /** The range Graph asks for per `transfer`. */
  chunkBytes = 1024 * 1024;
  readonly #script: GraphReply[] = [];
  readonly #sessions = new Map<string, Session>();
  #server: StubServer | undefined;
  #seq = 1000;
  url = "";

  constructor(
    readonly pageId = "104857600012345",
    readonly pageToken = "EAAPageAccessToken-SoKHCN-CanTho",
    readonly version = "v21.0",
  ) {}

  script(...replies: GraphReply[]): this {
    this.#script.push(...replies);
    return this;
  }

  async start(): Promise<this> {
    this.#server = await listen((req, res, raw) => void this.#handle(req, res, raw));
    this.url = this.#server.origin;
    return this;
  }

  async stop(): Promise<void> {
    await this.#server?.stop();
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer) {
    const url = new URL(req.url ?? "/", this.url);
    const method = req.method ?? "GET";
    const [, version, ...rest] = url.pathname.split("/");
    const path = rest.join("/");
    const params = new URLSearchParams(url.searchParams);
    let files = new Map<string, Buffer>();
    if (method === "POST" && raw.length) {
      const type = String(req.headers["content-type"] ?? "");
      if (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")) {
        const form = await new Response(raw, { headers: { "content-type": type } }).formData();
        files = new Map();
        for (const [k, v] of form.entries()) {
          if (typeof v === "string") params.set(k, v);
          else files.set(k, Buffer.from(await v.arrayBuffer()));
        }
      } else if (type.startsWith("application/json")) {
        for (const [k, v] of Object.entries(JSON.parse(raw.toString()) as Record<string, unknown>))
          params.set(k, typeof v === "string" ? v : JSON.stringify(v));
      }
    }
    const phase = params.get("upload_phase") ?? undefined;
    const reply = (a: Answer) => {
      this.requests.push({ method, path, ...(phase ? { phase } : {}), status: a.status });
      res.writeHead(a.status, { "content-type": "application/json; charset=UTF-8", ...a.headers });
      res.end(JSON.stringify(a.body));
    };
    if (version !== this.version) return reply(graphError(400, 2500, `Unknown path components: /${version}`));
    if (path === "oauth/access_token" && method === "GET") return reply(this.#token(params));
    const token = /^(?:Bearer|OAuth) (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? params.get("access_token");
    if (!token) return reply(graphError(400, 104, "An access token is required to request this resource."));
    if (path === this.pageId && method === "GET" && token === this.userToken.long) {
      return reply({ status: 200, body: { access_token: this.pageToken, id: this.pageId } });
    }
    if (token !== this.pageToken) return reply(graphError(400, 190, "Invalid OAuth access token - Cannot parse access token"));
    const [page, edge] = path.split("/");
    if (page !== this.pageId || !edge) {
      return reply(
        graphError(
          400,
          100,
          `Unsupported ${method.toLowerCase()} request. Object with ID '${page}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
          { error_subcode: 33 },
        ),
      );
    }
    const publishing =
      method === "POST" &&
      (edge === "feed" ||
        (edge === "photos" && params.get("published") !== "false") ||
        (edge === "videos" && (!phase || phase === "finish")));
    const scripted = publishing ? this.#script.shift() : undefined;
    if (scripted && !("hang" in scripted)) return reply({ body: undefined, ...scripted });
    const answer = this.#route(method, edge, params, files);
    if (!scripted) return reply(answer);
    this.requests.push({ method, path, ...(phase ? { phase } : {}), status: "hang" });
    this.#server?.hang(res);
  }

  #route(method: string, edge: string, p: URLSearchParams, files: Map<string, Buffer>): Answer {
    if (method === "GET" && edge === "posts") {
      const data = [...this.posts]
        .reverse()
        .slice(0, Number(p.get("limit") ?? 25))
        .map((x) => ({ id: x.id, message: x.message, created_time: x.created_time }));
      return { status: 200, body: { data, paging: { cursors: { before: "QVFI", after: "QVFJ" } } } };
    }
    if (method === "GET" && edge === "videos") {
      const data = [...this.videos]
        .reverse()
        .slice(0, Number(p.get("limit") ?? 25))
        .map((v) => ({ id: v.id, description: v.description, created_time: v.created_time }));
      return { status: 200, body: { data } };
    }
    if (method === "POST" && edge === "feed") return this.#feed(p);
    if (method === "POST" && edge === "photos") return this.#photo(p, files);
    if (method === "POST" && edge === "videos") return this.#video(p, files);
    return graphError(400, 100, `(#100) Unknown edge ${edge}`);
  }

  #post(message: string, photoIds: string[], link?: string): string {
    const id = `${this.pageId}_${this.#seq++}`;
    this.posts.push({ id, message, photoIds, created_time: new Date().toISOString(), ...(link ? { link } : {}) });
    this.published.push(id);
    return id;
  }

  #feed(p: URLSearchParams): Answer {
    const message = p.get("message") ?? "";
    const link = p.get("link") ?? undefined;
    if ([...message].length > 63_206) return graphError(400, 100, "(#100) Param message must be at most 63206 characters long");
    if (link && !/^https?:\/\/\S+$/.test(link)) return graphError(400, 100, "(#100) The parameter link must be a valid URL");
    const photoIds: string[] = [];
    for (const [k, v] of p.entries()) {
      if (!/^attached_media\[\d+\]$/.test(k)) continue;
      const fbid = (JSON.parse(v) as { media_fbid?: string }).media_fbid;
      const photo = this.photos.find((x) => x.id === fbid && !x.published);
      if (!photo) return graphError(400, 100, `(#100) param ${k} must be an unpublished photo of this Page`);
      photoIds.push(photo.id);
    }
    if (!message && !link && !photoIds.length) return graphError(400, 100, "(#100) Missing message or attachment");
    return { status: 200, body: { id: this.#post(message, photoIds, link) } };
  }

  #photo(p: URLSearchParams, files: Map<string, Buffer>): Answer {
    const source = files.get("source");
    if (!source) return graphError(400, 324, "(#324) Requires upload file");
    if (!isImage(source)) return graphError(400, 324, "(#324) Missing or invalid image file");
    if (source.length > 4 * 1024 * 1024) return graphError(400, 100, "(#100) The photo is larger than 4 MB");
    const id = String(this.#seq++);
    const published = p.get("published") !== "false";
    const caption = p.get("caption") ?? p.get("message") ?? "";
    this.photos.push({ id, published, bytes: source.length, caption });
    if (!published) return { status: 200, body: { id } };
    return { status: 200, body: { id, post_id: this.#post(caption, [id]) } };
  }

  #video(p: URLSearchParams, files: Map<string, Buffer>): Answer {
    const phase = p.get("upload_phase");
    const uploadError = (subcode: number, message: string) => graphError(400, 6001, message, { error_subcode: subcode });
    if (phase === "start") {
      const size = Number(p.get("file_size"));
      if (!Number.isInteger(size) || size <= 0) return graphError(400, 100, "(#100) Param file_size must be a positive integer");
      if (size > 10 * 1024 ** 3) return graphError(400, 6000, "(#6000) The video file exceeds the maximum size of 10 GB");
      const session = String(this.#seq++);
      const videoId = String(this.#seq++);
      this.#sessions.set(session, { videoId, size, offset: 0, parts: [], chunks: [] });
      return {
        status: 200,
        body: { video_id: videoId, upload_session_id: session, start_offset: "0", end_offset: String(Math.min(this.chunkBytes, size)) },
      };
    }
    const s = this.#sessions.get(p.get("upload_session_id") ?? "");
    if (phase === "transfer") {
      if (!s) return uploadError(1363020, "(#6001) Invalid upload session");
      const chunk = files.get("video_file_chunk");
      if (Number(p.get("start_offset")) !== s.offset) return uploadError(1363037, `(#6001) start_offset must be ${s.offset}`);
      const expected = Math.min(this.chunkBytes, s.size - s.offset);
      if (!chunk || chunk.length !== expected) return uploadError(1363040, `(#6001) video_file_chunk must be a file of ${expected} bytes`);
      s.parts.push(chunk);
      s.chunks.push(chunk.length);
      s.offset += chunk.length;
      return { status: 200, body: { start_offset: String(s.offset), end_offset: String(Math.min(s.offset + this.chunkBytes, s.size)) } };
    }
    if (phase === "finish") {
      if (!s) return uploadError(1363020, "(#6001) Invalid upload session");
      if (s.offset !== s.size) return uploadError(1363019, `(#6001) The upload is incomplete: ${s.offset} of ${s.size} bytes`);
      this.#sessions.delete(p.get("upload_session_id") ?? "");
      const bytes = Buffer.concat(s.parts);
      this.videos.push({
        id: s.videoId,
        title: p.get("title") ?? "",
        description: p.get("description") ?? "",
        bytes,
        chunks: s.chunks,
        created_time: new Date().toISOString(),
      });
      this.published.push(s.videoId);
      return { status: 200, body: { success: true } };
    }
    return graphError(400, 100, "(#100) This stub takes videos by resumable upload only (upload_phase start, transfer, finish)");
  }

  #token(p: URLSearchParams): Answer {
    if (p.get("client_id") !== this.app.clientId || p.get("client_secret") !== this.app.clientSecret) {
      return graphError(400, 1, "Error validating client secret.");
    }
    if (p.get("grant_type") === "fb_exchange_token") {
      if (p.get("fb_exchange_token") !== this.userToken.short)
        return graphError(400, 190, "Invalid OAuth access token - Cannot parse access token");
      return { status: 200, body: { access_token: this.userToken.long, token_type: "bearer", expires_in: 5_183_944 } };
    }
    if (p.get("redirect_uri") !== this.app.redirectUri) {
      return graphError(400, 100, "Can't load URL: The domain of this URL isn't included in the app's domains.", { error_subcode: 36009 });
    }
    if (p.get("code") !== this.app.code) return graphError(400, 100, "Invalid verification code format.", { error_subcode: 36007 });
    return { status: 200, body: { access_token: this.userToken.short, token_type: "bearer", expires_in: 5_183_944 } };
  }
}
