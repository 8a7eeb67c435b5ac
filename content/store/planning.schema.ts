import type { ColumnType, Selectable } from "kysely";

type Timestamp = ColumnType<Date, Date, Date>;

/** A repeating delivery of one item on one channel (migration 013): weekly or monthly, until a date or a count. */
export interface RecurrenceTable {
  id: string;
  item_id: string;
  channel_id: string;
  agency_id: string;
  /** `week` or `month`. */
  every: string;
  interval: number;
  /** The first occurrence; the others keep its local weekday (or day of the month) and time. */
  first_at: Timestamp;
  /** The last local date (Asia/Ho_Chi_Minh, `YYYY-MM-DD`) an occurrence may fall on, or null. */
  until_date: string | null;
  /** How many occurrences in all, or null. */
  count: number | null;
  /** The index of the next occurrence to create, and its time (null once the rule has ended). */
  next_index: number;
  next_at: ColumnType<Date | null, Date | null, Date | null>;
  created_by: string;
  created_at: Timestamp;
  stopped_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

/** Which delivery each occurrence became: the primary key makes each occurrence one delivery, whoever creates it. */
export interface RecurrenceDeliveryTable {
  recurrence_id: string;
  occurrence: number;
  delivery_id: string;
}

/** A private iCal feed of an agency's deliveries: the URL carries a token, stored here hashed (SHA-256). */
export interface CalendarFeedTable {
  id: string;
  agency_id: string;
  name: string;
  token_hash: string;
  created_by: string;
  created_at: Timestamp;
  revoked_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export type RecurrenceRow = Selectable<RecurrenceTable>;
