// What the officers' and approvers' pages read from the API, typed as the API answers it (types only:
// a module of values shared by the lazily loaded pages would cost the calendar one more round trip).
export type DeliveryStatus = "scheduled" | "held" | "publishing" | "published" | "failed" | "unconfirmed" | "cancelled" | "missed";
export type ChannelKind =
  | "webhook"
  | "wordpress"
  | "facebook_page"
  | "zalo_oa"
  | "youtube"
  | "feed"
  | "press"
  | "radio_tv"
  | "loudspeaker"
  | "bulletin_board"
  | "sms";
export type ItemKind = "news" | "photo" | "infographic" | "video" | "radio" | "programme" | "sms";

export interface CalendarDelivery {
  id: string;
  itemId: string;
  title: string;
  itemKind: ItemKind;
  agencyId: string;
  channelId: string;
  channelKind: ChannelKind;
  channelName: string;
  status: DeliveryStatus;
  at: string;
  publishedAt: string | null;
  url: string | null;
}
export interface FreeSlot {
  channelId: string;
  channelName: string;
  at: string;
}
export interface CalendarAnswer {
  deliveries: CalendarDelivery[];
  freeSlots: FreeSlot[];
}
export interface Delivery {
  id: string;
  itemId: string;
  channelId: string;
  status: DeliveryStatus;
  scheduledAt: string;
  attempts: number;
  lastError: string | null;
  url: string | null;
  publishedAt: string | null;
}
export interface Channel {
  id: string;
  agencyId: string;
  kind: ChannelKind;
  name: string;
  settings?: Record<string, unknown>;
}
export interface Item {
  id: string;
  agencyId: string;
  kind: ItemKind;
  title: string;
  body: string;
  tasks: string[];
  variants: Partial<Record<ChannelKind, { title?: string; body?: string }>>;
  status: "draft" | "submitted" | "approved" | "archived";
}
export interface Media {
  id: string;
  kind: string;
  name: string;
  status: "processing" | "ready" | "failed" | "cancelled";
  progress: number;
  error: string | null;
  url: string;
}
export interface Problem {
  field: string;
  vi: string;
  en: string;
}
export interface ChannelPreview {
  channelId: string;
  channelName: string;
  kind: ChannelKind;
  text: { title: string; body: string; html: string; summary: string; hashtags: string[] };
  problems: Problem[];
}
export interface Obligation {
  taskCode: string;
  description: string;
  period: "week" | "month" | "year";
  minCount: number;
}
