import type { WebhookStub } from "../stubs/webhook.stub.js";
import type { Api } from "./hub.js";

export const AGENCY = "so-khcn";

/** Registers a webhook channel of `agencyId` pointing at the stub; answers its id. */
export async function webhookChannel(api: Api, stub: WebhookStub, agencyId = AGENCY): Promise<string> {
  const res = await api("POST", "/api/channels", {
    agencyId,
    kind: "webhook",
    name: "Cổng TTĐT",
    settings: { url: stub.url },
    secret: stub.secret,
  });
  if (res.status !== 201) throw new Error(`channel: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

export async function newsItem(api: Api, agencyId = AGENCY, title = "Hướng dẫn nộp hồ sơ trực tuyến"): Promise<string> {
  const res = await api("POST", "/api/items", {
    agencyId,
    kind: "news",
    title,
    body: "Người dân có thể nộp hồ sơ trên Cổng dịch vụ công quốc gia.",
    tasks: ["1.3"],
  });
  if (res.status !== 201) throw new Error(`item: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** Schedules the item on the channel `inMs` from now; answers the delivery id. */
export async function schedule(api: Api, itemId: string, channelId: string, inMs = 0): Promise<string> {
  const res = await api("POST", `/api/items/${itemId}/schedule`, {
    deliveries: [{ channelId, at: new Date(Date.now() + inMs).toISOString() }],
  });
  if (res.status !== 201) throw new Error(`schedule: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data[0].id;
}

/** Waits until the delivery reaches one of the statuses; answers the delivery. */
export async function settled(api: Api, deliveryId: string, statuses: string[], ms = 15_000): Promise<any> {
  const deadline = Date.now() + ms;
  for (;;) {
    const res = await api("GET", `/api/deliveries/${deliveryId}`);
    if (statuses.includes(res.body?.status)) return res.body;
    if (Date.now() > deadline) throw new Error(`delivery ${deliveryId} is ${res.body?.status}, not ${statuses.join("/")} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
