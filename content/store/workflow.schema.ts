import type { ColumnType, Selectable } from "kysely";

/** Timestamps are `timestamptz` in PostgreSQL and ISO 8601 UTC text in SQLite; code sees `Date`. */
type Timestamp = ColumnType<Date, Date, Date>;

/** One change of an item's status (migration 012): submitted, approved, returned, archived … */
export interface ItemTransitionTable {
  id: string;
  item_id: string;
  agency_id: string;
  from_status: string | null;
  to_status: string;
  action: string;
  actor_id: string;
  comment: string | null;
  /** The content hash the item had then (what was approved, for `approve`). */
  content_hash: string | null;
  occurred_at: Timestamp;
}

export interface ItemCommentTable {
  id: string;
  item_id: string;
  agency_id: string;
  parent_id: string | null;
  author_id: string;
  body: string;
  /** JSON: the ids of the users mentioned. */
  mentions: string;
  created_at: Timestamp;
}

export interface NotificationReadTable {
  notification_id: string;
  user_id: string;
  read_at: Timestamp;
}

/** An outgoing webhook subscription: an agency's (officers') or every agency's (admins', `agency_id` null). */
export interface WebhookTable {
  id: string;
  agency_id: string | null;
  url: string;
  /** JSON array of event names. */
  events: string;
  /** The signing secret, sealed by the secret box. */
  secret: string;
  paused_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WebhookEventTable {
  id: string;
  webhook_id: string;
  event: string;
  /** What makes the event once: `delivery.failed:<delivery id>`. */
  event_key: string;
  payload: string;
  /** `pending`, `delivered`, `failed` (gave up). */
  status: string;
  attempts: number;
  next_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WebhookAttemptTable {
  id: string;
  event_id: string;
  webhook_id: string;
  attempt: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  attempted_at: Timestamp;
}

export type ItemTransitionRow = Selectable<ItemTransitionTable>;
export type ItemCommentRow = Selectable<ItemCommentTable>;
export type WebhookRow = Selectable<WebhookTable>;
export type WebhookEventRow = Selectable<WebhookEventTable>;
export type WebhookAttemptRow = Selectable<WebhookAttemptTable>;
