import crypto from "node:crypto";
import type http from "node:http";
import { listen, type StubServer } from "./stub-server.js";

export type ZaloFailure = "expired_token" | "rate_limited" | "server_error" | "rejected" | "hang";

/** What Zalo says when `fail()` scripts each failure: the `message` of its answer, or the text of the gateway's page. */
export const ZALO_FAILURE_MESSAGES = {
  expired_token: "Access token is invalid",
  rate_limited: "The request exceeds the rate limit",
  server_error: "502 Bad Gateway",
  rejected: "Nội dung bài viết vi phạm chính sách",
} as const satisfies Record<Exclude<ZaloFailure, "hang">, string>;

export interface ZaloArticle {
  id: string;
  token: string;
  body: Record<string, unknown>;
  createdAt: number;
  /** `verify` answers "still processing" this many more times. */
  pending: number;
}

type Reply = { status: number; body: unknown };
const ok = (data: Record<string, unknown>): Reply => ({ status: 200, body: { error: 0, message: "Success", data } });
/** Zalo's API errors come with HTTP 200 and a negative `error`. */
const zerr = (error: number, message: string): Reply => ({ status: 200, body: { error, message } });
const hex = (n: number) => crypto.randomBytes(n).toString("hex");

/**
 * Zalo's OA OpenAPI (Article API v2.0, broadcast) and OAuth v4, as documented on developers.zalo.me:
 * the `access_token` header on every API call (-216 when unknown or expired), the article's limits
 * (title ≤ 150, author ≤ 50, description ≤ 300, a cover photo Zalo downloads: JPEG/PNG ≤ 1 MB),
 * asynchronous creation (`create` answers a token, `verify` answers -214 until the article has an id),
 * `getslice` pages of at most 10, and single-use refresh tokens (`secret_key` header, form body).
 */
export class ZaloStub {
  readonly app = { clientId: "4242424242", clientSecret: "zalo-app-secret" };
  readonly articles: ZaloArticle[] = [];
  readonly broadcasts: Record<string, unknown>[] = [];
  readonly refreshes: { refreshToken: string; answered: "ok" | "refused" | "failed" }[] = [];
  /** API calls in order: method, path and whether the token was accepted. */
  readonly calls: { method: string; path: string; auth: boolean }[] = [];
  /** Public files served at `/files/<key>` (a public copy of Loa's media store, where Zalo downloads covers). */
  readonly files = new Map<string, Buffer>();
  readonly #access = new Map<string, number>();
  readonly #refresh = new Set<string>();
  readonly #failures: ZaloFailure[] = [];
  readonly #refreshFailures: Reply[] = [];
  #server: StubServer | undefined;
  /** Each new article stays "processing" for this many `verify` calls. */
  processing = 1;
  accessLifeS = 90_000;
  url = "";

  /** Issues a token pair as the consent flow would; answers the secret Loa stores. */
  grant(expiresInS = this.accessLifeS): { accessToken: string; refreshToken: string; expiresAt: string } {
    const accessToken = `at-${hex(12)}`;
    const refreshToken = `rt-${hex(12)}`;
    this.#access.set(accessToken, Date.now() + expiresInS * 1000);
    this.#refresh.add(refreshToken);
    return { accessToken, refreshToken, expiresAt: new Date(Date.now() + expiresInS * 1000).toISOString() };
  }

  readonly #codes = new Map<string, string>();

  /**
   * The officer grants access on Zalo's consent page (`/v4/oa/permission?…&code_challenge=`): answers
   * the one-time code Zalo would send to the redirect URI, bound to that PKCE challenge.
   */
  consent(authorizeUrl: string): string {
    const challenge = new URL(authorizeUrl).searchParams.get("code_challenge");
    if (!challenge) throw new Error("Zalo's consent page needs a code_challenge (PKCE)");
    const code = `code-${hex(8)}`;
    this.#codes.set(code, challenge);
    return code;
  }

