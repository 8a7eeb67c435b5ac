// Deliveries with what a person reads about them (the item's title and kind, the channel's kind and
// name) in a range of scheduled times: what the calendar, the iCal feed and the schedule export show.
import type { Db } from "../store/db.js";

/** The deliveries scheduled in `[from, to)`, of one agency when given, in time order; the caller adds filters and a limit. */
export function deliveryLines(db: Db, from: Date, to: Date, agencyId?: string) {
  const q = db
    .selectFrom("deliveries")
    .innerJoin("items", "items.id", "deliveries.item_id")
    .innerJoin("channels", "channels.id", "deliveries.channel_id")
    .select([
      "deliveries.id",
      "deliveries.item_id",
      "deliveries.agency_id",
      "deliveries.channel_id",
      "deliveries.status",
      "deliveries.scheduled_at",
      "deliveries.published_at",
      "deliveries.updated_at",
      "deliveries.url",
      "deliveries.last_error",
      "items.title",
      "items.kind as item_kind",
      "channels.kind as channel_kind",
      "channels.name as channel_name",
    ])
    .where("deliveries.scheduled_at", ">=", from)
    .where("deliveries.scheduled_at", "<", to)
    .orderBy("deliveries.scheduled_at")
    .orderBy("deliveries.id");
  return agencyId ? q.where("deliveries.agency_id", "=", agencyId) : q;
}
