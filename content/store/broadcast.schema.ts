import type { ColumnType, Selectable } from "kysely";

type Timestamp = ColumnType<Date, Date, Date>;

/** A broadcaster's stations (channels of kind loudspeaker, radio_tv or bulletin_board): all they may read. */
export interface UserStationTable {
  user_id: string;
  channel_id: string;
}

/** What broadcasting needs to know about an item besides its text; an item without a row is `thuong`, valid its week. */
export interface BroadcastItemTable {
  item_id: string;
  priority: string;
  valid_from: Timestamp | null;
  valid_until: Timestamp | null;
  /** The officer's own read-aloud text; null: the automatic one. */
  read_aloud: string | null;
  updated_by: string;
  updated_at: Timestamp;
}

/** A week's script as it stood when the week started (JSON of `ScriptEntry[]`, opening and closing). */
export interface BroadcastScriptTable {
  channel_id: string;
  week: string;
  frozen_at: Timestamp;
  content: string;
}

export interface BroadcastAiringTable {
  id: string;
  channel_id: string;
  week: string;
  item_id: string;
  delivery_id: string;
  aired_at: Timestamp;
  confirmed_by: string;
  created_at: Timestamp;
}

/** An MP3 made once for what went into it (`key`: a hash of the text, voice and engine, or of the recording). */
export interface BroadcastAudioTable {
  key: string;
  storage_key: string;
  bytes: number;
  duration_ms: number;
  synthetic: number;
  created_at: Timestamp;
}

export interface ProgrammeRundownTable {
  item_id: string;
  /** JSON of `Segment[]`. */
  segments: string;
  updated_by: string;
  updated_at: Timestamp;
}

export type BroadcastItemRow = Selectable<BroadcastItemTable>;
export type BroadcastAudioRow = Selectable<BroadcastAudioTable>;
