import nodemailer from "nodemailer";
import type { Logger } from "pino";
import { signature } from "../channels/webhook.adapter.js";
import type { Notification, Notifier } from "../content/compliance/reminders.js";
import type { ComplianceConfig } from "../content/config.js";
import type { Agency } from "../content/model.js";
import type { HttpClient } from "../content/ports/adapter.js";
import type { Mailer } from "../content/ports/mailer.js";

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
  const mailer = createMailer(config.smtp, log);
  if (mailer) notifier.email = (n, to) => mailer.send(to, n.title, n.body);
  return notifier;
}

/** Plain-text e-mail through nodemailer over `SMTP_URL` (reminders, alerts, mentions); none without it. */
export function createMailer(smtp: ComplianceConfig["smtp"], log: Logger): Mailer | undefined {
  if (!smtp) return undefined;
  const transport = nodemailer.createTransport(smtp.url);
  return {
    async send(to, subject, text) {
      const info = await transport.sendMail({ from: smtp.from, to, subject, text });
      log.info({ messageId: info.messageId, to: to.length }, "e-mailed");
    },
  };
}
