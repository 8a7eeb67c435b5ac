import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/** One scripted answer; unscripted requests are accepted. */
export type StubReply = { status: number; body?: unknown; headers?: Record<string, string> } | { hang: true };

export interface Received {
  key: string;
  body: Record<string, unknown>;
  raw: string;
}

/**
 * A portal CMS receiving Loa's signed webhook, as a real receiver would: it refuses a missing or wrong
 * `X-Loa-Signature` (401), a missing `Idempotency-Key` or a non-JSON body (400), and answers a key it
 * has seen with the same post instead of creating another. It can be scripted to fail, throttle or hang.
 */
export class WebhookStub {
  /** Posts created, one per idempotency key. */
  readonly posts: Received[] = [];
  /** Every request that reached the handler, including refused and hung ones. */
  readonly requests: { key: string | undefined; status: number | "hang" }[] = [];
  readonly #script: StubReply[] = [];
  readonly #byKey = new Map<string, { id: string; url: string }>();
  readonly #hung = new Set<http.ServerResponse>();
  #server: http.Server | undefined;
  url = "";
  /**
   * How long the receiver takes to answer after it has created the post: a worker killed in that
   * window leaves a post whose answer it never read (what `unconfirmed` is for).
   */
  delayMs = 0;
  /** While set, asked for each request before the script: a provider's outage (500s, 429s, hanging) until cleared. */
  fault: (() => StubReply | undefined) | undefined;

  constructor(readonly secret: string) {}

  /** The next requests get these answers, in order. */
  script(...replies: StubReply[]): this {
    this.#script.push(...replies);
    return this;
  }

  async start(): Promise<this> {
    this.#server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => this.#handle(req, res, Buffer.concat(chunks).toString("utf8")));
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/loa`;
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.#hung) res.destroy();
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }

  #reply(res: http.ServerResponse, key: string | undefined, status: number, body: unknown, headers: Record<string, string> = {}) {
    this.requests.push({ key, status });
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string) {
    const key = req.headers["idempotency-key"] as string | undefined;
    if (req.method !== "POST") return this.#reply(res, key, 405, { message: "POST only" });
    const expected = `sha256=${crypto.createHmac("sha256", this.secret).update(raw).digest("hex")}`;
    const given = String(req.headers["x-loa-signature"] ?? "");
    if (given.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
      return this.#reply(res, key, 401, { message: "bad signature" });
    }
    if (!key) return this.#reply(res, key, 400, { message: "Idempotency-Key is required" });
    if (!String(req.headers["content-type"]).startsWith("application/json")) {
      return this.#reply(res, key, 415, { message: "JSON only" });
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return this.#reply(res, key, 400, { message: "malformed JSON" });
    }
    const scripted = this.fault?.() ?? this.#script.shift();
    if (scripted && "hang" in scripted) {
      this.requests.push({ key, status: "hang" });
      this.#hung.add(res);
      return;
    }
    if (scripted && (scripted.status < 200 || scripted.status > 299)) {
      return this.#reply(res, key, scripted.status, scripted.body ?? { message: "scripted failure" }, scripted.headers);
    }
    const existing = this.#byKey.get(key);
    if (existing) return this.#later(() => this.#reply(res, key, 200, existing));
    const post = { id: `post-${this.posts.length + 1}`, url: `https://cong.cantho.gov.vn/tin/${this.posts.length + 1}` };
    this.#byKey.set(key, post);
    this.posts.push({ key, body, raw });
    this.#later(() => this.#reply(res, key, 201, post));
  }

  #later(answer: () => void) {
    if (this.delayMs > 0) setTimeout(answer, this.delayMs);
    else answer();
  }
}
