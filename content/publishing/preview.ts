import { visible } from "../access.js";
import { AppError } from "../errors.js";
import type { Actor, ChannelKind } from "../model.js";
import type { Problem, RenderedText } from "../ports/adapter.js";
import type { Db } from "../store/db.js";
import type { ChannelRow } from "../store/schema.js";
import type { Built, Loaded, RequestBuilder } from "./request.js";

/** What a bulk schedule has read already for one item: its row, agency, the channels named, tasks and media. */
export interface Preloaded extends Omit<Loaded, "channel"> {
  channels: Map<string, ChannelRow>;
}

/** The delivery id of requests built only to be previewed or checked. */
const PREVIEW_ID = "00000000-0000-4000-8000-000000000000";

export interface ChannelPreview {
  channelId: string;
  channelName: string;
  kind: ChannelKind;
  text: RenderedText;
  problems: Problem[];
}

/** A problem of one delivery in a schedule request, with the request field it belongs to. */
export interface ScheduleProblem extends Problem {
  channelId: string;
}

/**
 * What each channel will show for an item, and what its adapter finds wrong, before anything is
 * scheduled: the same request the publisher will build, so the preview is what will be sent.
 */
export function createPreviewService(db: Db, build: RequestBuilder) {
  async function previewOne(itemId: string, channel: { id: string; name: string; kind: string }, at: Date): Promise<ChannelPreview> {
    const built = await build({ deliveryId: PREVIEW_ID, itemId, channelId: channel.id, scheduledAt: at });
    return {
      channelId: channel.id,
      channelName: channel.name,
      kind: channel.kind as ChannelKind,
      text: built.req.text,
      problems: built.adapter.check(built.req),
    };
  }

  return {
    /** `GET /api/items/:id/preview[?channelId=]`: one entry per channel of the item's agency (or the one asked). */
    async preview(actor: Actor, itemId: string, now: Date, channelId?: string): Promise<ChannelPreview[]> {
      const item = visible(
        actor,
        await db.selectFrom("items").select(["id", "agency_id"]).where("id", "=", itemId).executeTakeFirst(),
        "item",
      );
      let q = db.selectFrom("channels").select(["id", "name", "kind"]).where("agency_id", "=", item.agency_id).orderBy("created_at");
      if (channelId) q = q.where("id", "=", channelId);
      const channels = await q.execute();
      if (channelId && channels.length === 0)
        throw new AppError("not_found", "channel not found for this item's agency", { field: "channelId" });
      return Promise.all(channels.map((c) => previewOne(item.id, c, now)));
    },

    /**
     * Throws a 422 listing every problem of the deliveries to be scheduled, or answers nothing. The
     * item, its agency and the channels are read once; each channel's request is built once and
     * checked at each time, except where the request itself depends on the time (a station's script
     * week, a board's validity), which is built for each delivery.
     */
    async assertPublishable(itemId: string, deliveries: { channelId: string; at: Date }[], pre?: Preloaded): Promise<void> {
      const problems: (ScheduleProblem & { index: number })[] = [];
      const item = pre?.item ?? (await db.selectFrom("items").selectAll().where("id", "=", itemId).executeTakeFirstOrThrow());
      const agency =
        pre?.agency ?? (await db.selectFrom("agencies").select(["id", "name"]).where("id", "=", item.agency_id).executeTakeFirstOrThrow());
      const ids = [...new Set(deliveries.map((d) => d.channelId))];
      const channels =
        pre?.channels ?? new Map((await db.selectFrom("channels").selectAll().where("id", "in", ids).execute()).map((c) => [c.id, c]));
      const once = new Map<string, Built>();
      for (const [index, d] of deliveries.entries()) {
        const channel = channels.get(d.channelId);
        if (!channel) throw new AppError("unprocessable", `unknown channel ${d.channelId}`, { field: `deliveries.${index}.channelId` });
        const target = { deliveryId: PREVIEW_ID, itemId, channelId: channel.id, scheduledAt: d.at };
        let built = once.get(channel.id);
        if (built) built = { ...built, req: { ...built.req, scheduledAt: d.at } };
        else {
          built = await build(target, {
            item,
            agency,
            channel,
            ...(pre?.tasks ? { tasks: pre.tasks } : {}),
            ...(pre?.media ? { media: pre.media } : {}),
          });
          if (!built.req.broadcast) once.set(channel.id, built);
        }
        for (const p of built.adapter.check(built.req)) problems.push({ ...p, channelId: d.channelId, index });
      }
      const first = problems[0];
      if (!first) return;
      throw new AppError("unprocessable", `${problems.length} problem(s) before publishing: ${problems.map((p) => p.en).join("; ")}`, {
        field: `deliveries.${first.index}.channelId`,
        details: { problems: problems.map(({ index, ...p }) => ({ ...p, field: `deliveries.${index}.${p.field}` })) },
      });
    },
  };
}
export type PreviewService = ReturnType<typeof createPreviewService>;
