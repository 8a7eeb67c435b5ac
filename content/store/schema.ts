import type { ColumnType, Selectable } from "kysely";
import type {
  BroadcastAiringTable,
  BroadcastAudioTable,
  BroadcastItemTable,
  BroadcastScriptTable,
  ProgrammeRundownTable,
  UserStationTable,
} from "./broadcast.schema.js";
import type {
  ClosedPeriodTable,
  ExemptionTable,
  NotificationTable,
  PublicationTable,
  PublicationTaskTable,
  PublicationWeekTable,
} from "./compliance.schema.js";
import type { CalendarFeedTable, RecurrenceDeliveryTable, RecurrenceTable } from "./planning.schema.js";
import type {
  ItemCommentTable,
  ItemTransitionTable,
  NotificationReadTable,
  WebhookAttemptTable,
  WebhookEventTable,
  WebhookTable,
} from "./workflow.schema.js";

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
  /** Whether officers' items need the agency's approver (`required`) or officers approve their own (`self`), migration 012. */
  approval: ColumnType<string, string | undefined, string>;
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
  token_expires_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  reconnect_reason: ColumnType<string | null, string | null | undefined, string | null>;
  reconnect_flagged_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OAuthStateTable {
  id: string;
  channel_id: string;
  verifier: string;
  /** Who started the connect flow (migration 005); the callback must come back as them. */
  user_id: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
}

export interface ItemTable {
  id: string;
  agency_id: string;
  kind: string;
  title: string;
  body: string;
  status: string;
  /** JSON: per channel kind, `{title?, body?}` replacing the template's inputs. */
  variants: ColumnType<string, string | undefined, string>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** The content hash of the approved version (migration 012): a change after approval needs approval again. */
  approved_hash: ColumnType<string | null, string | null | undefined, string | null>;
  /** The status an archived item had, restored when it is unarchived (migration 012). */
  archived_from: ColumnType<string | null, string | null | undefined, string | null>;
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
  /** Where compliance reminders are e-mailed (migration 002). */
  email: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  /** Set when an admin deactivated the user: their tokens stop working (migration 005). */
  deactivated_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** The user name of the web app's sign-in, lower-case NFC (migration 014); null for API-only users. */
  login: ColumnType<string | null, string | null | undefined, string | null>;
  /** The argon2id hash (PHC string) of the password (migration 014). */
  password_hash: ColumnType<string | null, string | null | undefined, string | null>;
}

/** A web session: the SHA-256 of the cookie's value, its CSRF token and expiry (migration 014). */
export interface SessionTable {
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface TokenTable {
  id: string;
  user_id: string;
  hash: string;
  /** What the owner called it ("CMS của Sở"), migration 005. */
  name: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  /** Null only for the configured admin token, which follows the environment. */
  expires_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
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
  /** The agency concerned, when the writer knew it (migration 012). */
  agency_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface MediaTable {
  id: string;
  agency_id: string;
  kind: string;
  mime: string;
  name: string;
  bytes: number;
  sha256: string;
  storage_key: string;
  /** JSON of the probe: dimensions, duration, codecs. */
  probe: string;
  status: string;
  progress: number;
  error: string | null;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MediaVariantTable {
  media_id: string;
  name: string;
  profile: string;
  mime: string;
  storage_key: string;
  bytes: number;
  width: number | null;
  height: number | null;
  duration_ms: number | null;
  created_at: Timestamp;
}

export interface ItemMediaTable {
  item_id: string;
  media_id: string;
  position: number;
}

export interface AgencyLogoTable {
  agency_id: string;
  media_id: string;
  updated_at: Timestamp;
}

export interface Database {
  agencies: AgencyTable;
  obligations: ObligationTable;
  channels: ChannelTable;
  oauth_states: OAuthStateTable;
  items: ItemTable;
  item_tasks: ItemTaskTable;
  deliveries: DeliveryTable;
  users: UserTable;
  tokens: TokenTable;
  sessions: SessionTable;
  audit_log: AuditTable;
  publications: PublicationTable;
  publication_tasks: PublicationTaskTable;
  publication_weeks: PublicationWeekTable;
  exemptions: ExemptionTable;
  closed_periods: ClosedPeriodTable;
  notifications: NotificationTable;
  media: MediaTable;
  media_variants: MediaVariantTable;
  item_media: ItemMediaTable;
  agency_logos: AgencyLogoTable;
  user_stations: UserStationTable;
  broadcast_items: BroadcastItemTable;
  broadcast_scripts: BroadcastScriptTable;
  broadcast_airings: BroadcastAiringTable;
  broadcast_audio: BroadcastAudioTable;
  programme_rundowns: ProgrammeRundownTable;
  recurrences: RecurrenceTable;
  recurrence_deliveries: RecurrenceDeliveryTable;
  calendar_feeds: CalendarFeedTable;
  item_transitions: ItemTransitionTable;
  item_comments: ItemCommentTable;
  notification_reads: NotificationReadTable;
  webhooks: WebhookTable;
  webhook_events: WebhookEventTable;
  webhook_attempts: WebhookAttemptTable;
}

export type DeliveryRow = Selectable<DeliveryTable>;
export type ItemRow = Selectable<ItemTable>;
export type ChannelRow = Selectable<ChannelTable>;
export type AgencyRow = Selectable<AgencyTable>;
export type UserRow = Selectable<UserTable>;
export type TokenRow = Selectable<TokenTable>;
export type MediaRow = Selectable<MediaTable>;
export type MediaVariantRow = Selectable<MediaVariantTable>;
