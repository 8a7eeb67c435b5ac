import type { ColumnType, Selectable } from "kysely";

/** Timestamps are `timestamptz` in PostgreSQL and ISO 8601 UTC text in SQLite; code sees `Date`. */
type Timestamp = ColumnType<Date, Date, Date>;
/** Calendar dates in Asia/Ho_Chi_Minh, as `YYYY-MM-DD` text in both databases. */
type CalendarDate = string;

export interface AgencyTable {
  id: string;
  code: string;
  name: string;
  kind: string;
  parent_id: string | null;
  valid_from: CalendarDate;
  valid_to: CalendarDate | null;
}

export interface ObligationTable {
  id: string;
  task_code: string;
  description: string;
  agency_kinds: string;
  agency_ids: string;
  item_kinds: string;
  channel_kinds: string;
  period: string;
  min_count: number;
  valid_from: CalendarDate;
  valid_to: CalendarDate | null;
}

export interface ChannelTable {
  id: string;
  agency_id: string;
  kind: string;
  name: string;
  settings: string;
  secret: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ItemTable {
  id: string;
  agency_id: string;
  kind: string;
  title: string;
  body: string;
  status: string;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ItemTaskTable {
  item_id: string;
  task_code: string;
}

export interface DeliveryTable {
  id: string;
  item_id: string;
  channel_id: string;
  agency_id: string;
  status: string;
  scheduled_at: Timestamp;
  run_at: Timestamp;
  attempts: number;
  last_error: string | null;
  external_id: string | null;
  url: string | null;
  published_at: Timestamp | null;
  claimed_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface UserTable {
  id: string;
  name: string;
  role: string;
  agency_id: string | null;
  created_at: Timestamp;
}

export interface TokenTable {
  id: string;
  user_id: string;
  hash: string;
  created_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface AuditTable {
  id: string;
  occurred_at: Timestamp;
  actor_id: string;
  action: string;
  entity: string;
  entity_id: string;
  details: string;
}

export interface Database {
  agencies: AgencyTable;
  obligations: ObligationTable;
  channels: ChannelTable;
  items: ItemTable;
  item_tasks: ItemTaskTable;
  deliveries: DeliveryTable;
  users: UserTable;
  tokens: TokenTable;
  audit_log: AuditTable;
}

export type DeliveryRow = Selectable<DeliveryTable>;
export type ItemRow = Selectable<ItemTable>;
export type ChannelRow = Selectable<ChannelTable>;
export type AgencyRow = Selectable<AgencyTable>;
export type UserRow = Selectable<UserTable>;
