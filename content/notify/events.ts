// content/notify/: telling people — in-app notifications (to an agency or to one user, with who read
// them), failure alerts, mentions, and outgoing webhooks (subscriptions, signed deliveries, retries).
import { z } from "zod";

/** The events outgoing webhooks may subscribe to. */
export const WebhookEventName = z.enum([
  "item.submitted",
  "item.approved",
  "delivery.published",
  "delivery.failed",
  "delivery.unconfirmed",
  "week.closed",
  "event.progress",
]);
export type WebhookEventName = z.infer<typeof WebhookEventName>;

/** Something that happened, once: `key` makes a repeated report of the same event a no-op. */
export interface OutgoingEvent {
  event: WebhookEventName;
  key: string;
  /** The agency it concerns (subscribers of that agency and every-agency subscribers hear of it); null: every subscriber. */
  agencyId: string | null;
  data: Record<string, unknown>;
  at: Date;
}

/** Where use cases report events; the webhooks service queues one signed delivery per subscriber. */
export interface EventSink {
  emit(e: OutgoingEvent): Promise<void>;
}

export const NO_EVENTS: EventSink = { emit: async () => undefined };
