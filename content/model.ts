import { z } from "zod";

/** Kinds of agency in the plan; districts and communes are the grassroots levels. */
export const AgencyKind = z.enum(["department", "district", "commune", "press", "city_office", "dost"]);
export type AgencyKind = z.infer<typeof AgencyKind>;

/** Kinds of content an officer queues (task 1.3 lists news, photos, infographics, motion graphics, video). */
export const ItemKind = z.enum(["news", "photo", "infographic", "video", "radio", "programme", "sms"]);
export type ItemKind = z.infer<typeof ItemKind>;

export const ItemStatus = z.enum(["draft", "submitted", "approved", "archived"]);
export type ItemStatus = z.infer<typeof ItemStatus>;

/**
 * Kinds of channel: every kind the plan's obligations name. Those with an adapter in
 * `channels/registry.ts` can be created and published to; the others can already be named by
 * obligations and self-reported evidence.
 */
export const ChannelKind = z.enum([
  "webhook",
  "wordpress",
  "facebook_page",
  "zalo_oa",
  "youtube",
  "feed",
  "press",
  "radio_tv",
  "loudspeaker",
  "bulletin_board",
  "sms",
]);
export type ChannelKind = z.infer<typeof ChannelKind>;

/** `held`: scheduled before its item was approved; publishes nothing until approval (then `scheduled`). */
export const DeliveryStatus = z.enum(["scheduled", "held", "publishing", "published", "failed", "unconfirmed", "cancelled", "missed"]);
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

/** `approver`: an agency's leader or spokesperson, who approves its officers' items (issue 12). */
export const Role = z.enum(["admin", "auditor", "officer", "broadcaster", "approver"]);
export type Role = z.infer<typeof Role>;

export const PeriodKind = z.enum(["week", "month", "year"]);
export type PeriodKind = z.infer<typeof PeriodKind>;

/** A task code of the plan's appendix: `1.3`, `2.2`, `3.3`. */
export const TaskCode = z.string().regex(/^\d\.\d{1,2}$/, "a task code of the plan, such as 1.3");

export interface Agency {
  id: string;
  code: string;
  name: string;
  kind: AgencyKind;
  parentId: string | null;
  validFrom: string;
  validTo: string | null;
  /** Officers' items need the agency's approver (`required`, the default), or officers approve their own (`self`). */
  approval: AgencyApproval;
}

export const AgencyApproval = z.enum(["required", "self"]);
export type AgencyApproval = z.infer<typeof AgencyApproval>;

export interface Obligation {
  id: string;
  taskCode: string;
  description: string;
  agencyKinds: AgencyKind[];
  agencyIds: string[];
  itemKinds: ItemKind[];
  channelKinds: ChannelKind[];
  period: PeriodKind;
  minCount: number;
  validFrom: string;
  validTo: string | null;
}

export interface Channel {
  id: string;
  agencyId: string;
  kind: ChannelKind;
  name: string;
  settings: Record<string, unknown>;
  hasSecret: boolean;
  /** When the stored access token expires (OAuth providers), if known. */
  tokenExpiresAt: Date | null;
  /** Why an officer must reconnect the account (expired or revoked token), or null. */
  reconnectReason: string | null;
  createdAt: Date;
}

export const ItemVariant = z.strictObject({
  title: z.string().trim().min(1).max(500).optional(),
  body: z.string().trim().min(1).max(100_000).optional(),
});
export const ItemVariants = z.partialRecord(ChannelKind, ItemVariant);
export type ItemVariants = z.infer<typeof ItemVariants>;

export interface Item {
  id: string;
  agencyId: string;
  kind: ItemKind;
  title: string;
  body: string;
  tasks: string[];
  /** Per channel kind, the item's own title/body replacing the template's inputs. */
  variants: ItemVariants;
  status: ItemStatus;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface Delivery {
  id: string;
  itemId: string;
  channelId: string;
  agencyId: string;
  status: DeliveryStatus;
  scheduledAt: Date;
  runAt: Date;
  attempts: number;
  lastError: string | null;
  externalId: string | null;
  url: string | null;
  publishedAt: Date | null;
  claimedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface User {
  id: string;
  name: string;
  /** The web app's user name (sign-in with a password), or null for a user who only has API tokens. */
  login?: string | null;
  role: Role;
  agencyId: string | null;
  /** Where compliance reminders are e-mailed, if anywhere. */
  email: string | null;
  /** False once an admin deactivated the user: none of their tokens works then. */
  active: boolean;
  createdAt: Date;
}

/** Who is acting: the user behind a request's token, or the system itself (clock, workers). */
export type Actor = User | { id: "system"; role: "system"; name: "system"; agencyId: null };
export const SYSTEM: Actor = { id: "system", role: "system", name: "system", agencyId: null };
