import { visible } from "../access.js";
import { AppError } from "../errors.js";
import type { Actor, ChannelKind } from "../model.js";
import type { Problem, RenderedText } from "../ports/adapter.js";
import type { Db } from "../store/db.js";
import type { RequestBuilder } from "./request.js";

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
    const built = await build({ deliveryId: "00000000-0000-4000-8000-000000000000", itemId, channelId: channel.id, scheduledAt: at });
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

    /** Throws a 422 listing every problem of the deliveries to be scheduled, or answers nothing. */
    async assertPublishable(itemId: string, deliveries: { channelId: string; at: Date }[]): Promise<void> {
      const problems: (ScheduleProblem & { index: number })[] = [];
      for (const [index, d] of deliveries.entries()) {
        const channel = await db
          .selectFrom("channels")
          .select(["id", "name", "kind"])
          .where("id", "=", d.channelId)
          .executeTakeFirstOrThrow();
        for (const p of (await previewOne(itemId, channel, d.at)).problems) problems.push({ ...p, channelId: d.channelId, index });
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
