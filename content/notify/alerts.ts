import type { Log } from "../ports/log.js";
import type { Mailer } from "../ports/mailer.js";
import type { DeliveryObserver } from "../publishing/delivery-state.js";
import type { Db } from "../store/db.js";
import type { DeliveryRow } from "../store/schema.js";
import { localDate, toLocalIso } from "../time.js";
import type { EventSink, WebhookEventName } from "./events.js";
import { agencyUsers, emailNotice, notifyUsers } from "./notifications.js";

/** The statuses that alert people, with their Vietnamese wording. */
const ALERTS: Record<string, { kind: string; vi: string; event?: WebhookEventName }> = {
  failed: { kind: "delivery_failed", vi: "đăng không thành công", event: "delivery.failed" },
  missed: { kind: "delivery_missed", vi: "bị lỡ giờ đăng (không được gửi)" },
  unconfirmed: { kind: "delivery_unconfirmed", vi: "chưa xác nhận được đã đăng hay chưa", event: "delivery.unconfirmed" },
};

/**
 * Failure alerts: when a delivery becomes failed, missed or unconfirmed, the item's author and the
 * agency's officers are told in the app, by e-mail when SMTP is configured, and through outgoing
 * webhooks — once per event: the key is the delivery and the time it was due, so a retry that fails
 * again is a new event and a repeated report of the same one is not.
 */
export function createAlerts(db: Db, log: Log, mailer: Mailer | undefined, events: () => EventSink) {
  async function delivery(row: DeliveryRow): Promise<void> {
    const alert = ALERTS[row.status];
    const at = row.updated_at;
    const key = `${row.status}:${row.id}:${row.scheduled_at.getTime()}`;
    if (row.status === "published") {
      await events().emit({
        event: "delivery.published",
        key: `delivery.published:${row.id}`,
        agencyId: row.agency_id,
        data: { deliveryId: row.id, itemId: row.item_id, channelId: row.channel_id, url: row.url, externalId: row.external_id },
        at,
      });
      return;
    }
    if (!alert) return;
    const item = await db.selectFrom("items").select(["id", "title", "created_by"]).where("id", "=", row.item_id).executeTakeFirst();
    const channel = await db.selectFrom("channels").select(["name", "kind"]).where("id", "=", row.channel_id).executeTakeFirst();
    if (!item || !channel) return;
    const officers = await agencyUsers(db, row.agency_id, ["officer"]);
    const author = item.created_by
      ? await db
          .selectFrom("users")
          .select(["id", "email"])
          .where("id", "=", item.created_by)
          .where("deactivated_at", "is", null)
          .executeTakeFirst()
      : undefined;
    const recipients = [...(author ? [author] : []), ...officers.filter((o) => o.id !== author?.id)];
    const title = `Tin, bài "${item.title}" ${alert.vi} trên kênh ${channel.name}`;
    const body = [
      `Lượt đăng lúc ${toLocalIso(row.scheduled_at)} của tin, bài "${item.title}" trên kênh ${channel.name} (${channel.kind}) ${alert.vi}.`,
      ...(row.last_error ? [`Lý do: ${row.last_error}`] : []),
      "Kiểm tra kênh rồi đăng lại trong Loa (Thử lại).",
    ].join("\n");
    const fresh = await notifyUsers(db, {
      agencyId: row.agency_id,
      userIds: recipients.map((u) => u.id),
      kind: alert.kind,
      key,
      period: localDate(at),
      title,
      body,
      data: { deliveryId: row.id, itemId: item.id, channelId: row.channel_id, status: row.status, error: row.last_error },
      at,
    });
    await emailNotice(
      db,
      log,
      mailer,
      recipients.filter((u) => fresh.includes(u.id)),
      title,
      body,
      fresh.map((id) => `${key}:${id}`),
      { deliveryId: row.id },
    );
    if (alert.event)
      await events().emit({
        event: alert.event,
        key: `${alert.event}:${row.id}:${row.scheduled_at.getTime()}`,
        agencyId: row.agency_id,
        data: { deliveryId: row.id, itemId: item.id, channelId: row.channel_id, status: row.status, error: row.last_error },
        at,
      });
  }

  return {
    /** The delivery-state observer. */
    onDelivery: (async (row) => {
      try {
        await delivery(row);
      } catch (err) {
        log.warn({ deliveryId: row.id, err: (err as Error).message }, "could not send the delivery's alert");
      }
    }) satisfies DeliveryObserver,

    /**
     * A channel needs reconnecting: its agency's notification exists (content/accounts/health.ts, once a
     * day); its officers are e-mailed once for it, claimed by a conditional update of its e-mail status.
     */
    async onReconnect(channelId: string, at: Date): Promise<void> {
      const key = `channel_reconnect:${channelId}:${localDate(at)}`;
      if (!mailer) return;
      const claimed = await db
        .updateTable("notifications")
        .set({ email_status: "sending" })
        .where("dedupe_key", "=", key)
        .where("email_status", "is", null)
        .returning(["agency_id", "title", "body"])
        .executeTakeFirst();
      if (!claimed) return;
      await emailNotice(db, log, mailer, await agencyUsers(db, claimed.agency_id, ["officer"]), claimed.title, claimed.body, [key], {
        channelId,
      });
      await db
        .updateTable("notifications")
        .set({ email_status: "no recipients" })
        .where("dedupe_key", "=", key)
        .where("email_status", "=", "sending")
        .execute();
    },
  };
}
export type Alerts = ReturnType<typeof createAlerts>;
