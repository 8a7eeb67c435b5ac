import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNotifier } from "../../workers/notify.js";
import { evidence, item, user } from "../helpers/compliance.js";
import { DB_KINDS } from "../helpers/db.js";
import { startHub, type TestHub } from "../helpers/hub.js";
import { decodeQuotedPrintable, SmtpStub } from "../stubs/smtp.stub.js";
import { WebhookStub } from "../stubs/webhook.stub.js";

/** Thursday of 2026-W48, 09:00 in Cần Thơ: when the default reminder cron fires. */
const THURSDAY = new Date("2026-11-26T09:00:00+07:00");

describe.each(DB_KINDS)("at-risk reminders (%s)", (kind) => {
  let hub: TestHub;
  let smtp: SmtpStub;
  let hook: WebhookStub;
  let yTe: string;
  let tuPhap: string;

  beforeAll(async () => {
    smtp = await new SmtpStub().start();
    hook = await new WebhookStub("bi-mat-nhac-viec-so-khcn").start();
    hub = await startHub(kind, {
      roles: ["web"],
      allow: [hook.url],
      env: {
        REMINDER_WEBHOOK_URL: hook.url,
        REMINDER_WEBHOOK_SECRET: hook.secret,
        SMTP_URL: smtp.url,
        SMTP_FROM: "Loa <loa@stnmt.cantho.gov.vn>",
      },
    });
    yTe = await user(hub.api, "officer", "so-y-te", "van.thu@syt.cantho.gov.vn");
    await user(hub.api, "officer", "so-y-te"); // no address: gets the notification in Loa only
    tuPhap = await user(hub.api, "officer", "so-tu-phap", "truyen.thong@stp.cantho.gov.vn");
    // Sở Tư pháp has published this week already; Sở Nội vụ is exempt this week
    const news = await item(hub.api, "so-tu-phap", "news", ["1.3"]);
    await evidence(hub.api, news, "webhook", "2026-11-24T08:00:00+07:00", tuPhap);
    const exempt = await hub.api("POST", "/api/compliance/exemptions", {
      period: "2026-W48",
      task: "1.3",
      agencyId: "so-noi-vu",
      reason: "Sáp nhập phòng ban",
    });
    expect(exempt.status).toBe(201);
  });
  afterAll(async () => {
    await hub?.stop();
    await smtp?.stop();
    await hook?.stop();
  });

  const run = () => {
    const { services, config, log } = hub.running.runtime;
    return services.reminders.run(createNotifier(config.compliance, log, services.http), THURSDAY);
  };

  it("notifies only the agencies still below their minimum this week, in Loa, by signed webhook and by e-mail", async () => {
    hook.script({ status: 503 }); // the first webhook call fails; the next run retries it
    const result = await run();
    expect(result.period).toBe("2026-W48");
    expect(result.agencies).toContain("so-y-te");
    expect(result.agencies).toContain("dai-ptth-can-tho"); // 1.4, press
    expect(result.agencies).not.toContain("so-tu-phap");
    expect(result.agencies).not.toContain("so-noi-vu");
    expect(result.agencies.filter((a) => a.startsWith("ubnd-"))).toEqual([]); // dissolved districts

    const mine = await hub.api("GET", "/api/notifications", undefined, yTe);
    expect(mine.status).toBe(200);
    expect(mine.body.data).toHaveLength(1);
    const n = mine.body.data[0];
    expect(n).toMatchObject({ agencyId: "so-y-te", kind: "at_risk", period: "2026-W48", emailStatus: "sent" });
    expect(n.title).toBe("Nhắc việc: Sở Y tế chưa đạt tần suất tuyên truyền tuần 2026-W48");
    expect(n.tasks).toEqual([expect.objectContaining({ taskCode: "1.3", count: 0, minCount: 1 })]);
    expect(n.body).toContain("từ 23/11/2026 đến 29/11/2026");
    expect((await hub.api("GET", "/api/notifications", undefined, tuPhap)).body.data).toEqual([]);

    expect(smtp.mails).toHaveLength(1); // the only at-risk agency with an address on file
    const mail = smtp.mails[0];
    expect(mail?.to).toEqual(["van.thu@syt.cantho.gov.vn"]);
    expect(mail?.from).toBe("loa@stnmt.cantho.gov.vn");
    expect(decodeQuotedPrintable(mail?.data ?? "")).toContain("Nhiệm vụ 1.3: mới có 0/1 sản phẩm");

    // the stub refused unsigned or wrongly signed calls with 401; these were accepted
    const bodies = hook.posts.map((p) => p.body as any);
    expect(bodies.every((b) => b.type === "compliance.at_risk" && b.period === "2026-W48")).toBe(true);
    expect(bodies.map((b) => b.agency.id)).not.toContain("so-tu-phap");
    expect(hook.requests.filter((r) => r.status === 401)).toEqual([]);
    const all = await hub.api("GET", "/api/notifications?period=2026-W48&limit=500");
    expect(all.body.data.filter((x: any) => x.webhookStatus?.startsWith("failed"))).toHaveLength(1);
  });

  it("sends nothing twice when it runs again the same week, but retries what failed", async () => {
    const before = (await hub.api("GET", "/api/notifications?period=2026-W48&limit=500")).body.data;
    await run();
    const after = (await hub.api("GET", "/api/notifications?period=2026-W48&limit=500")).body.data;
    expect(after.map((x: any) => x.id).sort()).toEqual(before.map((x: any) => x.id).sort());
    expect(after.every((x: any) => x.webhookStatus === "sent")).toBe(true);
    expect(hook.posts).toHaveLength(after.length);
    expect(smtp.mails).toHaveLength(1);
  });
});
