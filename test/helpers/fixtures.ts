import type { WebhookStub } from "../stubs/webhook.stub.js";
import { type Api, eventually } from "./hub.js";

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

/** What `createItem` posts unless told otherwise: a news item of AGENCY counting for task 1.3. */
const ITEM_DEFAULTS = {
  agencyId: AGENCY,
  kind: "news",
  title: "Hướng dẫn nộp hồ sơ trực tuyến",
  body: "Người dân có thể nộp hồ sơ trên Cổng dịch vụ công quốc gia.",
  tasks: ["1.3"],
};

/**
 * Creates an item through the API (`fields` replace the defaults) and answers the created item.
 * For tests that only need an item to exist: a test about the API's answer to the creation itself
 * posts its own body.
 */
export async function createItem(api: Api, fields: Record<string, unknown> = {}, token?: string): Promise<any> {
  const res = await api("POST", "/api/items", { ...ITEM_DEFAULTS, ...fields }, token);
  if (res.status !== 201) throw new Error(`item: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function newsItem(api: Api, agencyId = AGENCY, title = ITEM_DEFAULTS.title): Promise<string> {
  return (await createItem(api, { agencyId, title })).id;
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
  let last: unknown;
  return eventually(
    async () => {
      const res = await api("GET", `/api/deliveries/${deliveryId}`);
      last = res.body?.status;
      return statuses.includes(res.body?.status) ? res.body : undefined;
    },
    ms,
    () => `delivery ${deliveryId} to be ${statuses.join("/")}; it is ${last}`,
  );
}
