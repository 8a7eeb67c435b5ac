import { insertPublication, NO_EVIDENCE } from "../compliance/ledger.js";
import type { Db } from "../store/db.js";
import type { PublicationSource } from "./counting.js";

/**
 * Records what a station's broadcaster or a board confirmed as a counted publication of a delivery
 * (once: the same id again is left as it is), with the item's task codes at that time.
 */
export async function recordConfirmed(
  db: Db,
  p: {
    id: string;
    item: { id: string; kind: string; agency_id: string };
    channel: { id: string; kind: string };
    deliveryId: string;
    publishedAt: Date;
    recordedBy: string;
    source: Extract<PublicationSource, "broadcaster" | "board">;
    now: Date;
  },
): Promise<void> {
  const tasks = (await db.selectFrom("item_tasks").select("task_code").where("item_id", "=", p.item.id).execute()).map((t) => t.task_code);
  await insertPublication(
    db,
    {
      id: p.id,
      agency_id: p.item.agency_id,
      item_id: p.item.id,
      channel_kind: p.channel.kind,
      channel_id: p.channel.id,
      delivery_id: p.deliveryId,
      published_at: p.publishedAt,
      url: null,
      self_reported: 0,
      ...NO_EVIDENCE,
      recorded_by: p.recordedBy,
      created_at: p.now,
      source: p.source,
    },
    p.item.kind,
    tasks,
  );
}
