import type { ItemContent } from "../items/content.js";
import { type ItemMediaState, itemMediaState, mediaOfItems, mediaState } from "../media/attachments.js";
import type { Channel, ChannelKind, ItemKind, ItemVariants } from "../model.js";
import type { AdapterRegistry, BuiltAdapter, OAuthApp, PublishRequest, RenderedText } from "../ports/adapter.js";
import type { BroadcastHandover } from "../ports/broadcast.js";
import type { Clock } from "../ports/clock.js";
import type { MediaStore } from "../ports/media.js";
import type { Renderer } from "../ports/renderer.js";
import type { SecretBox } from "../secrets.js";
import type { Db } from "../store/db.js";
import { toChannel } from "../store/rows.js";
import type { ChannelRow, DeliveryRow, ItemRow } from "../store/schema.js";

/** Channel kinds that are an agency's portal: other channels link back to the item there. */
const PORTAL_KINDS: ChannelKind[] = ["webhook", "wordpress"];

export interface Target {
  deliveryId: string;
  itemId: string;
  channelId: string;
  scheduledAt: Date;
}

/** The rows a delivery's request is built from, when the caller has read them already. */
export interface Loaded {
  item: ItemRow;
  agency: { id: string; name: string };
  channel: ChannelRow;
  /** The item's task codes, sorted, and its media's state, when read in bulk (scheduling many items). */
  tasks?: string[];
  media?: ItemMediaState;
  /** The item's media ids in order and its read-aloud text, when read with the delivery: with the rest, what its approval hashes. */
  mediaIds?: string[];
  readAloud?: string | null;
}

/**
 * Deliveries with their item, agency and channel, and their items' tasks, media and read-aloud text:
 * four statements for a whole batch (the publisher loads the deliveries due together at once). A
 * delivery whose row, or what it points at, is gone is absent from the answer.
 */
export async function loadDeliveries(db: Db, ids: string[]): Promise<Map<string, { delivery: DeliveryRow; loaded: Loaded }>> {
  const out = new Map<string, { delivery: DeliveryRow; loaded: Loaded }>();
  if (ids.length === 0) return out;
  const rows = await db
    .selectFrom("deliveries")
    .innerJoin("items", "items.id", "deliveries.item_id")
    .innerJoin("agencies", "agencies.id", "items.agency_id")
    .innerJoin("channels", "channels.id", "deliveries.channel_id")
    .selectAll("deliveries")
    .select([
      "items.agency_id as i_agency_id",
      "items.kind as i_kind",
      "items.title as i_title",
      "items.body as i_body",
      "items.status as i_status",
      "items.variants as i_variants",
      "items.created_by as i_created_by",
      "items.created_at as i_created_at",
      "items.updated_at as i_updated_at",
      "items.approved_hash as i_approved_hash",
      "items.archived_from as i_archived_from",
      "agencies.name as a_name",
      "channels.agency_id as c_agency_id",
      "channels.kind as c_kind",
      "channels.name as c_name",
      "channels.settings as c_settings",
      "channels.secret as c_secret",
      "channels.token_expires_at as c_token_expires_at",
      "channels.reconnect_reason as c_reconnect_reason",
      "channels.reconnect_flagged_at as c_reconnect_flagged_at",
      "channels.created_at as c_created_at",
      "channels.updated_at as c_updated_at",
    ])
    .where("deliveries.id", "in", [...new Set(ids)])
    .execute();
  if (rows.length === 0) return out;
  const itemIds = [...new Set(rows.map((r) => r.item_id))];
  const [tasks, media, readAloud] = await Promise.all([
    db.selectFrom("item_tasks").select(["item_id", "task_code"]).where("item_id", "in", itemIds).orderBy("task_code").execute(),
    mediaOfItems(db, itemIds),
    db.selectFrom("broadcast_items").select(["item_id", "read_aloud"]).where("item_id", "in", itemIds).execute(),
  ]);
  for (const r of rows) {
    const {
      i_agency_id,
      i_kind,
      i_title,
      i_body,
      i_status,
      i_variants,
      i_created_by,
      i_created_at,
      i_updated_at,
      i_approved_hash,
      i_archived_from,
      a_name,
      c_agency_id,
      c_kind,
      c_name,
      c_settings,
      c_secret,
      c_token_expires_at,
      c_reconnect_reason,
      c_reconnect_flagged_at,
      c_created_at,
      c_updated_at,
      ...delivery
    } = r;
    const itemMedia = media.get(delivery.item_id) ?? [];
    out.set(delivery.id, {
      delivery,
      loaded: {
        item: {
          id: delivery.item_id,
          agency_id: i_agency_id,
          kind: i_kind,
          title: i_title,
          body: i_body,
          status: i_status,
          variants: i_variants,
          created_by: i_created_by,
          created_at: i_created_at,
          updated_at: i_updated_at,
          approved_hash: i_approved_hash,
          archived_from: i_archived_from,
        },
        agency: { id: i_agency_id, name: a_name },
        channel: {
          id: delivery.channel_id,
          agency_id: c_agency_id,
          kind: c_kind,
          name: c_name,
          settings: c_settings,
          secret: c_secret,
          token_expires_at: c_token_expires_at,
          reconnect_reason: c_reconnect_reason,
          reconnect_flagged_at: c_reconnect_flagged_at,
          created_at: c_created_at,
          updated_at: c_updated_at,
        },
        tasks: tasks.filter((t) => t.item_id === delivery.item_id).map((t) => t.task_code),
        media: mediaState(itemMedia),
        mediaIds: itemMedia.map((m) => m.id),
        readAloud: readAloud.find((b) => b.item_id === delivery.item_id)?.read_aloud ?? null,
      },
    });
  }
  return out;
}

