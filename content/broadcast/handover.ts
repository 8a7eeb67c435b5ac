import { periodEnd, periodStart } from "../compliance/periods.js";
import type { Channel } from "../model.js";
import type { Problem } from "../ports/adapter.js";
import type { BroadcastHandover, ReadAloudTools } from "../ports/broadcast.js";
import type { Clock } from "../ports/clock.js";
import type { Db } from "../store/db.js";
import { isoWeek } from "../time.js";
import { isStationKind } from "./counting.js";
import { attributesOf, DEFAULT_ATTRIBUTES } from "./items.js";
import { recordedItems, type Scripts, stationProfile, toEntry } from "./scripts.js";
import { BoardSettings } from "./stations.js";

/** When a delivery is handed to its channel: a station gets its week's items when the week starts (an addendum at once). */
export function handOverAt(kind: string, at: Date, now: Date): Date {
  if (!isStationKind(kind)) return at;
  return new Date(Math.max(now.getTime(), periodStart(isoWeek(at)).getTime()));
}

/** The URLs of a station's week on this hub. */
export function weekUrls(publicUrl: string, stationId: string, week: string, itemId: string) {
  const base = `${publicUrl}/api/broadcast/stations/${stationId}/weeks/${week}`;
  return { audio: `${base}/items/${itemId}.mp3`, script: base, text: `${base}.txt`, rss: `${base}.rss`, programme: `${base}.mp3` };
}

const frozenProblem = (week: string): Problem => ({
  field: "at",
  vi: `Kịch bản tuần ${week} đã chốt khi tuần bắt đầu: chỉ tin khẩn cấp được bổ sung; hãy lên lịch sang tuần sau hoặc đánh dấu khẩn cấp`,
  en: `the script of ${week} froze when the week started: only an urgent (khan_cap) item can be added; schedule it for next week or mark it urgent`,
});

export interface HandoverTarget {
  deliveryId: string;
  itemId: string;
  scheduledAt: Date;
}

/**
 * What a station's or a board's adapter is handed with an item, for the request builder: the entry as
 * the week's script has it (or the slide and its validity), and the problems of scheduling it now.
 */
export function createHandover(
  db: Db,
  clock: Clock,
  tools: ReadAloudTools,
  scripts: Scripts,
  publicUrl: string,
  slide: (itemId: string, channel: Channel) => Promise<Buffer>,
) {
  return async function handover(t: HandoverTarget, channel: Channel): Promise<BroadcastHandover | undefined> {
    // Other channels have nothing to hand over: no reads on their publish path.
    if (channel.kind !== "bulletin_board" && !isStationKind(channel.kind)) return undefined;
    const week = isoWeek(t.scheduledAt);
    const now = clock.now();
    const item = await db.selectFrom("items").select(["id", "kind", "title", "body"]).where("id", "=", t.itemId).executeTakeFirstOrThrow();
    const attrs = (await attributesOf(db, [item.id])).get(item.id) ?? DEFAULT_ATTRIBUTES;
    const delivery = await db.selectFrom("deliveries").select(["created_at"]).where("id", "=", t.deliveryId).executeTakeFirst();
    const createdAt = delivery?.created_at ?? now;
    const start = periodStart(week);
    if (channel.kind === "bulletin_board") {
      const s = BoardSettings.parse(channel.settings);
      const validFrom = new Date(Math.max(t.scheduledAt.getTime(), attrs.validFrom?.getTime() ?? 0));
      const validUntil = attrs.validUntil ?? periodEnd(week);
      const problems: Problem[] =
        validUntil <= validFrom
          ? [
              {
                field: "at",
                vi: "Tin đã hết hiệu lực trước thời điểm lên bảng tin",
                en: "the item's validity ends before it would be shown",
              },
            ]
          : [];
      return { kind: "board", validFrom, validUntil, durationSeconds: s.slideSeconds, slide: () => slide(item.id, channel), problems };
    }
    if (!isStationKind(channel.kind)) return undefined;
    // Building the handover of a delivery of a started week freezes the week's script first.
    if (delivery && now >= start) await scripts.compile(channel, week, now);
    const profile = stationProfile(channel);
    const recorded = await recordedItems(db, [item.id]);
    const entry = toEntry(
      { ...item, deliveryId: t.deliveryId, scheduledAt: t.scheduledAt, createdAt },
      attrs,
      recorded.has(item.id),
      profile,
      week,
      start,
      tools,
    );
    return {
      kind: "station",
      week,
      slot: new Date(entry.slot),
      addendum: entry.addendum,
      priority: entry.priority,
      validFrom: new Date(entry.validFrom),
      validUntil: new Date(entry.validUntil),
      readAloud: entry.readAloud,
      readingSeconds: entry.readingSeconds,
      synthetic: entry.synthetic,
      urls: weekUrls(publicUrl, channel.id, week, item.id),
      problems: entry.addendum && now >= start && entry.priority !== "khan_cap" ? [frozenProblem(week)] : [],
    };
  };
}
export type Handover = ReturnType<typeof createHandover>;
