// A stub of Zalo's ZNS API (developers.zalo.me, "Gửi ZNS"): POST /message/template with the OA's
// `access_token` header and a JSON body {phone (84…), template_id, template_data, tracking_id}. Like
// Zalo it answers HTTP 200 with `error`: 0 and `data.msg_id` on success; -124 for a bad token, -108 for
// a malformed phone, -109 for an unknown template, -112 when template_data misses a parameter, and
// -118 for a number without a Zalo account.
import { listen } from "./stub-server.js";

export interface ZnsSent {
  phone: string;
  templateId: string;
  data: Record<string, string>;
  trackingId: string;
}

export async function startZnsStub(opts: { accessToken: string; templates: Record<string, string[]>; zaloUsers: Set<string> }) {
  const sent: ZnsSent[] = [];
  let n = 0;
  const server = await listen((req, res, raw) => {
    const reply = (error: number, message: string, data?: unknown) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ error, message, ...(data ? { data } : {}) }));
    };
    if (req.method !== "POST" || req.url !== "/message/template") {
      res.writeHead(404).end();
      return;
    }
    if (req.headers.access_token !== opts.accessToken) return reply(-124, "Access token is invalid");
    let body: { phone?: string; template_id?: string; template_data?: Record<string, string>; tracking_id?: string };
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      return reply(-112, "Template data invalid");
    }
    if (!body.phone || !/^84\d{9}$/.test(body.phone)) return reply(-108, "Phone number invalid");
    const params = opts.templates[body.template_id ?? ""];
    if (!params) return reply(-109, "Template ID invalid");
    const data = body.template_data ?? {};
    if (params.some((p) => typeof data[p] !== "string" || !data[p])) return reply(-112, "Template data invalid");
    if (!opts.zaloUsers.has(body.phone)) return reply(-118, "Zalo account not existed or inactive");
    sent.push({ phone: body.phone, templateId: body.template_id ?? "", data, trackingId: body.tracking_id ?? "" });
    reply(0, "Success", { msg_id: `zns${++n}`, sent_time: String(Date.now()) });
  });
  return { origin: server.origin, sent, stop: () => server.stop() };
}
