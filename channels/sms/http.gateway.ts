import { httpMessageKey } from "../../content/campaigns/sending.js";
import { AppError } from "../../content/errors.js";
import type { HttpClient } from "../../content/ports/adapter.js";
import type { GatewayChannel, SmsAccepted, SmsGateway, SmsMessage } from "../../content/ports/sms.js";
import { send } from "../http.js";
import type { HttpGatewaySettings } from "./sms.settings.js";

/** Kannel's `dlr-mask`: 1 delivered, 2 failed, 16 rejected by the SMSC (4 buffered and 8 submitted say nothing final). */
const KANNEL_DLR_MASK = 1 + 2 + 16;

/** Kannel's answer to a refused sendsms: the reason in its own words, mapped to Loa's codes. */
function kannelError(status: number, body: string): AppError {
  const text = body.trim().slice(0, 200) || `HTTP ${status}`;
  if (status === 403 || /authori[sz]ation failed/i.test(text))
    return new AppError("auth_expired", `Kannel refused the credentials: ${text}`);
  if (status === 503 || status >= 500) return new AppError("channel_unavailable", `Kannel cannot take messages now: ${text}`);
  return new AppError("channel_rejected", `Kannel refused the message: ${text}`);
}

/**
 * An HTTP gateway. With `preset: "kannel"` it speaks Kannel's sendsms interface (GET `…/cgi-bin/sendsms`
 * with `username`, `password`, `from`, `to`, `text`, `coding` 0 or 2 with `charset=UTF-8`, `dlr-mask`
 * and a `dlr-url` back to Loa's callback); Kannel splits long messages itself and answers
 * `202 0: Accepted for delivery` (or `3: Queued for later delivery`). Otherwise it sends the described
 * request and judges the answer by the `success` pattern.
 */
export function createHttpGateway(
  http: HttpClient,
  channel: GatewayChannel,
  s: HttpGatewaySettings,
  parts: (m: SmsMessage) => number,
): SmsGateway {
  const password = channel.secret ?? "";
  return {
    async submit(m: SmsMessage, signal: AbortSignal): Promise<SmsAccepted> {
      const to = m.to.replace(/^\+/, "");
      const key = httpMessageKey(m.ref.campaignId, m.ref.seq);
      const n = Math.max(1, parts(m));
      if (s.preset === "kannel") {
        const dlr = new URL(channel.callbackUrl);
        dlr.searchParams.set("type", "dlr");
        dlr.searchParams.set("c", m.ref.campaignId);
        dlr.searchParams.set("s", String(m.ref.seq));
        // Kannel fills in %d (the DLR status) and %A (the SMSC's answer); they must stay unescaped.
        const dlrUrl = `${dlr.toString()}&status=%d&answer=%A`;
        const q = new URLSearchParams({
          username: s.username ?? "",
          password,
          from: s.sender,
          to,
          text: m.text,
          coding: m.encoding === "GSM-7" ? "0" : "2",
          charset: "UTF-8",
          "dlr-mask": String(KANNEL_DLR_MASK),
          "dlr-url": dlrUrl,
        });
        const url = `${s.url}${s.url.includes("?") ? "&" : "?"}${q.toString()}`;
        const res = await send(http, url, { method: "GET", signal });
        const body = await res.text().catch(() => "");
        if (res.status === 202 || res.status === 200) {
          if (/^\s*[03]:/.test(body)) return { ids: Array(n).fill(key), parts: n };
        }
        throw kannelError(res.status, body);
      }
      const fields = { [s.fields.to]: to, [s.fields.text]: m.text, [s.fields.from]: s.sender };
      const headers: Record<string, string> = {};
      if (s.auth === "basic") headers.authorization = `Basic ${Buffer.from(`${s.username ?? ""}:${password}`).toString("base64")}`;
      if (s.auth === "bearer") headers.authorization = `Bearer ${password}`;
      const url = s.method === "GET" ? `${s.url}${s.url.includes("?") ? "&" : "?"}${new URLSearchParams(fields).toString()}` : s.url;
      const res = await send(http, url, {
        method: s.method,
        signal,
        headers: s.method === "POST" ? { ...headers, "content-type": "application/json; charset=utf-8" } : headers,
        ...(s.method === "POST" ? { body: JSON.stringify(fields) } : {}),
      });
      const body = await res.text().catch(() => "");
      const match = res.ok ? new RegExp(s.success).exec(body) : null;
      if (!match) throw kannelError(res.status, body);
      return { ids: Array(n).fill(match[1] ?? key), parts: n };
    },
    async close() {},
  };
}
