import { type ItemMediaState, itemMediaState } from "../media/attachments.js";
import type { Channel, ChannelKind, ItemKind, ItemVariants } from "../model.js";
import type { AdapterRegistry, BuiltAdapter, OAuthApp, PublishRequest } from "../ports/adapter.js";
import type { BroadcastHandover } from "../ports/broadcast.js";
import type { Clock } from "../ports/clock.js";
import type { MediaStore } from "../ports/media.js";
import type { Renderer } from "../ports/renderer.js";
import type { SecretBox } from "../secrets.js";
import type { Db } from "../store/db.js";
import { toChannel } from "../store/rows.js";

/** Channel kinds that are an agency's portal: other channels link back to the item there. */
const PORTAL_KINDS: ChannelKind[] = ["webhook", "wordpress"];

export interface Target {
  deliveryId: string;
  itemId: string;
  channelId: string;
  scheduledAt: Date;
}

/** The adapter, its channel's limits and timeout, and the request it is given for one delivery. */
export interface Built extends BuiltAdapter {
  req: PublishRequest;
  channelKind: ChannelKind;
  /** For the publisher: a failed or cancelled attachment fails the delivery; a processing one delays it. */
  media: ItemMediaState;
}

/**
 * Assembles what an adapter is given for one item on one channel — rendered text, media, agency — and
 * the adapter itself. The publisher, the checks before scheduling and the preview all use it, so an
 * officer previews exactly what will be sent.
 */
export function createRequestBuilder(
  db: Db,
  registry: AdapterRegistry,
  box: SecretBox,
  renderer: Renderer,
  media: MediaStore,
  clock: Clock,
  apps: Partial<Record<"facebook" | "zalo" | "google", OAuthApp>>,
  /** For stations and e-boards: the item as the week's script or the board has it (content/broadcast). */
  handover?: (t: Target, channel: Channel) => Promise<BroadcastHandover | undefined>,
) {
  async function portalLink(itemId: string, channelKind: ChannelKind): Promise<string | null> {
    if (PORTAL_KINDS.includes(channelKind)) return null;
    const row = await db
      .selectFrom("deliveries")
      .innerJoin("channels", "channels.id", "deliveries.channel_id")
      .select("deliveries.url")
      .where("deliveries.item_id", "=", itemId)
      .where("deliveries.status", "=", "published")
      .where("channels.kind", "in", PORTAL_KINDS)
      .where("deliveries.url", "is not", null)
      .orderBy("deliveries.published_at", "desc")
      .executeTakeFirst();
    return row?.url ?? null;
  }

  return async function build(t: Target): Promise<Built> {
    const item = await db.selectFrom("items").selectAll().where("id", "=", t.itemId).executeTakeFirstOrThrow();
    const agency = await db.selectFrom("agencies").select(["id", "name"]).where("id", "=", item.agency_id).executeTakeFirstOrThrow();
    const channel = await db.selectFrom("channels").selectAll().where("id", "=", t.channelId).executeTakeFirstOrThrow();
    const tasks = (await db.selectFrom("item_tasks").select("task_code").where("item_id", "=", item.id).orderBy("task_code").execute()).map(
      (r) => r.task_code,
    );
    const kind = channel.kind as ChannelKind;
    const settings = JSON.parse(channel.settings) as Record<string, unknown>;
    const hashtags = Array.isArray(settings.hashtags) ? settings.hashtags.filter((h): h is string => typeof h === "string") : [];
    const itemText = { kind: item.kind, title: item.title, body: item.body, tasks };
    const text = await renderer.render({
      item: itemText,
      agency,
      channelKind: kind,
      link: await portalLink(item.id, kind),
      hashtags,
      override: (JSON.parse(item.variants) as ItemVariants)[kind],
    });
    const mediaState = await itemMediaState(db, item.id);
    const broadcast = handover ? await handover(t, toChannel(channel)) : undefined;
    const app = registry.factory(kind)?.oauthApp;
    const built = registry.build(kind, settings, channel.secret ? box.open(channel.secret) : undefined, {
      ...(app && apps[app] ? { oauthApp: apps[app] } : {}),
      readMedia: (key) => media.read(key),
      now: () => clock.now(),
      async saveSecret(secret, expiresAt) {
        await db
          .updateTable("channels")
          .set({ secret: box.seal(secret), token_expires_at: expiresAt ?? null, updated_at: clock.now() })
          .where("id", "=", channel.id)
          .execute();
      },
    });
    return {
      ...built,
      channelKind: kind,
      media: mediaState,
      req: {
        deliveryId: t.deliveryId,
        scheduledAt: t.scheduledAt,
        agency,
        channel: { id: channel.id, name: channel.name },
        item: { id: item.id, kind: item.kind as ItemKind, title: text.title, body: item.body, tasks },
        text,
        ...(mediaState.state === "waiting" ? { mediaPending: true } : {}),
        ...(mediaState.state === "ready" && mediaState.media.length ? { media: mediaState.media } : {}),
        ...(broadcast ? { broadcast } : {}),
      },
    };
  };
}
export type RequestBuilder = ReturnType<typeof createRequestBuilder>;
