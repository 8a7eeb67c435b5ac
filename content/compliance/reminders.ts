import crypto from "node:crypto";
import { z } from "zod";
import { readScope } from "../access.js";
import type { Actor, Agency } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { Log } from "../ports/log.js";
import type { NotificationRow } from "../store/compliance.schema.js";
import type { Db } from "../store/db.js";
import { toAgency } from "../store/rows.js";
import { liveRows } from "./live.js";
import { toObligation } from "./obligations.js";
import { periodDates, periodOf } from "./periods.js";

export interface AtRiskTask {
  taskCode: string;
  description: string;
  count: number;
  minCount: number;
}

/** A notification as agencies' users read it (and as the webhook and the e-mail carry it). */
export interface Notification {
  id: string;
  agencyId: string;
  /** `at_risk`, `channel_reconnect`; issue 12: `delivery_failed`, `delivery_missed`, `delivery_unconfirmed`, `mention`, `approval_requested`, `item_approved`, `item_returned`. */
  kind: string;
  /** Addressed to this user only; null: to the whole agency. */
  userId?: string | null;
  /** When the reader marked it read (`POST /api/notifications/:id/read`), or null. */
  readAt?: Date | null;
  /** What it is about (a delivery, an item, a channel), as recorded. */
  data?: Record<string, unknown>;
  period: string;
  title: string;
  body: string;
  tasks: AtRiskTask[];
  /** Stations that confirmed nothing aired by Friday 17:00 of the week (a station reminder). */
  stations?: { id: string; name: string }[];
  webhookStatus: string | null;
  emailStatus: string | null;
  createdAt: Date;
}

/** Where reminders go besides `GET /api/notifications`; the clock builds it from the configuration. */
export interface Notifier {
  /** Posts the notification to the configured webhook; throws when the receiver did not accept it. */
  webhook?(n: Notification, agency: Agency): Promise<void>;
  /** E-mails the notification to these addresses; throws when the SMTP server refused it. */
  email?(n: Notification, to: string[]): Promise<void>;
}

