import nodemailer from "nodemailer";
import type { Logger } from "pino";
import { signature } from "../channels/webhook.adapter.js";
import type { Notification, Notifier } from "../content/compliance/reminders.js";
import type { ComplianceConfig } from "../content/config.js";
import type { Agency } from "../content/model.js";
import type { HttpClient } from "../content/ports/adapter.js";

const WEBHOOK_TIMEOUT_MS = 10_000;

/** The JSON a reminder webhook receives. */
export function reminderBody(n: Notification, agency: Agency): string {
  return JSON.stringify({
    type: "compliance.at_risk",
    id: n.id,
    period: n.period,
    agency: { id: agency.id, name: agency.name },
    tasks: n.tasks,
    title: n.title,
    body: n.body,
    createdAt: n.createdAt.toISOString(),
  });
}

/**
 * Builds where reminders go from the configuration: a webhook signed like the webhook channel
 * (`X-Loa-Signature: sha256=<hex>` over the raw body, `Idempotency-Key` the notification id), and
 * e-mail through nodemailer only when `SMTP_URL` is set. `http` is the outbound client, so the
 * reminder webhook is held to the same outbound policy as every channel.
 */
export function createNotifier(config: ComplianceConfig, log: Logger, http: HttpClient): Notifier {
  const notifier: Notifier = {};
  const hook = config.webhook;
  if (hook) {
    notifier.webhook = async (n, agency) => {
      const body = reminderBody(n, agency);
      const res = await http(hook.url, {
        method: "POST",
        body,
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
        headers: {
          "content-type": "application/json; charset=utf-8",
          "idempotency-key": n.id,
          "x-loa-signature": signature(hook.secret, body),
          "user-agent": "Loa/0.1",
        },
      });
      if (!res.ok) throw new Error(`the reminder webhook answered ${res.status}`);
    };
  }
  const smtp = config.smtp;
  if (smtp) {
    const transport = nodemailer.createTransport(smtp.url);
    notifier.email = async (n, to) => {
      const info = await transport.sendMail({ from: smtp.from, to, subject: n.title, text: n.body });
      log.info({ notification: n.id, messageId: info.messageId, to: to.length }, "reminder e-mailed");
    };
  }
  return notifier;
}
