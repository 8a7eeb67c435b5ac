import crypto from "node:crypto";
import { z } from "zod";
import { AppError } from "../content/errors.js";
import type { AdapterFactory, ChannelAdapter, Problem, PublishRequest } from "../content/ports/adapter.js";
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

/** A portal CMS that accepts Loa's signed JSON (kind `webhook`). */
export const webhookFactory: AdapterFactory<typeof WebhookSettings> = {
  kind: "webhook",
  settings: WebhookSettings,
  needsSecret: true,
  create(settings, secret, { http }): ChannelAdapter {
    if (!secret) throw new AppError("unprocessable", "a webhook channel needs a secret to sign with", { field: "secret" });
    return {
      kind: "webhook",
      check(req): Problem[] {
        return titleProblems(req.text.title, "the CMS");
      },
      async publish(req, signal) {
        const body = webhookBody(req);
        const res = await send(http, settings.url, {
          method: "POST",
          signal,
          body,
          headers: {
            "content-type": "application/json; charset=utf-8",
            "idempotency-key": req.deliveryId,
            "x-loa-signature": signature(secret, body),
            "user-agent": "Loa/0.1",
          },
        });
        if (!res.ok) throw await errorFromResponse(res, "the CMS");
        const answer = Answer.safeParse(await res.json().catch(() => undefined));
        if (!answer.success) {
          throw new AppError("channel_unconfirmed", `the CMS answered ${res.status} without the post's id`);
        }
        return { externalId: String(answer.data.id), url: answer.data.url ?? null };
      },
    };
  },
};
