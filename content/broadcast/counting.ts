// content/broadcast/: the grassroots loudspeakers and e-bulletin boards (task 2.2) and the press
// programme (task 1.4) — stations, weekly scripts, freezing and addenda, airings, boards and playlists,
// programme rundowns. This file is a leaf that the compliance ledger may import without a loop.

/** Channel kinds that are stations: they take a week's script (loudspeakers) or rundown (radio and TV). */
export const STATION_KINDS = ["loudspeaker", "radio_tv"] as const;
export const isStationKind = (kind: string): kind is (typeof STATION_KINDS)[number] => (STATION_KINDS as readonly string[]).includes(kind);

/**
 * Whether a published delivery on this channel counts for compliance by itself. Handing an item to a
 * station is not airing it: a station's items count when its broadcaster confirms them. An item on a
 * pulled e-board counts when a board fetched it while it was showing; a pushed board's delivery counts
 * once the board's CMS scheduled it.
 */
export function countsWhenDelivered(kind: string, settings: Record<string, unknown>): boolean {
  if (isStationKind(kind)) return false;
  if (kind === "bulletin_board") return settings.mode === "push";
  return true;
}

/** Who stands behind a publication, as the ledger marks it. */
export type PublicationSource = "loa" | "evidence" | "broadcaster" | "board";
