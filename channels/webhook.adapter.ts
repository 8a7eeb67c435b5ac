import crypto from "node:crypto";
import { z } from "zod";
import { AppError } from "../content/errors.js";
import type { AdapterFactory, ChannelAdapter, HttpClient, Problem, PublishRequest, PublishResult } from "../content/ports/adapter.js";
import { titleProblems } from "./checks.js";
import { errorFromResponse, send } from "./http.js";

export const WebhookSettings = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: "an http(s) URL" }),
});
export type WebhookSettings = z.infer<typeof WebhookSettings>;

/** `sha256=<hex>` HMAC of the raw body: what a receiving CMS recomputes with the shared secret. */
export function signature(secret: string, body: string): string {
  return `sha256=${crypto.createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** The JSON document the CMS receives. */
export function webhookBody(req: PublishRequest): string {
  return JSON.stringify({
    deliveryId: req.deliveryId,
    scheduledAt: req.scheduledAt.toISOString(),
    agency: req.agency,
    item: req.item,
    /** The channel's template output: what a portal should show (`html`) and its excerpt (`summary`). */
    text: req.text,
    // Only present when the item carries media, so receivers written before media keep working.
    ...(req.media ? { media: req.media } : {}),
  });
}

const Answer = z.object({ id: z.union([z.string().min(1), z.number()]), url: z.string().nullish() });

/**
 * POSTs a JSON body signed with the shared secret (`X-Loa-Signature`), the delivery id as its
 * `Idempotency-Key`; the receiver answers `{id, url?}`. The CMS webhook and pushed loudspeaker
 * stations speak it alike.
 */
export async function postSigned(
  http: HttpClient,
  url: string,
  secret: string,
  deliveryId: string,
  body: string,
  signal: AbortSignal,
  receiver: string,
): Promise<PublishResult> {
  const res = await send(http, url, {
    method: "POST",
    signal,
    body,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "idempotency-key": deliveryId,
      "x-loa-signature": signature(secret, body),
      "user-agent": "Loa/0.1",
    },
  });
  if (!res.ok) throw await errorFromResponse(res, receiver);
  const answer = Answer.safeParse(await res.json().catch(() => undefined));
  if (!answer.success) throw new AppError("channel_unconfirmed", `${receiver} answered ${res.status} without the post's id`);
  return { externalId: String(answer.data.id), url: answer.data.url ?? null };
}

/** A portal CMS that accepts Loa's signed JSON (kind `webhook`). */
export const webhookFactory: AdapterFactory<typeof WebhookSettings> = {
  kind: "webhook",
  settings: WebhookSettings,
  needsSecret: true,
  create(settings, secret, { http }): ChannelAdapter {
    if (!secret) throw new AppError("unprocessable", "a webhook channel needs a secret to sign with", { field: "secret" });
    return {
      kind: "webhook",
      idempotent: true,
      check(req): Problem[] {
        return titleProblems(req.text.title, "the CMS");
      },
      publish: (req, signal) => postSigned(http, settings.url, secret, req.deliveryId, webhookBody(req), signal, "the CMS"),
    };
  },
};
