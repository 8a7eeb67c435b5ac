// What the officers' and approvers' pages read from the API: the server's own types, as JSON carries
// them (instants as ISO 8601 strings). Type-only imports: nothing of the server is bundled. (Types only:
// a module of values shared by the lazily loaded pages would cost the calendar one more round trip.)
import type { Delivery as ApiDelivery, Item as ApiItem, ChannelKind, DeliveryStatus, ItemKind } from "../../../../content/model.js";
import type { Problem } from "../../../../content/ports/adapter.js";
import type { CalendarDelivery as ApiCalendarDelivery } from "../../../../content/publishing/calendar.js";
import type { ChannelPreview as ApiChannelPreview } from "../../../../content/publishing/preview.js";

/** A server type as its JSON arrives: dates become strings. */
type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };

export type CalendarDelivery = Json<ApiCalendarDelivery>;
export interface FreeSlot {
  channelId: string;
  channelName: string;
  at: string;
}
export interface CalendarAnswer {
  deliveries: CalendarDelivery[];
  freeSlots: FreeSlot[];
}
export type Delivery = Json<ApiDelivery>;
export interface Channel {
  id: string;
  agencyId: string;
  kind: ChannelKind;
  name: string;
  settings?: Record<string, unknown>;
}
export type Item = Json<ApiItem>;
export interface Media {
  id: string;
  kind: string;
  name: string;
  status: "processing" | "ready" | "failed" | "cancelled";
  progress: number;
  error: string | null;
  url: string;
}
export type { ChannelKind, DeliveryStatus, ItemKind, Problem };
export type ChannelPreview = ApiChannelPreview;
export interface Obligation {
  taskCode: string;
  description: string;
  period: "week" | "month" | "year";
  minCount: number;
}
