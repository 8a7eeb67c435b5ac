import type http from "node:http";
import { listen, type StubServer } from "./stub-server.js";

/** One scripted answer for the next request to a route; unscripted requests are served. */
export type WpReply = { status: number; body?: unknown; headers?: Record<string, string> } | { hang: true };
type Route = "posts" | "media" | "categories" | "tags";

export interface WpPost {
  id: number;
  slug: string;
  status: string;
  link: string;
  title: string;
  content: string;
  excerpt: string;
  featured_media: number;
  categories: number[];
  tags: number[];
}
export interface WpMedia {
  id: number;
  filename: string;
  mime: string;
  bytes: Buffer;
  title: string;
  alt_text: string;
  source_url: string;
}

const ALLOWED_MIME: Record<string, string[]> = {
  "image/jpeg": ["jpg", "jpeg"],
  "image/png": ["png"],
  "image/webp": ["webp"],
  "video/mp4": ["mp4"],
};
const STATUSES = ["publish", "future", "draft", "pending", "private"];
const wpError = (code: string, message: string, status: number, extra: Record<string, unknown> = {}) => ({
  status,
  body: { code, message, data: { status, ...extra } },
});

/**
 * A WordPress site's REST API v2 (`/wp-json/wp/v2/`), as documented at developer.wordpress.org/rest-api:
 * Basic auth with an Application Password (`incorrect_password` 401 otherwise), raw-body media uploads
 * that need `Content-Disposition` with a filename and an allowed type, JSON posts whose featured media,
 * categories and tags must exist, term search and creation (`term_exists`), `search` over title and
 * content with `status` lists for authenticated users, and WordPress's `{code, message, data.status}`
 * errors. It can be scripted to fail or hang per route; a hung post is still created.
 */
export class WordpressStub {
  readonly posts: WpPost[] = [];
  readonly media: WpMedia[] = [];
  readonly terms: Record<"categories" | "tags", { id: number; name: string; slug: string }[]> = {
    categories: [{ id: 1, name: "Chưa phân loại", slug: "uncategorized" }],
    tags: [],
  };
  /** Every request: method, path (without `/wp-json/wp/v2/`) and answer. */
  readonly requests: { method: string; path: string; status: number | "hang" }[] = [];
  readonly #script: { route: Route; reply: WpReply }[] = [];
  #server: StubServer | undefined;
  #nextId = 100;
  url = "";
  /** Largest upload the site accepts (PHP's `upload_max_filesize`). */
  maxUploadBytes = 8 * 1024 * 1024;

  constructor(
    readonly user = "bientap",
    readonly password = "abcd EFGH 1234 ijkl MNOP 6789",
  ) {}

  get secret(): string {
    return `${this.user}:${this.password}`;
  }

  /** The next request to `route` (the post creation unless said otherwise) gets this answer. */
  script(reply: WpReply, route: Route = "posts"): this {
    this.#script.push({ route, reply });
    return this;
  }

  async start(): Promise<this> {
    this.#server = await listen((req, res, raw) => this.#handle(req, res, raw));
    this.url = `${this.#server.origin}/portal`;
    return this;
  }

