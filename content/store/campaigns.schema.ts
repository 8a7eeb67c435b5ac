import type { ColumnType, Selectable } from "kysely";

type Timestamp = ColumnType<Date, Date, Date>;

/** An uploaded list of recipients (issue 10); its rows are `recipient_entries`. */
export interface RecipientListTable {
  id: string;
  agency_id: string;
  name: string;
  accepted: number;
  converted: number;
  duplicates: number;
  refused: number;
  created_by: string;
  created_at: Timestamp;
}

/** One number of a list, E.164, once per list; `commune` targets a segment. */
export interface RecipientEntryTable {
  list_id: string;
  phone: string;
  commune: string | null;
  row_number: number;
}

/** Opted-out numbers, as a keyed hash (HMAC-SHA256 with `sms_keys`' key), never in clear. */
export interface SmsOptOutTable {
  hash: string;
  source: string;
  created_at: Timestamp;
}

/** The opt-out hash key, sealed like a channel secret (re-encrypted by `npm run rotate-key`). */
export interface SmsKeyTable {
  id: string;
  secret: string;
  created_at: Timestamp;
}

export interface CampaignTable {
  id: string;
  agency_id: string;
  delivery_id: string;
  item_id: string;
  channel_id: string;
  /** An SMS channel taking the numbers a ZNS channel cannot reach. */
  fallback_channel_id: string | null;
  list_id: string;
  /** Only the list's rows of this commune or ward, when set. */
  commune: string | null;
  /** running → paused ↔ running → finished | cancelled. */
  status: string;
  text: string;
  encoding: string;
  segments: number;
  total: number;
  /** JSON totals kept when the recipient rows are purged. */
  totals: string | null;
  created_at: Timestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  purged_at: Timestamp | null;
}

/**
 * One message of a campaign to one recipient. In PostgreSQL this table can be partitioned by month of
 * `created_at` (see the README); its key then includes `created_at`.
 */
export interface CampaignRecipientTable {
  campaign_id: string;
  seq: number;
  phone: string;
  status: string;
  /** Why it was skipped, rejected or undelivered. */
  reason: string | null;
  /** `sms` or `zalo_zns`: which channel carried it. */
  via: string | null;
  parts: number;
  parts_done: number;
  parts_delivered: number;
  /** The local day (Asia/Ho_Chi_Minh) it was sent, for the per-recipient daily cap. */
  sent_day: string | null;
  sent_at: Timestamp | null;
  done_at: Timestamp | null;
  created_at: Timestamp;
}

/** A gateway's message ids of sent parts, in every form an SMSC may report them (hex, decimal, lower case). */
export interface SmsMessageIdTable {
  channel_id: string;
  key: string;
  campaign_id: string;
  seq: number;
  part: number;
  created_at: Timestamp;
}

export type CampaignRow = Selectable<CampaignTable>;
export type CampaignRecipientRow = Selectable<CampaignRecipientTable>;