/** The item and its content as its approval hashes them, when the delivery was read with them (`loadDeliveries`). */
export function loadedContent(loaded: Loaded): { item: ItemRow; content: ItemContent } | undefined {
  if (!loaded.tasks || !loaded.mediaIds || loaded.readAloud === undefined) return undefined;
  const { title, body, variants } = loaded.item;
  return {
    item: loaded.item,
    content: {
      title,
      body,
      tasks: loaded.tasks,
      variants: JSON.parse(variants) as ItemVariants,
      mediaIds: loaded.mediaIds,
      readAloud: loaded.readAloud,
    },
  };
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

  // The rendered text of an item for a channel kind, kept for the next deliveries of the same item
  // (a burst sends one item to many channels and agencies' items to many of the same kind): keyed by
  // everything the templates read, so an edited item, agency name, link or hashtags renders anew.
  const rendered = new Map<string, Promise<RenderedText>>();
  const RENDERED_MAX = 2_000;
  function renderOnce(key: string, render: () => Promise<RenderedText>): Promise<RenderedText> {
    const known = rendered.get(key);
    if (known) return known;
    const p = render();
    rendered.set(key, p);
    p.catch(() => rendered.delete(key));
    if (rendered.size > RENDERED_MAX) rendered.delete(rendered.keys().next().value as string);
    return p;
  }

  return async function build(t: Target, loaded?: Loaded): Promise<Built> {
    const item = loaded?.item ?? (await db.selectFrom("items").selectAll().where("id", "=", t.itemId).executeTakeFirstOrThrow());
    const agency =
      loaded?.agency ?? (await db.selectFrom("agencies").select(["id", "name"]).where("id", "=", item.agency_id).executeTakeFirstOrThrow());
    const channel =
      loaded?.channel ?? (await db.selectFrom("channels").selectAll().where("id", "=", t.channelId).executeTakeFirstOrThrow());
    // The item's tasks and media state are independent reads: asked together, one round trip of waiting.
    const [tasks, mediaState] = await Promise.all([
      loaded?.tasks ??
        db
          .selectFrom("item_tasks")
          .select("task_code")
          .where("item_id", "=", item.id)
          .orderBy("task_code")
          .execute()
          .then((rows) => rows.map((r) => r.task_code)),
      loaded?.media ?? itemMediaState(db, item.id),
    ]);
    const kind = channel.kind as ChannelKind;
    const settings = JSON.parse(channel.settings) as Record<string, unknown>;
    const hashtags = Array.isArray(settings.hashtags) ? settings.hashtags.filter((h): h is string => typeof h === "string") : [];
    const itemText = { kind: item.kind, title: item.title, body: item.body, tasks };
    const link = await portalLink(item.id, kind);
    const key = JSON.stringify([item.id, item.updated_at.getTime(), kind, link, hashtags, agency.name, tasks]);
    const text = await renderOnce(key, () =>
      renderer.render({
        item: itemText,
        agency,
        channelKind: kind,
        link,
        hashtags,
        override: (JSON.parse(item.variants) as ItemVariants)[kind],
      }),
    );
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