  /** Every access token issued so far stops working (as after ~25 hours). */
  expireAccessTokens(): void {
    for (const t of this.#access.keys()) this.#access.set(t, 0);
  }

  /** The next article creation fails the provider's way. */
  fail(f: ZaloFailure): void {
    this.#failures.push(f);
  }

  /** The next refresh answers this (e.g. HTTP 500, or an answer without a refresh token). */
  failRefresh(reply: Reply): void {
    this.#refreshFailures.push(reply);
  }

  async start(): Promise<this> {
    this.#server = await listen((req, res, body) => {
      this.#handle(req, body.toString("utf8"))
        .then((reply) => {
          if (reply === "hang") return this.#server?.hang(res);
          if (Buffer.isBuffer(reply.body)) return void res.writeHead(reply.status, { "content-type": "image/jpeg" }).end(reply.body);
          res.writeHead(reply.status, { "content-type": "application/json; charset=utf-8" });
          res.end(typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body));
        })
        .catch((err: Error) => res.writeHead(500).end(err.message));
    });
    this.url = this.#server.origin;
    return this;
  }

  async stop(): Promise<void> {
    await this.#server?.stop();
  }

  async #handle(req: http.IncomingMessage, raw: string): Promise<Reply | "hang"> {
    const url = new URL(req.url ?? "/", this.url);
    if (url.pathname === "/v4/oa/access_token") return this.#token(req, raw);
    if (url.pathname.startsWith("/files/")) {
      const file = this.files.get(decodeURIComponent(url.pathname.slice("/files/".length)));
      return file ? { status: 200, body: file } : { status: 404, body: { message: "no such file" } };
    }
    const token = String(req.headers.access_token ?? "");
    const auth = (this.#access.get(token) ?? 0) > Date.now();
    this.calls.push({ method: req.method ?? "", path: url.pathname, auth });
    if (!auth) return zerr(-216, "Access token is invalid");
    const json = (): Record<string, unknown> | undefined => {
      if (!String(req.headers["content-type"]).startsWith("application/json")) return undefined;
      try {
        return JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return undefined;
      }
    };
    const route = `${req.method} ${url.pathname}`;
    if (route === "POST /v2.0/article/create") return this.#create(json());
    if (route === "POST /v2.0/article/verify") {
      const a = this.articles.find((x) => x.token === json()?.token);
      if (!a) return zerr(-201, "token is invalid");
      if (a.pending-- > 0) return zerr(-214, "Article is being processed");
      return ok({ id: a.id });
    }
    if (route === "GET /v2.0/article/getdetail") {
      const a = this.articles.find((x) => x.id === url.searchParams.get("id"));
      return a ? ok({ id: a.id, type: "normal", ...a.body, link_view: this.link(a.id) }) : zerr(-201, "article is not exist");
    }
    if (route === "GET /v2.0/article/getslice") return this.#slice(url.searchParams);
    if (route === "POST /v2.0/oa/message") return this.#broadcast(json());
    return { status: 404, body: { error: 404, message: `no ${route}` } };
  }

  link = (id: string) => `https://zalo.me/oa/article/${id}`;

  async #create(b: Record<string, unknown> | undefined): Promise<Reply | "hang"> {
    if (!b) return zerr(-201, "body must be JSON");
    const failure = this.#failures.shift();
    // Zalo revoked the token early (a password change, a permission withdrawn): this answer only.
    if (failure === "expired_token") return zerr(-216, ZALO_FAILURE_MESSAGES.expired_token);
    if (failure === "rate_limited") return zerr(-32, ZALO_FAILURE_MESSAGES.rate_limited);
    if (failure === "server_error") return { status: 502, body: `<html><body>${ZALO_FAILURE_MESSAGES.server_error}</body></html>` };
    if (failure === "rejected") return zerr(-201, ZALO_FAILURE_MESSAGES.rejected);
    const problem = await this.#invalid(b);
    if (problem) return zerr(-201, problem);
    const article: ZaloArticle = { id: hex(9), token: hex(16), body: b, createdAt: Date.now(), pending: this.processing };
    this.articles.push(article);
    // The article is created even when the answer never leaves (a timeout after sending).
    if (failure === "hang") return "hang";
    return ok({ token: article.token });
  }

  async #invalid(b: Record<string, unknown>): Promise<string | undefined> {
    const len = (v: unknown) => (typeof v === "string" ? [...v].length : -1);
    if (b.type !== "normal") return "type accept only normal and video";
    if (len(b.title) < 1 || len(b.title) > 150) return "title is invalid (1-150 characters)";
    if (len(b.author) < 1 || len(b.author) > 50) return "author is invalid (1-50 characters)";
    if (len(b.description) < 1 || len(b.description) > 300) return "description is invalid (1-300 characters)";
    if (!["show", "hide"].includes(String(b.status)) || !["show", "hide"].includes(String(b.comment))) return "status is invalid";
    const body = b.body as { type?: string; content?: unknown }[] | undefined;
    if (!Array.isArray(body) || body.length === 0) return "body is invalid";
    if (body.some((p) => p.type !== "text" || len(p.content) < 1)) return "body item is invalid";
    const cover = b.cover as { cover_type?: string; photo_url?: string; status?: string } | undefined;
    if (cover?.cover_type !== "photo" || !cover.photo_url || !["show", "hide"].includes(String(cover.status)))
      return "cover value is invalid";
    // Zalo downloads the cover: it must be reachable, a JPEG or PNG, at most 1 MB.
    const res = await fetch(cover.photo_url).catch(() => undefined);
    const bytes = res?.ok ? Buffer.from(await res.arrayBuffer()) : undefined;
    if (!bytes) return "cover photo cannot be downloaded";
    const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
    const png = bytes.subarray(0, 4).toString("latin1") === "\x89PNG";
    if (!jpeg && !png) return "cover photo must be jpg or png";
    if (bytes.length > 1_000_000) return "cover photo is larger than 1MB";
    return undefined;
  }

  #slice(q: URLSearchParams): Reply {
    const offset = Number(q.get("offset") ?? 0);
    const limit = Number(q.get("limit") ?? 10);
    if (limit > 10) return zerr(-201, "maximum limit is 10");
    if (!["normal", "video"].includes(q.get("type") ?? "")) return zerr(-201, "type accept only 2 value normal and video.");
    const done = [...this.articles].reverse();
    const medias = done.slice(offset, offset + limit).map((a) => ({
      id: a.id,
      type: "normal",
      title: a.body.title,
      status: a.body.status,
      create_date: a.createdAt,
      link_view: this.link(a.id),
    }));
    return ok({ medias, total: done.length });
  }

  #broadcast(b: Record<string, unknown> | undefined): Reply {
    const target = (b?.recipient as { target?: unknown } | undefined)?.target;
    const payload = (b?.message as { attachment?: { type?: string; payload?: Record<string, unknown> } } | undefined)?.attachment;
    const elements = payload?.payload?.elements as { media_type?: string; attachment_id?: string }[] | undefined;
    if (!target || payload?.type !== "template" || payload.payload?.template_type !== "media") return zerr(-201, "message is invalid");
    const el = elements?.[0];
    if (elements?.length !== 1 || el?.media_type !== "article" || !this.articles.some((a) => a.id === el.attachment_id)) {
      return zerr(-201, "attachment_id is invalid");
    }
    this.broadcasts.push(b as Record<string, unknown>);
    return ok({ message_id: hex(8) });
  }

  #token(req: http.IncomingMessage, raw: string): Reply {
    if (req.method !== "POST" || !String(req.headers["content-type"]).startsWith("application/x-www-form-urlencoded")) {
      return zerr(-14001, "method or content type is invalid");
    }
    const form = new URLSearchParams(raw);
    if (req.headers.secret_key !== this.app.clientSecret || form.get("app_id") !== this.app.clientId) {
      return { status: 200, body: { error: -14002, error_name: "Invalid app", error_description: "app_id or secret_key is invalid" } };
    }
    if (form.get("grant_type") === "authorization_code") {
      // PKCE: the verifier's SHA-256, base64url, must be the challenge the consent page was opened with.
      const challenge = this.#codes.get(form.get("code") ?? "");
      this.#codes.delete(form.get("code") ?? "");
      const verifier = form.get("code_verifier") ?? "";
      const hashed = crypto.createHash("sha256").update(verifier).digest("base64url");
      if (!challenge || hashed !== challenge) {
        return { status: 200, body: { error: -14019, error_name: "Invalid code", error_description: "code or code_verifier is invalid" } };
      }
      const next = this.grant();
      return {
        status: 200,
        body: { access_token: next.accessToken, refresh_token: next.refreshToken, expires_in: String(this.accessLifeS) },
      };
    }
    if (form.get("grant_type") !== "refresh_token") return zerr(-14003, "grant_type must be authorization_code or refresh_token");
    const given = form.get("refresh_token") ?? "";
    const scripted = this.#refreshFailures.shift();
    if (scripted) {
      this.refreshes.push({ refreshToken: given, answered: "failed" });
      return scripted;
    }
    if (!this.#refresh.delete(given)) {
      this.refreshes.push({ refreshToken: given, answered: "refused" });
      return {
        status: 200,
        body: { error: -14014, error_name: "Invalid refresh token", error_description: "refresh token is invalid or used" },
      };
    }
    this.refreshes.push({ refreshToken: given, answered: "ok" });
    const next = this.grant();
    return {
      status: 200,
      body: { access_token: next.accessToken, refresh_token: next.refreshToken, expires_in: String(this.accessLifeS) },
    };
  }
}
