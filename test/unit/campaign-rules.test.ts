import { describe, expect, it } from "vitest";
import { encodeParts } from "../../channels/sms/smpp.gateway.js";
import { maskPhone, normalizePhone, PREFIX_2018 } from "../../content/campaigns/phones.js";
import { advertisingText, CampaignChannelSettings, isStopRequest, quietUntil } from "../../content/campaigns/rules.js";
import { idKeys } from "../../content/campaigns/sending.js";
import { unaccent } from "../../templates/text/unaccent.js";

describe("quiet hours (Asia/Ho_Chi_Minh)", () => {
  const q = { from: "21:00", to: "07:00" };
  it("holds a message due at 22:30 local until 07:00 the next morning", () => {
    expect(quietUntil(new Date("2026-12-01T22:30:00+07:00"), q)?.toISOString()).toBe(new Date("2026-12-02T07:00:00+07:00").toISOString());
  });
  it("holds one due at 05:59 until 07:00 the same day, and lets 07:00 and 20:59 through", () => {
    expect(quietUntil(new Date("2026-12-02T05:59:00+07:00"), q)?.toISOString()).toBe(new Date("2026-12-02T07:00:00+07:00").toISOString());
    expect(quietUntil(new Date("2026-12-02T07:00:00+07:00"), q)).toBeUndefined();
    expect(quietUntil(new Date("2026-12-02T20:59:59+07:00"), q)).toBeUndefined();
  });
  it("knows no quiet hours when null, and a window within one day", () => {
    expect(quietUntil(new Date("2026-12-01T23:00:00+07:00"), null)).toBeUndefined();
    expect(quietUntil(new Date("2026-12-01T12:30:00+07:00"), { from: "12:00", to: "13:00" })?.toISOString()).toBe(
      new Date("2026-12-01T13:00:00+07:00").toISOString(),
    );
  });
  it("defaults to 21:00–07:00", () => {
    expect(CampaignChannelSettings.parse({}).quietHours).toEqual(q);
  });
});

describe("advertising channels and STOP keywords", () => {
  it("puts [QC] first and the opt-out footer last, once", () => {
    const s = CampaignChannelSettings.parse({ advertising: true });
    const t = advertisingText("Khuyen mai", s, "8088");
    expect(t).toBe("[QC] Khuyen mai\nTu choi QC soan TU CHOI gui 8088");
    expect(advertisingText(t, s, "8088")).toBe(t);
    expect(advertisingText("Tin", CampaignChannelSettings.parse({}), "8088")).toBe("Tin");
  });
  it("recognises TU CHOI, HUY and STOP with or without accents, any case", () => {
    for (const t of ["TU CHOI", "Từ chối", "tu choi QC", "huỷ", "HUY", "stop", " Stop please"])
      expect(isStopRequest(t, unaccent), t).toBe(true);
    for (const t of ["Cảm ơn", "STOPPED", "tuchoiX"]) expect(isStopRequest(t, unaccent), t).toBe(false);
  });
});

describe("phone numbers", () => {
  it("applies every prefix of the 2018 conversion", () => {
    for (const [old, now] of Object.entries(PREFIX_2018)) {
      const r = normalizePhone(`${old}1234567`);
      expect(r, old).toMatchObject({ e164: `+84${now.slice(1)}1234567`, converted: true, error: null });
    }
  });
  it("masks numbers as 0912***678", () => {
    expect(maskPhone("+84912345678")).toBe("0912***678");
  });
});

describe("message ids across formats", () => {
  it("matches a hex id in submit_sm_resp with its decimal form in a receipt, ignoring case and leading zeros", () => {
    expect(idKeys("1A2B3D")).toContain(String(0x1a2b3d));
    expect(idKeys("001a2b3d")).toContain("1a2b3d");
    expect(idKeys("1715005")).toContain((1715005).toString(16));
  });
});

describe("SMPP parts", () => {
  it("splits 3-part UCS-2 text with a concatenation UDH and never cuts a surrogate pair", () => {
    const text = `${"ạ".repeat(66)}😊${"ố".repeat(70)}`;
    const parts = encodeParts(text, "UCS-2", 7);
    expect(parts).toHaveLength(3);
    for (const [i, p] of parts.entries()) {
      expect([...p.subarray(0, 6)]).toEqual([5, 0, 3, 7, 3, i + 1]);
      expect(p.length).toBeLessThanOrEqual(140);
    }
    const decoded = parts.map((p) => Buffer.from(p.subarray(6)).swap16().toString("utf16le"));
    expect(decoded.join("")).toBe(text);
    expect(decoded[1]?.startsWith("😊")).toBe(true);
  });
  it("sends a short text as one part without UDH", () => {
    expect(encodeParts("Xin chao", "GSM-7", 1)).toEqual([Buffer.from("Xin chao")]);
  });
});
