import { notFound } from "../errors.js";
import type { Agency } from "../model.js";
import type { Db } from "../store/db.js";
import { toAgency } from "../store/rows.js";

export interface FeedEntry {
  itemId: string;
  kind: string;
  title: string;
  body: string;
  /** Where the item can be read: its portal post if any, else another publication's URL. */
  url: string | null;
  publishedAt: Date;
  tasks: string[];
}

const PORTALS = ["webhook", "wordpress"];

/** An agency's most recently published items (each once, at its first publication), for its public feeds. */
export async function publishedItems(db: Db, agencyId: string, limit = 50): Promise<{ agency: Agency; entries: FeedEntry[] }> {
  const agency = await db.selectFrom("agencies").selectAll().where("id", "=", agencyId).executeTakeFirst();
  if (!agency) throw notFound("agency");
  const rows = await db
    .selectFrom("deliveries")
    .innerJoin("items", "items.id", "deliveries.item_id")
    .innerJoin("channels", "channels.id", "deliveries.channel_id")
    .select([
      "items.id",
      "items.kind",
      "items.title",
      "items.body",
      "deliveries.url",
      "deliveries.published_at",
      "channels.kind as channel_kind",
    ])
    .where("deliveries.agency_id", "=", agencyId)
    .where("deliveries.status", "=", "published")
    .orderBy("deliveries.published_at", "desc")
    .limit(limit * 5)
    .execute();
  const byItem = new Map<string, FeedEntry>();
  for (const r of rows) {
    const publishedAt = r.published_at ?? new Date(0);
    const seen = byItem.get(r.id);
    if (!seen) {
      byItem.set(r.id, { itemId: r.id, kind: r.kind, title: r.title, body: r.body, url: r.url, publishedAt, tasks: [] });
      continue;
    }
    if (publishedAt < seen.publishedAt) seen.publishedAt = publishedAt;
    if (r.url && (PORTALS.includes(r.channel_kind) || !seen.url)) seen.url = r.url;
  }
  const entries = [...byItem.values()].slice(0, limit);
  if (entries.length) {
    const tasks = await db
      .selectFrom("item_tasks")
      .selectAll()
      .where(
        "item_id",
        "in",
        entries.map((e) => e.itemId),
      )
      .execute();
    for (const t of tasks) entries.find((e) => e.itemId === t.item_id)?.tasks.push(t.task_code);
  }
  return { agency: toAgency(agency), entries };
}