  async stop(): Promise<void> {
    await this.#server?.stop();
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer) {
    const url = new URL(req.url ?? "/", "http://stub");
    const method = req.method ?? "GET";
    const path = url.pathname.replace(/^\/portal\/wp-json\/wp\/v2\//, "");
    const reply = (r: { status: number; body?: unknown; headers?: Record<string, string> }) => {
      this.requests.push({ method, path, status: r.status });
      res.writeHead(r.status, { "content-type": "application/json; charset=UTF-8", ...r.headers });
      res.end(JSON.stringify(r.body ?? null));
    };
    if (path === url.pathname) return reply(wpError("rest_no_route", "No route was found matching the URL and request method.", 404));
    const auth = req.headers.authorization ?? "";
    const [user, ...rest] = Buffer.from(auth.replace(/^Basic /, ""), "base64")
      .toString("utf8")
      .split(":");
    if (!auth.startsWith("Basic ") || user !== this.user) {
      return reply(wpError("invalid_username", "Unknown username. Check again or try your email address.", 401));
    }
    if (rest.join(":").replace(/ /g, "") !== this.password.replace(/ /g, "")) {
      return reply(wpError("incorrect_password", "The provided password is an invalid application password.", 401));
    }
    const route = path.split("/")[0] as Route;
    const scripted = this.#script.findIndex((s) => s.route === route && method === "POST");
    const script = scripted >= 0 ? this.#script.splice(scripted, 1)[0]?.reply : undefined;
    if (script && !("hang" in script)) return reply(script);
    const answer = this.#route(method, path, url.searchParams, req, raw);
    if (script) {
      // Hung: the site acted (a post is created) but the answer never comes.
      this.requests.push({ method, path, status: "hang" });
      this.#server?.hang(res);
      return;
    }
    reply(answer);
  }

  #route(method: string, path: string, query: URLSearchParams, req: http.IncomingMessage, raw: Buffer) {
    if (path === "posts" && method === "GET") return this.#listPosts(query);
    if (path === "posts" && method === "POST") return this.#createPost(req, raw);
    if (path === "media" && method === "POST") return this.#upload(req, raw, query);
    if ((path === "categories" || path === "tags") && method === "GET") {
      const search = (query.get("search") ?? "").toLocaleLowerCase("vi");
      return { status: 200, body: this.terms[path].filter((t) => t.name.toLocaleLowerCase("vi").includes(search)).map(escapeTerm) };
    }
    if ((path === "categories" || path === "tags") && method === "POST") {
      const parsed = json(req, raw);
      if (!parsed.ok) return parsed.error;
      const name = typeof parsed.body.name === "string" ? parsed.body.name.trim() : "";
      if (!name) return wpError("rest_missing_callback_param", "Missing parameter(s): name", 400, { params: ["name"] });
      const existing = this.terms[path].find((t) => t.name.toLocaleLowerCase("vi") === name.toLocaleLowerCase("vi"));
      if (existing) return wpError("term_exists", "A term with the name provided already exists.", 400, { term_id: existing.id });
      const term = { id: this.#nextId++, name, slug: name.toLowerCase().replace(/\s+/g, "-") };
      this.terms[path].push(term);
      return { status: 201, body: escapeTerm(term) };
    }
    return wpError("rest_no_route", "No route was found matching the URL and request method.", 404);
  }

  #listPosts(query: URLSearchParams) {
    const statuses = (query.get("status") ?? "publish").split(",");
    const bad = statuses.find((s) => !STATUSES.includes(s) && s !== "any");
    if (bad)
      return wpError("rest_invalid_param", `Invalid parameter(s): status`, 400, {
        params: { status: `status[0] is not one of ${STATUSES.join(", ")}.` },
      });
    const terms = (query.get("search") ?? "").split(/\s+/).filter(Boolean);
    const found = this.posts
      .filter((p) => statuses.includes("any") || statuses.includes(p.status))
      .filter((p) => terms.every((t) => `${p.title} ${p.excerpt} ${p.content}`.includes(t)))
      .slice(-Number(query.get("per_page") ?? 10))
      .reverse();
    const edit = query.get("context") === "edit";
    return {
      status: 200,
      body: found.map((p) => ({
        id: p.id,
        link: p.link,
        slug: p.slug,
        title: { rendered: p.title, ...(edit ? { raw: p.title } : {}) },
        content: { rendered: p.content, ...(edit ? { raw: p.content } : {}) },
      })),
    };
  }

