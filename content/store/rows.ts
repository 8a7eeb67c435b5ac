import type {
  Agency,
  AgencyKind,
  Channel,
  ChannelKind,
  Delivery,
  DeliveryStatus,
  Item,
  ItemKind,
  ItemStatus,
  ItemVariants,
  Role,
  User,
} from "../model.js";
import type { AgencyRow, ChannelRow, DeliveryRow, ItemRow, UserRow } from "./schema.js";

export const toAgency = (r: AgencyRow): Agency => ({
  id: r.id,
  code: r.code,
  name: r.name,
  kind: r.kind as AgencyKind,
  parentId: r.parent_id,
  validFrom: r.valid_from,
  validTo: r.valid_to,
  approval: (r.approval ?? "required") as Agency["approval"],
});

export const toChannel = (r: ChannelRow): Channel => ({
  id: r.id,
  agencyId: r.agency_id,
  kind: r.kind as ChannelKind,
  name: r.name,
  settings: JSON.parse(r.settings) as Record<string, unknown>,
  hasSecret: r.secret !== null,
  tokenExpiresAt: r.token_expires_at,
  reconnectReason: r.reconnect_reason,
  createdAt: r.created_at,
});

export const toItem = (r: ItemRow, tasks: string[]): Item => ({
  id: r.id,
  agencyId: r.agency_id,
  kind: r.kind as ItemKind,
  title: r.title,
  body: r.body,
  tasks,
  variants: JSON.parse(r.variants) as ItemVariants,
  status: r.status as ItemStatus,
  createdBy: r.created_by,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id,
  itemId: r.item_id,
  channelId: r.channel_id,
  agencyId: r.agency_id,
  status: r.status as DeliveryStatus,
  scheduledAt: r.scheduled_at,
  runAt: r.run_at,
  attempts: r.attempts,
  lastError: r.last_error,
  externalId: r.external_id,
  url: r.url,
  publishedAt: r.published_at,
  claimedAt: r.claimed_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toUser = (
  r: Omit<UserRow, "deactivated_at" | "login" | "password_hash"> & { deactivated_at?: Date | null; login?: string | null },
): User => ({
  id: r.id,
  name: r.name,
  login: r.login ?? null,
  role: r.role as Role,
  agencyId: r.agency_id,
  email: r.email ?? null,
  active: !r.deactivated_at,
  createdAt: r.created_at,
});
