import http from "node:http";
import type { AddressInfo } from "node:net";
import busboy from "busboy";

/**
 * A Xibo-like CMS of an e-bulletin board, checking requests as the real API does: an OAuth
 * client-credentials token first (`POST /api/authorize/access_token`, 401 for other credentials), a
 * bearer token on every call, a multipart library upload with `name` and `files`, and a schedule event
 * (`eventTypeId` 7, a known `mediaId`, `displayGroupIds[]`, `fromDt`/`toDt` as `YYYY-MM-DD HH:MM:SS`).
 */
export class XiboStub {
  readonly uploads: { mediaId: number; name: string; png: Buffer }[] = [];
  readonly events: Record<string, unknown>[] = [];
  #server: http.Server | undefined;
  #token = "xibo-token-abc123";
  url = "";

  constructor(
    readonly clientId: string,
    readonly clientSecret: string,
  ) {}

  async start(): Promise<this> {
    this.#server = http.createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve) => this.#server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }

  #json(res: http.ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  }

  async #form(req: http.IncomingMessage): Promise<URLSearchParams> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? "/", this.url);
    if (req.method === "POST" && url.pathname === "/api/authorize/access_token") {
      const f = await this.#form(req);
      if (
        f.get("grant_type") !== "client_credentials" ||
        f.get("client_id") !== this.clientId ||
        f.get("client_secret") !== this.clientSecret
      ) {
        return this.#json(res, 401, { error: "invalid_client", error_description: "Client authentication failed" });
      }
      return this.#json(res, 200, { access_token: this.#token, token_type: "Bearer", expires_in: 3600 });
    }
    if (req.headers.authorization !== `Bearer ${this.#token}`) return this.#json(res, 401, { error: "access_denied" });
    if (req.method === "GET" && url.pathname === "/api/library") {
      return this.#json(
        res,
        200,
        this.uploads.filter((u) => u.name === url.searchParams.get("media")).map(({ mediaId, name }) => ({ mediaId, name })),
      );
    }
    if (req.method === "POST" && url.pathname === "/api/library") {
      const fields: Record<string, string> = {};
      const files: Buffer[] = [];
      await new Promise<void>((resolve, reject) => {
        const bb = busboy({ headers: req.headers });
        bb.on("field", (k, v) => {
          fields[k] = v;
        });
        bb.on("file", (_k, stream) => {
          const parts: Buffer[] = [];
          stream.on("data", (c: Buffer) => parts.push(c));
          stream.on("end", () => files.push(Buffer.concat(parts)));
        });
        bb.on("close", resolve);
        bb.on("error", reject);
        req.pipe(bb);
      });
      const png = files[0];
      if (!fields.name || !png?.subarray(1, 4).equals(Buffer.from("PNG")))
        return this.#json(res, 200, { files: [{ error: "no valid file" }] });
      const mediaId = 100 + this.uploads.length;
      this.uploads.push({ mediaId, name: fields.name, png });
      return this.#json(res, 200, { files: [{ mediaId, name: fields.name }] });
    }
    if (req.method === "POST" && url.pathname === "/api/schedule") {
      const f = await this.#form(req);
      const date = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
      const known = this.uploads.some((u) => String(u.mediaId) === f.get("mediaId"));
      if (
        f.get("eventTypeId") !== "7" ||
        !known ||
        !f.getAll("displayGroupIds[]").length ||
        !date.test(f.get("fromDt") ?? "") ||
        !date.test(f.get("toDt") ?? "")
      ) {
        return this.#json(res, 422, { message: "invalid schedule event" });
      }
      const event = { ...Object.fromEntries(f.entries()), displayGroupIds: f.getAll("displayGroupIds[]") };
      this.events.push(event);
      return this.#json(res, 201, { eventId: 500 + this.events.length });
    }
    this.#json(res, 404, { message: "no route" });
  }
}
