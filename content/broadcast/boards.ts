import crypto from "node:crypto";
import fsp from "node:fs/promises";
import path from "node:path";
import { periodEnd, periodStart } from "../compliance/periods.js";
import { notFound } from "../errors.js";
import type { Actor, Channel } from "../model.js";
import type { SlideRenderer } from "../ports/broadcast.js";
import type { Clock } from "../ports/clock.js";
import type { MediaStore } from "../ports/media.js";
import type { Db } from "../store/db.js";
import { isoWeek } from "../time.js";
import { recordConfirmed } from "./confirmed.js";
import { attributesOf, DEFAULT_ATTRIBUTES, PRIORITY_LABEL } from "./items.js";
import { BoardSettings, visibleStation } from "./stations.js";

/** The short text of a slide: the body's first sentences, at most `max` characters. */
export function slideText(body: string, max = 280): string {
  const flat = body.normalize("NFC").replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const sentence = cut.lastIndexOf(". ");
  return sentence > max / 2 ? cut.slice(0, sentence + 1) : `${cut.slice(0, cut.lastIndexOf(" ")).trimEnd()}…`;
}

/** The first web address in a text, as the QR code's target; else the board's service URL. */
export function qrTarget(body: string, fallback: string): string {
  const url = /\bhttps?:\/\/[^\s<>"')]+/i.exec(body)?.[0] ?? /\b(?:[a-z0-9-]+\.)+gov\.vn(?:\/[^\s<>"')]*)?/i.exec(body)?.[0];
  if (!url) return fallback;
  return (/^https?:/i.test(url) ? url : `https://${url}`).replace(/[.,;:]+$/, "");
}

export interface PlaylistEntry {
  itemId: string;
  deliveryId: string;
  title: string;
  text: string;
  priority: string;
  priorityLabel: string;
  /** The slide (PNG, 1920×1080) on this hub. */
  slide: string;
  durationSeconds: number;
  validFrom: string;
  validUntil: string;
  /** Showing now (between its validity's start and end). */
  showing: boolean;
}

/**
 * E-bulletin boards: each item a 1920×1080 slide (rendered once for what it shows, and kept), and a
 * board's playlist for the current week. When the board itself (its broadcaster account) fetches the
 * playlist, each item showing then counts for 2.2, once, as shown on the `bulletin_board` channel.
 */
export function createBoards(db: Db, clock: Clock, slides: SlideRenderer, store: MediaStore, publicUrl: string, tmpDir: string) {
  async function logoOf(agencyId: string) {
    const row = await db
      .selectFrom("agency_logos")
      .innerJoin("media_variants", "media_variants.media_id", "agency_logos.media_id")
      .select("media_variants.storage_key")
      .where("agency_logos.agency_id", "=", agencyId)
      .where("media_variants.name", "=", "original.webp")
      .executeTakeFirst();
    return row?.storage_key;
  }

  /** The slide of an item on a board, as PNG bytes. */
  async function slide(itemId: string, board: Channel): Promise<Buffer> {
    const settings = BoardSettings.parse(board.settings);
    const item = await db
      .selectFrom("items")
      .select(["id", "title", "body", "agency_id"])
      .where("id", "=", itemId)
      .executeTakeFirstOrThrow();
    const agency = await db.selectFrom("agencies").select(["name"]).where("id", "=", item.agency_id).executeTakeFirstOrThrow();
    const attrs = (await attributesOf(db, [itemId])).get(itemId) ?? DEFAULT_ATTRIBUTES;
    const urgent = attrs.priority === "khan_cap";
    const logoKey = await logoOf(item.agency_id);
    const content = {
      title: item.title,
      text: slideText(item.body),
      qrUrl: qrTarget(item.body, settings.serviceUrl),
      agencyName: agency.name,
      ...(urgent ? { badge: PRIORITY_LABEL.khan_cap.toUpperCase() } : {}),
    };
    const layout = urgent ? "urgent" : settings.layout;
    const key = `broadcast/slides/${crypto
      .createHash("sha256")
      .update(JSON.stringify([content, layout, logoKey ?? null]))
      .digest("hex")}.png`;
    const stored = await store.read(key).catch(() => undefined);
    if (stored) {
      const chunks: Buffer[] = [];
      for await (const c of stored.stream) chunks.push(Buffer.from(c as Uint8Array));
      return Buffer.concat(chunks);
    }
    const logo = logoKey ? await store.localCopy(logoKey) : undefined;
    try {
      const png = await slides.render({ ...content, ...(logo ? { logo: logo.path } : {}) }, layout);
      await fsp.mkdir(tmpDir, { recursive: true });
      const tmp = path.join(tmpDir, `slide-${crypto.randomBytes(8).toString("hex")}.png`);
      await fsp.writeFile(tmp, png);
      await store.putFile(key, tmp);
      return png;
    } finally {
      await logo?.release();
    }
  }

  async function playlist(
    actor: Actor,
    boardId: string,
  ): Promise<{ board: { id: string; name: string }; week: string; generatedAt: string; totalSeconds: number; items: PlaylistEntry[] }> {
    const board = await visibleStation(db, actor, boardId, ["bulletin_board"]);
    const settings = BoardSettings.parse(board.settings);
    const now = clock.now();
    const week = isoWeek(now);
    const end = periodEnd(week);
    // Items scheduled up to this week, still valid at some time in it (a slide may show for several weeks).
    const rows = await db
      .selectFrom("deliveries")
      .innerJoin("items", "items.id", "deliveries.item_id")
      .select([
        "deliveries.id as delivery_id",
        "deliveries.scheduled_at",
        "items.id",
        "items.title",
        "items.body",
        "items.kind",
        "items.agency_id",
      ])
      .where("deliveries.channel_id", "=", board.id)
      .where("deliveries.status", "not in", ["cancelled", "failed", "missed"])
      .where("deliveries.scheduled_at", "<", end)
      .where("deliveries.scheduled_at", ">=", new Date(periodStart(week).getTime() - 366 * 86_400_000))
      .orderBy("deliveries.scheduled_at")
      .execute();
    const attrs = await attributesOf(db, [...new Set(rows.map((r) => r.id))]);
    const items: PlaylistEntry[] = [];
    for (const r of rows) {
      const a = attrs.get(r.id) ?? DEFAULT_ATTRIBUTES;
      const validFrom = new Date(Math.max(r.scheduled_at.getTime(), a.validFrom?.getTime() ?? 0));
      const validUntil = a.validUntil ?? periodEnd(isoWeek(r.scheduled_at));
      if (validUntil <= periodStart(week) || validUntil <= validFrom) continue;
      items.push({
        itemId: r.id,
        deliveryId: r.delivery_id,
        title: r.title,
        text: slideText(r.body),
        priority: a.priority,
        priorityLabel: PRIORITY_LABEL[a.priority],
        slide: `${publicUrl}/api/boards/${board.id}/slides/${r.id}.png`,
        durationSeconds: settings.slideSeconds,
        validFrom: validFrom.toISOString(),
        validUntil: validUntil.toISOString(),
        showing: validFrom <= now && now < validUntil,
      });
      if (actor.role === "broadcaster" && settings.mode === "pull" && validFrom <= now && now < validUntil) {
        await recordShown(r, board, actor, now);
      }
    }
    // Urgent slides first, then in time order.
    items.sort((x, y) => Number(y.priority === "khan_cap") - Number(x.priority === "khan_cap") || x.validFrom.localeCompare(y.validFrom));
    return {
      board: { id: board.id, name: board.name },
      week,
      generatedAt: now.toISOString(),
      totalSeconds: items.filter((i) => i.showing).length * settings.slideSeconds,
      items,
    };
  }

  const recordShown = (r: { delivery_id: string; id: string; kind: string; agency_id: string }, board: Channel, actor: Actor, now: Date) =>
    recordConfirmed(db, {
      id: `shown-${r.delivery_id}`,
      item: r,
      channel: board,
      deliveryId: r.delivery_id,
      publishedAt: now,
      recordedBy: actor.id,
      source: "board",
      now,
    });

  return {
    slide,
    playlist,
    async slideOf(actor: Actor, boardId: string, itemId: string): Promise<Buffer> {
      const board = await visibleStation(db, actor, boardId, ["bulletin_board"]);
      const delivered = await db
        .selectFrom("deliveries")
        .select("id")
        .where("channel_id", "=", board.id)
        .where("item_id", "=", itemId)
        .executeTakeFirst();
      if (!delivered) throw notFound("slide");
      return slide(itemId, board);
    },
  };
}
export type Boards = ReturnType<typeof createBoards>;