export const NotificationFilter = z.strictObject({
  agencyId: z.string().optional(),
  period: z.string().optional(),
  kind: z.string().min(1).max(60).optional(),
  unread: z.enum(["true", "false"]).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type NotificationFilter = z.infer<typeof NotificationFilter>;

function toNotification(r: NotificationRow): Notification {
  const data = JSON.parse(r.data) as { tasks?: AtRiskTask[]; stations?: { id: string; name: string }[] } & Record<string, unknown>;
  return {
    id: r.id,
    agencyId: r.agency_id,
    kind: r.kind,
    period: r.period,
    title: r.title,
    body: r.body,
    tasks: data.tasks ?? [],
    ...(data.stations ? { stations: data.stations } : {}),
    data,
    webhookStatus: r.webhook_status,
    emailStatus: r.email_status,
    createdAt: r.created_at,
  };
}

const viDate = (ymd: string) => `${ymd.slice(8, 10)}/${ymd.slice(5, 7)}/${ymd.slice(0, 4)}`;

/** The Vietnamese text of an at-risk reminder. */
export function reminderText(agency: Agency, week: string, tasks: AtRiskTask[]): { title: string; body: string } {
  const { first, last } = periodDates(week);
  const lines = tasks.map((t) => `- Nhiệm vụ ${t.taskCode}: mới có ${t.count}/${t.minCount} sản phẩm. ${t.description}`);
  return {
    title: `Nhắc việc: ${agency.name} chưa đạt tần suất tuyên truyền tuần ${week}`,
    body: [
      `Trong tuần ${week} (từ ${viDate(first)} đến ${viDate(last)}), ${agency.name} chưa đủ số tin, bài về dịch vụ công trực tuyến theo Kế hoạch:`,
      ...lines,
      `Đề nghị đăng, phát trước 24 giờ ngày ${viDate(last)} và ghi nhận trên Loa để Sở Khoa học và Công nghệ tổng hợp.`,
    ].join("\n"),
  };
}

/**
 * At-risk reminders: each agency with a weekly obligation still below its minimum this week gets one
 * notification per week (running twice the same week sends nothing new, but retries a failed send).
 */
/** Stations that confirmed nothing aired this week by its deadline (content/broadcast/aired.ts). */
export type UnconfirmedStations = (now: Date) => Promise<{ agencyId: string; stationId: string; stationName: string }[]>;

/** The Vietnamese text of the reminder to an agency whose stations confirmed nothing aired by Friday 17:00. */
export function stationReminderText(agency: Agency, week: string, stations: { stationName: string }[]): { title: string; body: string } {
  return {
    title: `Nhắc việc: trạm truyền thanh của ${agency.name} chưa xác nhận đã phát tin tuần ${week}`,
    body: [
      `Đến 17 giờ thứ Sáu của tuần ${week}, các trạm sau chưa xác nhận đã phát tin, bài nào về dịch vụ công trực tuyến (nhiệm vụ 2.2):`,
      ...stations.map((s) => `- ${s.stationName}`),
      "Đề nghị phát thanh viên xác nhận các tin đã phát trên Loa trước khi hết tuần.",
    ].join("\n"),
  };
}

export function createReminders(db: Db, clock: Clock, log: Log, unconfirmedStations?: UnconfirmedStations) {
  async function atRisk(now: Date): Promise<Map<string, { agency: Agency; tasks: AtRiskTask[] }>> {
    const week = periodOf("week", now);
    const obligations = (await db.selectFrom("obligations").selectAll().where("period", "=", "week").orderBy("task_code").execute()).map(
      toObligation,
    );
    const out = new Map<string, { agency: Agency; tasks: AtRiskTask[] }>();
    for (const o of obligations) {
      for (const { agency, cells } of await liveRows(db, o, [week], now)) {
        const cell = cells[0];
        if (cell?.status !== "at_risk") continue;
        const entry = out.get(agency.id) ?? { agency, tasks: [] };
        entry.tasks.push({ taskCode: o.taskCode, description: o.description, count: cell.count, minCount: o.minCount });
        out.set(agency.id, entry);
      }
    }
    return out;
  }

  async function send(n: Notification, agency: Agency, notifier: Notifier): Promise<void> {
    const set: { webhook_status?: string; email_status?: string } = {};
    if (notifier.webhook && n.webhookStatus !== "sent") {
      set.webhook_status = await notifier.webhook(n, agency).then(
        () => "sent",
        (err: Error) => `failed: ${err.message}`.slice(0, 500),
      );
    }
    if (notifier.email && n.emailStatus !== "sent" && n.emailStatus !== "no recipients") {
      const to = (
        await db
          .selectFrom("users")
          .select("email")
          .where("agency_id", "=", agency.id)
          .where("email", "is not", null)
          .orderBy("email")
          .execute()
      ).flatMap((u) => (u.email ? [u.email] : []));
      set.email_status =
        to.length === 0
          ? "no recipients"
          : await notifier.email(n, to).then(
              () => "sent",
              (err: Error) => `failed: ${err.message}`.slice(0, 500),
            );
    }
    if (set.webhook_status || set.email_status) await db.updateTable("notifications").set(set).where("id", "=", n.id).execute();
    if (set.webhook_status?.startsWith("failed") || set.email_status?.startsWith("failed"))
      log.warn({ id: n.id, ...set }, "a reminder was not delivered");
  }

  return {
    /** Notifies the agencies at risk this week; answers their ids. */
    async run(notifier: Notifier = {}, now: Date = clock.now()): Promise<{ period: string; agencies: string[] }> {
      const week = periodOf("week", now);
      const risky = await atRisk(now);
      const notify = async (agency: Agency, key: string, text: { title: string; body: string }, data: Record<string, unknown>) => {
        await db
          .insertInto("notifications")
          .values({
            id: crypto.randomUUID(),
            agency_id: agency.id,
            kind: "at_risk",
            period: week,
            dedupe_key: key,
            ...text,
            data: JSON.stringify(data),
            webhook_status: null,
            email_status: null,
            created_at: now,
          })
          .onConflict((oc) => oc.column("dedupe_key").doNothing())
          .execute();
        const row = await db.selectFrom("notifications").selectAll().where("dedupe_key", "=", key).executeTakeFirstOrThrow();
        await send(toNotification(row), agency, notifier);
      };
      for (const { agency, tasks } of risky.values()) {
        await notify(agency, `at_risk:${agency.id}:${week}`, reminderText(agency, week, tasks), { tasks });
      }
      // Stations with nothing confirmed by Friday 17:00: their agency hears of it, once a week, apart from its tasks.
      const stations = unconfirmedStations ? await unconfirmedStations(now) : [];
      const byAgency = new Map<string, typeof stations>();
      for (const st of stations) byAgency.set(st.agencyId, [...(byAgency.get(st.agencyId) ?? []), st]);
      const notified = new Set(risky.keys());
      for (const [agencyId, list] of byAgency) {
        const row = await db.selectFrom("agencies").selectAll().where("id", "=", agencyId).executeTakeFirst();
        if (!row) continue;
        const agency = toAgency(row);
        const data = { tasks: [], stations: list.map((s) => ({ id: s.stationId, name: s.stationName })) };
        await notify(agency, `at_risk_stations:${agency.id}:${week}`, stationReminderText(agency, week, list), data);
        notified.add(agency.id);
      }
      if (notified.size) log.info({ period: week, agencies: [...notified] }, "sent at-risk reminders");
      return { period: week, agencies: [...notified] };
    },

    /** The agency's notifications and those addressed to the reader (others' personal ones stay theirs; admins and auditors see all). */
    async list(actor: Actor, f: NotificationFilter): Promise<Notification[]> {
      const scope = readScope(actor);
      let q = db.selectFrom("notifications").selectAll();
      // A user's own notifications may concern another agency's item (a DOST officer mentioned on it).
      if (scope !== "all")
        q = q.where((eb) =>
          eb.or([eb.and([eb("agency_id", "=", scope.agencyId), eb("user_id", "is", null)]), eb("user_id", "=", actor.id)]),
        );
      if (f.agencyId) q = q.where("agency_id", "=", f.agencyId);
      if (f.period) q = q.where("period", "=", f.period);
      if (f.kind) q = q.where("kind", "=", f.kind);
      if (f.unread === "true")
        q = q.where("id", "not in", (sub) =>
          sub.selectFrom("notification_reads").select("notification_id").where("user_id", "=", actor.id),
        );
      const rows = await q.orderBy("created_at", "desc").orderBy("id").limit(f.limit).execute();
      const reads = rows.length
        ? new Map(
            (
              await db
                .selectFrom("notification_reads")
                .select(["notification_id", "read_at"])
                .where("user_id", "=", actor.id)
                .where(
                  "notification_id",
                  "in",
                  rows.map((r) => r.id),
                )
                .execute()
            ).map((r) => [r.notification_id, r.read_at]),
          )
        : new Map<string, Date>();
      return rows.map((r) => ({ ...toNotification(r), userId: r.user_id, readAt: reads.get(r.id) ?? null }));
    },
  };
}
export type Reminders = ReturnType<typeof createReminders>;
