// A stub of Kannel's smsbox `sendsms` interface (Kannel 1.4 user guide, "Sending SMS messages" and
// "Delivery reports"): GET /cgi-bin/sendsms with username/password of a sendsms-user, `to`, `text`,
// `from`, `coding` (0 7-bit, 1 8-bit, 2 UCS-2, with `charset` for the text's encoding), `dlr-mask`
// and `dlr-url` (its %d, %A, %p placeholders filled in when the report comes). It answers like smsbox:
// `202 0: Accepted for delivery`, `403 Authorization failed for sendsms`, `400` for missing or bad
// arguments, and then calls the dlr-url once per part Kannel would send (it splits long messages).
import { splitSms } from "../../templates/text/sms.js";
import { listen, type StubServer } from "./stub-server.js";

export interface KannelMessage {
  to: string;
  from: string;
  text: string;
  coding: number;
  charset: string | undefined;
  dlrMask: number;
  dlrUrl: string | undefined;
  parts: number;
}

export interface KannelStub {
  url: string;
  origin: string;
  messages: KannelMessage[];
  /** The DLR status (%d) each part reports: 1 delivered by default; per recipient with `dlrFor`. */
  dlrFor: (to: string) => number;
  /** Sends an MO message to a URL as Kannel's sms-service get-url does (%p sender, %a text). */
  mo(getUrl: string, from: string, text: string): Promise<number>;
  /** Where Loa really listens, when its PUBLIC_URL is not reachable from here (a test hub on PORT=0). */
  callbackOrigin?: string;
  /** Answers 503 (smsbox queue full / bearerbox down) to the next n requests. */
  failNext(n: number): void;
  stop(): Promise<void>;
}

export async function startKannelStub(user = { username: "loa", password: "mat-khau-kannel" }, dlrDelayMs = 50): Promise<KannelStub> {
  const messages: KannelMessage[] = [];
  let failing = 0;
  const stub: KannelStub = {
    url: "",
    origin: "",
    messages,
    dlrFor: () => 1,
    async mo(getUrl, from, text) {
      const url = getUrl.replace("%p", encodeURIComponent(from)).replace("%a", encodeURIComponent(text));
      return (await fetch(url)).status;
    },
    failNext(n) {
      failing = n;
    },
    stop: async () => undefined,
  };
  const server: StubServer = await listen((req, res, _raw) => {
    const url = new URL(req.url ?? "/", "http://kannel");
    const answer = (status: number, text: string) => {
      res.writeHead(status, { "content-type": "text/html" });
      res.end(text);
    };
    if (url.pathname !== "/cgi-bin/sendsms") return answer(404, "Unknown request");
    if (req.method !== "GET" && req.method !== "POST") return answer(405, "Method not allowed");
    const q = url.searchParams;
    if (q.get("username") !== user.username || q.get("password") !== user.password) return answer(403, "Authorization failed for sendsms");
    if (failing > 0) {
      failing--;
      return answer(503, "Sending messages disabled - try again later");
    }
    const to = q.get("to");
    if (!to) return answer(400, "Missing receiver number");
    if (!/^\+?\d{6,15}$/.test(to)) return answer(400, "Number(s) fail to pass the 'allowed-prefix' check");
    const text = q.get("text");
    if (text === null) return answer(400, "Missing text");
    const from = q.get("from");
    if (!from) return answer(400, "Missing sender number");
    const coding = Number(q.get("coding") ?? "0");
    if (![0, 1, 2].includes(coding)) return answer(400, "Coding field mismatch");
    const charset = q.get("charset") ?? undefined;
    if (coding === 2 && !charset) return answer(400, "Charset or body mismatch");
    const dlrMask = Number(q.get("dlr-mask") ?? "0");
    const dlrUrl = q.get("dlr-url") ?? undefined;
    if (dlrMask && !dlrUrl) return answer(400, "dlr-mask set but no dlr-url");
    let parts: number;
    try {
      parts = Math.max(1, splitSms(text, coding === 2 ? "UCS-2" : "GSM-7").length);
    } catch {
      return answer(400, "Text cannot be encoded in the GSM 7-bit alphabet; use coding=2");
    }
    if (parts > 10) return answer(400, "Message too long (max-messages 10)");
    messages.push({ to, from, text, coding, charset, dlrMask, dlrUrl, parts });
    answer(202, "0: Accepted for delivery");
    if (dlrUrl && dlrMask) {
      const status = stub.dlrFor(to);
      if (dlrMask & status) {
        for (let i = 0; i < parts; i++) {
          const base = stub.callbackOrigin ? dlrUrl.replace(/^https?:\/\/[^/]+/, stub.callbackOrigin) : dlrUrl;
          const target = base
            .replace("%d", String(status))
            .replace("%A", encodeURIComponent(status === 1 ? "id:1 sub:001 dlvrd:001 stat:DELIVRD" : "stat:UNDELIV"))
            .replace("%p", encodeURIComponent(to));
          setTimeout(() => void fetch(target).catch(() => undefined), dlrDelayMs * (i + 1));
        }
      }
    }
  });
  stub.origin = server.origin;
  stub.url = `${server.origin}/cgi-bin/sendsms`;
  stub.stop = () => server.stop();
  return stub;
}
