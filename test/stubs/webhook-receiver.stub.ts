import crypto from "node:crypto";
import { listen, type StubServer } from "./stub-server.js";

export interface ReceivedEvent {
  deliveryId: string;
  event: string;
  timestamp: number;
  signature: string;
  raw: string;
  body: Record<string, unknown>;
}

/**
 * A subscriber of Loa's outgoing webhooks, checking what the README tells receivers to check (written
 * independently of Loa's signing code): `X-Loa-Signature` is `sha256=` and the hex HMAC-SHA256, with the
 * subscriber's secret, of `<X-Loa-Timestamp>.<raw body>`, compared in constant time; the timestamp
 * is within 5 minutes of the receiver's clock; a delivery id already processed is answered 200 again
 * and not processed twice. A bad or stale signature is a 401; scripted answers come first.
 */
export class WebhookReceiverStub {
  readonly events: ReceivedEvent[] = [];
  readonly requests: { deliveryId: string | undefined; status: number }[] = [];
  readonly #script: number[] = [];
  #server: StubServer | undefined;
  secret = "";
  /** The receiver's clock (tests move it to replay an old request). */
  now = () => Date.now();
  url = "";

  script(...statuses: number[]): this {
    this.#script.push(...statuses);
    return this;
  }

  async start(): Promise<this> {
    this.#server = await listen((req, res, raw) => {
      const h = (name: string) => {
        const v = req.headers[name];
        return Array.isArray(v) ? v[0] : v;
      };
      const deliveryId = h("x-loa-delivery");
      const reply = (status: number, body: unknown) => {
        this.requests.push({ deliveryId, status });
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      const scripted = this.#script.shift();
      if (scripted !== undefined) return reply(scripted, { message: "scripted" });
      const text = raw.toString("utf8");
      const timestamp = Number(h("x-loa-timestamp"));
      const given = h("x-loa-signature") ?? "";
      const expected = `sha256=${crypto.createHmac("sha256", this.secret).update(`${timestamp}.${text}`).digest("hex")}`;
      const same = given.length === expected.length && crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected));
      if (!same) return reply(401, { message: "bad signature" });
      if (!Number.isInteger(timestamp) || Math.abs(this.now() / 1000 - timestamp) > 300) return reply(401, { message: "stale timestamp" });
      if (req.method !== "POST" || !String(h("content-type")).startsWith("application/json"))
        return reply(400, { message: "JSON POST only" });
      if (!deliveryId) return reply(400, { message: "X-Loa-Delivery missing" });
      if (!this.events.some((e) => e.deliveryId === deliveryId)) {
        this.events.push({ deliveryId, event: h("x-loa-event") ?? "", timestamp, signature: given, raw: text, body: JSON.parse(text) });
      }
      reply(200, { ok: true });
    });
    this.url = `${this.#server.origin}/loa-events`;
    return this;
  }

  async stop(): Promise<void> {
    await this.#server?.stop();
  }
}