  #createPost(req: http.IncomingMessage, raw: Buffer) {
    const parsed = json(req, raw);
    if (!parsed.ok) return parsed.error;
    const b = parsed.body;
    const str = (k: string) => (typeof b[k] === "string" ? (b[k] as string) : "");
    if (!str("title") && !str("content") && !str("excerpt")) return wpError("empty_content", "Content, title, and excerpt are empty.", 400);
    const status = str("status") || "draft";
    if (!STATUSES.includes(status))
      return wpError("rest_invalid_param", "Invalid parameter(s): status", 400, { params: { status: "invalid" } });
    const featured = Number(b.featured_media ?? 0);
    if (featured && !this.media.some((m) => m.id === featured))
      return wpError("rest_invalid_featured_media", "Invalid featured media ID.", 400);
    for (const tax of ["categories", "tags"] as const) {
      const ids = b[tax] ?? [];
      if (!Array.isArray(ids) || ids.some((id) => !Number.isInteger(id) || !this.terms[tax].some((t) => t.id === id))) {
        return wpError("rest_invalid_param", `Invalid parameter(s): ${tax}`, 400, {
          params: { [tax]: `${tax} must be existing term ids.` },
        });
      }
    }
    const id = this.#nextId++;
    const slug = `${
      str("title")
        .normalize("NFD")
        .replace(/[\u0300-\u036f]/g, "")
        .replace(/đ/gi, "d")
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "") || id
    }`;
    const post: WpPost = {
      id,
      slug,
      status,
      link: status === "publish" ? `${this.url}/${slug}/` : `${this.url}/?p=${id}`,
      title: str("title"),
      content: str("content"),
      excerpt: str("excerpt"),
      featured_media: featured,
      categories: (b.categories as number[] | undefined) ?? [1],
      tags: (b.tags as number[] | undefined) ?? [],
    };
    this.posts.push(post);
    return {
      status: 201,
      body: { ...post, title: { raw: post.title, rendered: post.title }, content: { raw: post.content, rendered: post.content } },
    };
  }

  #upload(req: http.IncomingMessage, raw: Buffer, query: URLSearchParams) {
    const disposition = req.headers["content-disposition"] ?? "";
    const filename = /filename="?([^";]+)"?/.exec(disposition)?.[1];
    if (!disposition) return wpError("rest_upload_no_content_disposition", "No Content-Disposition supplied.", 400);
    if (!filename)
      return wpError(
        "rest_upload_invalid_disposition",
        'Invalid Content-Disposition supplied. Content-Disposition needs to be formatted as `attachment; filename="image.png"` or similar.',
        400,
      );
    if (!raw.length) return wpError("rest_upload_no_data", "No data supplied.", 400);
    if (raw.length > this.maxUploadBytes)
      return wpError("rest_upload_file_too_big", "This file is too big. Files must be less than 8 MB in size.", 400);
    const mime = String(req.headers["content-type"] ?? "").split(";")[0] ?? "";
    const ext = filename.split(".").pop()?.toLowerCase() ?? "";
    const jpegOk = mime !== "image/jpeg" || (raw[0] === 0xff && raw[1] === 0xd8 && raw[2] === 0xff);
    if (!ALLOWED_MIME[mime]?.includes(ext) || !jpegOk) {
      return wpError("rest_upload_sideload_error", "Sorry, you are not allowed to upload this file type.", 500);
    }
    const id = this.#nextId++;
    const item: WpMedia = {
      id,
      filename,
      mime,
      bytes: raw,
      title: query.get("title") ?? filename,
      alt_text: query.get("alt_text") ?? "",
      source_url: `${this.url}/wp-content/uploads/2026/12/${filename}`,
    };
    this.media.push(item);
    return {
      status: 201,
      body: {
        id,
        source_url: item.source_url,
        media_type: "image",
        mime_type: mime,
        alt_text: item.alt_text,
        title: { rendered: item.title },
      },
    };
  }
}

function escapeTerm(t: { id: number; name: string; slug: string }) {
  return { ...t, name: t.name.replace(/&/g, "&amp;") };
}

type Parsed = { ok: true; body: Record<string, unknown> } | { ok: false; error: ReturnType<typeof wpError> };

function json(req: http.IncomingMessage, raw: Buffer): Parsed {
  if (!String(req.headers["content-type"] ?? "").startsWith("application/json")) {
    return {
      ok: false,
      error: wpError("rest_invalid_param", "Loa's stub accepts JSON bodies only (Content-Type: application/json).", 400),
    };
  }
  try {
    return { ok: true, body: JSON.parse(raw.toString("utf8")) as Record<string, unknown> };
  } catch {
    return { ok: false, error: wpError("rest_invalid_json", "Invalid JSON body passed.", 400) };
  }
}
