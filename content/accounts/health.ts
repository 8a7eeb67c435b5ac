import crypto from "node:crypto";
import type { Db } from "../store/db.js";
import { localDate } from "../time.js";

/**
 * Flags a channel whose credentials a provider refused (or that expire soon without a way to refresh),
 * and tells its agency's users once a day through `GET /api/notifications`.
 */
export async function flagReconnect(db: Db, channelId: string, reason: string, now: Date): Promise<void> {
  const channel = await db
    .updateTable("channels")
    .set({ reconnect_reason: reason.slice(0, 500), reconnect_flagged_at: now, updated_at: now })
    .where("id", "=", channelId)
    .returning(["id", "agency_id", "name", "kind"])
    .executeTakeFirst();
  if (!channel) return;
  const day = localDate(now);
  await db
    .insertInto("notifications")
    .values({
      id: crypto.randomUUID(),
      agency_id: channel.agency_id,
      kind: "channel_reconnect",
      period: day,
      dedupe_key: `channel_reconnect:${channel.id}:${day}`,
      title: `Cần kết nối lại kênh ${channel.name}`,
      body: `Kênh ${channel.name} (${channel.kind}) không còn được phép đăng bài: ${reason}. Cán bộ phụ trách vui lòng kết nối lại tài khoản trong Loa.`,
      data: JSON.stringify({ tasks: [], channelId: channel.id }),
      webhook_status: null,
      email_status: null,
      created_at: now,
    })
    .onConflict((oc) => oc.column("dedupe_key").doNothing())
    .execute();
}

/** Clears the flag once the account is connected again. */
export async function clearReconnect(db: Db, channelId: string, now: Date): Promise<void> {
  await db
    .updateTable("channels")
    .set({ reconnect_reason: null, reconnect_flagged_at: null, updated_at: now })
    .where("id", "=", channelId)
    .execute();
}
