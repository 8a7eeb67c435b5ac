import crypto from "node:crypto";
import { z } from "zod";
import { visibleOnly } from "../access.js";
import type { Actor, Agency } from "../model.js";
import type { Clock } from "../ports/clock.js";
import type { Log } from "../ports/log.js";
import type { NotificationRow } from "../store/compliance.schema.js";
import type { Db } from "../store/db.js";
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
  kind: "at_risk";
  period: string;
  title: string;
  body: string;
  tasks: AtRiskTask[];
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
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type NotificationFilter = z.infer<typeof NotificationFilter>;

function toNotification(r: NotificationRow): Notification {
  const data = JSON.parse(r.data) as { tasks: AtRiskTask[] };
  return {
    id: r.id,
    agencyId: r.agency_id,
    kind: r.kind as "at_risk",
    period: r.period,
    title: r.title,
    body: r.body,
    tasks: data.tasks,
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
export function createReminders(db: Db, clock: Clock, log: Log) {
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
      for (const { agency, tasks } of risky.values()) {
        const { title, body } = reminderText(agency, week, tasks);
        await db
          .insertInto("notifications")
          .values({
            id: crypto.randomUUID(),
            agency_id: agency.id,
            kind: "at_risk",
            period: week,
            dedupe_key: `at_risk:${agency.id}:${week}`,
            title,
            body,
            data: JSON.stringify({ tasks }),
            webhook_status: null,
            email_status: null,
            created_at: now,
          })
          .onConflict((oc) => oc.column("dedupe_key").doNothing())
          .execute();
        const row = await db
          .selectFrom("notifications")
          .selectAll()
          .where("dedupe_key", "=", `at_risk:${agency.id}:${week}`)
          .executeTakeFirstOrThrow();
        await send(toNotification(row), agency, notifier);
      }
      if (risky.size) log.info({ period: week, agencies: [...risky.keys()] }, "sent at-risk reminders");
      return { period: week, agencies: [...risky.keys()] };
    },

    async list(actor: Actor, f: NotificationFilter): Promise<Notification[]> {
      let q = visibleOnly(actor, db.selectFrom("notifications").selectAll());
      if (f.agencyId) q = q.where("agency_id", "=", f.agencyId);
      if (f.period) q = q.where("period", "=", f.period);
      return (await q.orderBy("created_at", "desc").orderBy("id").limit(f.limit).execute()).map(toNotification);
    },
  };
}
export type Reminders = ReturnType<typeof createReminders>;
