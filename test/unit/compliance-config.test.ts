import { describe, expect, it } from "vitest";
import { loadConfig } from "../../content/config.js";

describe("compliance configuration", () => {
  it("closes weeks on Monday 00:10 and reminds on Thursday 09:00 by default, with no webhook and no e-mail", () => {
    expect(loadConfig({}).compliance).toEqual({
      closeCron: "10 0 * * 1",
      remindCron: "0 9 * * 4",
      stationRemindCron: "0 17 * * 5",
      webhook: undefined,
      smtp: undefined,
    });
  });
  it("reads the reminder webhook and SMTP settings", () => {
    const c = loadConfig({
      COMPLIANCE_CLOSE_CRON: "30 1 * * 1",
      REMINDER_WEBHOOK_URL: "https://dost.cantho.gov.vn/hooks/loa",
      REMINDER_WEBHOOK_SECRET: "a-shared-secret-of-sixteen",
      SMTP_URL: "smtp://mail.cantho.gov.vn:587",
      SMTP_FROM: "Loa <loa@cantho.gov.vn>",
    }).compliance;
    expect(c.closeCron).toBe("30 1 * * 1");
    expect(c.webhook).toEqual({ url: "https://dost.cantho.gov.vn/hooks/loa", secret: "a-shared-secret-of-sixteen" });
    expect(c.smtp).toEqual({ url: "smtp://mail.cantho.gov.vn:587", from: "Loa <loa@cantho.gov.vn>" });
  });
  it("refuses a reminder webhook without a secret to sign with, and a malformed SMTP_URL", () => {
    expect(() => loadConfig({ REMINDER_WEBHOOK_URL: "https://dost.cantho.gov.vn/hooks/loa" })).toThrow(/REMINDER_WEBHOOK_SECRET/);
    expect(() => loadConfig({ SMTP_URL: "mail.cantho.gov.vn" })).toThrow(/SMTP_URL/);
  });
});
