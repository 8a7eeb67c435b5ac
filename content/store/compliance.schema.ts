import type { ColumnType, Selectable } from "kysely";

type Timestamp = ColumnType<Date, Date, Date>;

/** A publication that counts: by Loa (`delivery_id` set) or self-reported evidence (`self_reported` 1). */
export interface PublicationTable {
  id: string;
  agency_id: string;
  item_id: string;
  channel_kind: string;
  channel_id: string | null;
  delivery_id: string | null;
  published_at: Timestamp;
  url: string | null;
  self_reported: number;
  note: string | null;
  evidence_name: string | null;
  evidence_type: string | null;
  evidence_sha256: string | null;
  evidence_bytes: number | null;
  recorded_by: string;
  created_at: Timestamp;
  /** `broadcaster` (an airing confirmed by the station), `board` (shown on an e-board); null: Loa's delivery or evidence, as `self_reported` says. */
  source: ColumnType<string | null, string | null | undefined, string | null>;
}

/** The tally: one row per publication × task code of its item, with its periods in Asia/Ho_Chi_Minh. */
export interface PublicationTaskTable {
  publication_id: string;
  task_code: string;
  agency_id: string;
  item_id: string;
  item_kind: string;
  channel_kind: string;
  self_reported: number;
  week: string;
  month: string;
  year: string;
}

/** Per task × ISO week × item: bit masks (bit = index in `ChannelKind`) of the channel kinds it was published on. */
export interface PublicationWeekTable {
  task_code: string;
  item_id: string;
  week: string;
  agency_id: string;
  item_kind: string;
  loa_mask: number;
  self_mask: number;
}

export interface ExemptionTable {
  id: string;
  obligation_id: string | null;
  agency_id: string | null;
  period: string;
  reason: string;
  created_by: string;
  created_at: Timestamp;
}

/** A finished period frozen by the clock; rows are inserted once and never updated. */
export interface ClosedPeriodTable {
  obligation_id: string;
  agency_id: string;
  period: string;
  task_code: string;
  min_count: number;
  count: number;
  self_reported: number;
  status: string;
  reason: string | null;
  item_ids: string;
  publication_ids: string;
  computed_at: Timestamp;
  sha256: string;
}

export interface NotificationTable {
  id: string;
  agency_id: string;
  kind: string;
  period: string;
  dedupe_key: string;
  title: string;
  body: string;
  data: string;
  webhook_status: string | null;
  email_status: string | null;
  created_at: Timestamp;
  /** Addressed to one user (an alert to an item's author, a mention), or null: the whole agency (migration 012). */
  user_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export type PublicationRow = Selectable<PublicationTable>;
export type ClosedPeriodRow = Selectable<ClosedPeriodTable>;
export type NotificationRow = Selectable<NotificationTable>;
