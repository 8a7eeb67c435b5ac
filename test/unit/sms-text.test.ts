// SMS encoding, cost and splitting (3GPP TS 23.038 / 23.040) and unaccented Vietnamese.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AppError } from "../../content/errors.js";
import { GSM7_BASIC, GSM7_EXTENSION } from "../../templates/text/gsm7.js";
import { gsm7Octets, isGsm7, SMS_CAPACITY, type SmsEncoding, smsInfo, splitSms } from "../../templates/text/sms.js";
import { unaccent } from "../../templates/text/unaccent.js";

const TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]; // none, huyền, sắc, hỏi, ngã, nặng
const VOWELS = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"];
/** Every Vietnamese vowel with every tone, both cases, and đ Đ: the 134 letters beyond ASCII. */
const VIETNAMESE_LETTERS = [
  ...VOWELS.flatMap((v) => TONES.map((t) => (v + t).normalize("NFC"))).flatMap((l) => [l, l.toUpperCase()]),
  "đ",
  "Đ",
].filter((l) => !/^[a-z]$/i.test(l));
const SENTENCE = "Người dân có thể nộp hồ sơ trực tuyến tại Cổng Dịch vụ công quốc gia, không cần đến Ủy ban nhân dân phường.";

/** The GSM-7 septets of a part, as an SMSC would count them. */
const septetsOf = (part: string) => gsm7Octets(part).length;

describe("the GSM 03.38 tables", () => {
  it("loads the 127 characters of the default alphabet and the 10 of the extension table", () => {
    expect(GSM7_BASIC.size).toBe(127);
    expect([...GSM7_EXTENSION.keys()].sort()).toEqual(["\f", "[", "\\", "]", "^", "{", "|", "}", "~", "€"].sort());
  });

  it.each([
    ["@", 0x00],
    ["£", 0x01],
    ["$", 0x02],
    ["è", 0x04],
    ["Ç", 0x09],
    ["\n", 0x0a],
    ["\r", 0x0d],
    ["Δ", 0x10],
    ["_", 0x11],
    ["É", 0x1f],
    [" ", 0x20],
    ["¤", 0x24],
    ["0", 0x30],
    ["¡", 0x40],
    ["A", 0x41],
    ["§", 0x5f],
    ["¿", 0x60],
    ["a", 0x61],
    ["ü", 0x7e],
    ["à", 0x7f],
  ])("puts %j at septet %i", (ch, septet) => {
    expect(gsm7Octets(ch)).toEqual(Buffer.from([septet]));
  });

  it.each([
    ["\f", 0x0a],
    ["^", 0x14],
    ["{", 0x28],
    ["}", 0x29],
    ["\\", 0x2f],
    ["[", 0x3c],
    ["~", 0x3d],
    ["]", 0x3e],
    ["|", 0x40],
    ["€", 0x65],
  ])("sends the extension character %j as ESC 0x%s", (ch, septet) => {
    expect(gsm7Octets(ch)).toEqual(Buffer.from([0x1b, septet]));
  });

  it("has, of the Vietnamese letters, only à è é ì ò ù (and capital É)", () => {
    expect(VIETNAMESE_LETTERS).toHaveLength(134);
    expect(VIETNAMESE_LETTERS.filter((l) => isGsm7(l)).sort()).toEqual(["É", "à", "è", "é", "ì", "ò", "ù"].sort());
  });

  it("does not count the ESC septet, the dollar's neighbour ¤ or lower-case ç as characters it lacks or has", () => {
    expect(isGsm7("\u001b")).toBe(false);
    expect(isGsm7("¤$")).toBe(true);
    expect(isGsm7("ç")).toBe(false);
    expect(isGsm7("`")).toBe(false);
    expect(isGsm7("\t")).toBe(false);
  });

  it("takes decomposed input as the NFC text that is sent", () => {
    expect(isGsm7("e\u0301")).toBe(true);
    expect(gsm7Octets("e\u0301")).toEqual(Buffer.from([0x05]));
  });

  it("refuses to encode a character outside GSM-7 with invalid_input naming the text and the character", () => {
    let error: unknown;
    try {
      gsm7Octets("Phi 50.000đ");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "invalid_input", field: "text", details: { index: 10, character: "đ" } });
    expect((error as Error).message).toContain("U+0111");
  });

  it("encodes a whole text, ESC before each extension character", () => {
    expect([...gsm7Octets("Phi: 5€ [QC]")]).toEqual([
      0x50, 0x68, 0x69, 0x3a, 0x20, 0x35, 0x1b, 0x65, 0x20, 0x1b, 0x3c, 0x51, 0x43, 0x1b, 0x3e,
    ]);
  });
});

describe("smsInfo", () => {
  it.each<[string, SmsEncoding, number, number, number, string]>([
    ["empty", "GSM-7", 0, 0, 160, ""],
    ["one character", "GSM-7", 1, 1, 160, "a"],
    ["160 septets", "GSM-7", 160, 1, 160, "a".repeat(160)],
    ["161 septets", "GSM-7", 161, 2, 153, "a".repeat(161)],
    ["306 septets", "GSM-7", 306, 2, 153, "a".repeat(306)],
    ["307 septets", "GSM-7", 307, 3, 153, "a".repeat(307)],
    ["80 euro signs (ESC pairs)", "GSM-7", 160, 1, 160, "€".repeat(80)],
    ["81 euro signs", "GSM-7", 162, 2, 153, "€".repeat(81)],
    ["a form feed", "GSM-7", 4, 1, 160, "a\fb"],
    ["70 UCS-2 units", "UCS-2", 70, 1, 70, "ư".repeat(70)],
    ["71 UCS-2 units", "UCS-2", 71, 2, 67, "ư".repeat(71)],
    ["134 UCS-2 units", "UCS-2", 134, 2, 67, "ư".repeat(134)],
    ["135 UCS-2 units", "UCS-2", 135, 3, 67, "ư".repeat(135)],
    ["35 emoji (surrogate pairs)", "UCS-2", 70, 1, 70, "😀".repeat(35)],
    ["one Vietnamese letter among ASCII", "UCS-2", 101, 2, 67, `${"a".repeat(100)}ư`],
    ["the letters GSM-7 has", "GSM-7", 16, 1, 160, "Bà Mè lò Thì ù É"],
  ])("%s: %s, %i units, %i segment(s) of %i", (_name, encoding, units, segments, perSegment, text) => {
    expect(smsInfo(text)).toEqual({ text, encoding, units, segments, perSegment });
  });

  it("gives the cost of accented Vietnamese in UCS-2, and of the unaccented text in GSM-7", () => {
    const accented = smsInfo(SENTENCE);
    expect(accented).toMatchObject({ encoding: "UCS-2", units: SENTENCE.length, segments: 2, perSegment: 67 });
    const plain = smsInfo(SENTENCE, { unaccent: true });
    expect(plain).toEqual({
      text: "Nguoi dan co the nop ho so truc tuyen tai Cong Dich vu cong quoc gia, khong can den Uy ban nhan dan phuong.",
      encoding: "GSM-7",
      units: SENTENCE.length,
      segments: 1,
      perSegment: 160,
    });
  });

  it("answers the NFC text for decomposed input, with the same cost", () => {
    const nfd = SENTENCE.normalize("NFD");
    expect(nfd.length).toBeGreaterThan(SENTENCE.length);
    expect(smsInfo(nfd)).toEqual(smsInfo(SENTENCE));
  });

  it("counts the segments by splitting: an ESC pair that would straddle two parts makes a third", () => {
    // 152 + 2 + 152 = 306 septets = 2 × 153, yet the € cannot start in part 1's last septet.
    const text = `${"a".repeat(152)}€${"b".repeat(152)}`;
    expect(smsInfo(text)).toMatchObject({ encoding: "GSM-7", units: 306, segments: 3 });
    expect(splitSms(text, "GSM-7")).toEqual(["a".repeat(152), `€${"b".repeat(151)}`, "b"]);
  });

  it("counts the segments by splitting: a surrogate pair that would straddle two parts makes a third", () => {
    // 66 + 2 + 66 = 134 UTF-16 units = 2 × 67.
    const text = `${"ư".repeat(66)}😀${"ơ".repeat(66)}`;
    expect(smsInfo(text)).toMatchObject({ encoding: "UCS-2", units: 134, segments: 3 });
    expect(splitSms(text, "UCS-2")).toEqual(["ư".repeat(66), `😀${"ơ".repeat(65)}`, "ơ"]);
  });
});

describe("splitSms", () => {
  it("sends a text that fits as one part, and nothing for an empty text", () => {
    expect(splitSms("Xin chào", "UCS-2")).toEqual(["Xin chào"]);
    expect(splitSms("a".repeat(160), "GSM-7")).toEqual(["a".repeat(160)]);
    expect(splitSms("", "GSM-7")).toEqual([]);
  });

  it("cuts GSM-7 text into parts of 153 septets", () => {
    expect(splitSms("x".repeat(400), "GSM-7").map((p) => p.length)).toEqual([153, 153, 94]);
  });

  it("cuts a 3-part UCS-2 message into 67, 67 and the rest", () => {
    const text = `${SENTENCE} Hotline: 1022 (Trung tâm Phục vụ hành chính công thành phố).`;
    expect(text.length).toBeGreaterThan(134);
    expect(text.length).toBeLessThanOrEqual(201);
    const parts = splitSms(text, "UCS-2");
    expect(parts.map((p) => p.length)).toEqual([67, 67, text.length - 134]);
    expect(parts.join("")).toBe(text);
  });

  it("may also send accented text as UCS-2 even if it fits GSM-7", () => {
    expect(splitSms("a".repeat(71), "UCS-2").map((p) => p.length)).toEqual([67, 4]);
  });

  it("refuses GSM-7 for a text with a character outside it", () => {
    expect(() => splitSms("Đà Nẵng", "GSM-7")).toThrow(RangeError);
  });

  it("keeps every part within its capacity, never splits an ESC or surrogate pair, and loses nothing (property)", () => {
    const gsmChar = fc.constantFrom(...GSM7_BASIC.keys(), ...GSM7_EXTENSION.keys());
    fc.assert(
      fc.property(fc.array(gsmChar, { maxLength: 700 }), (chars) => {
        const text = chars.join("");
        const parts = splitSms(text, "GSM-7");
        expect(parts.join("")).toBe(text.normalize("NFC"));
        const septets = parts.map(septetsOf);
        if (parts.length > 1) for (const s of septets) expect(s).toBeLessThanOrEqual(153);
        else for (const s of septets) expect(s).toBeLessThanOrEqual(160);
        for (const p of parts) expect(gsm7Octets(p).at(-1)).not.toBe(0x1b);
        expect(smsInfo(text).segments).toBe(parts.length);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 300 }), (s) => {
        const text = s.normalize("NFC");
        const parts = splitSms(text, "UCS-2");
        expect(parts.join("")).toBe(text);
        for (const p of parts) {
          expect(p.length).toBeLessThanOrEqual(parts.length > 1 ? SMS_CAPACITY["UCS-2"].part : SMS_CAPACITY["UCS-2"].single);
          expect(/^[\udc00-\udfff]/.test(p)).toBe(false);
          expect(/[\ud800-\udbff]$/.test(p)).toBe(false);
        }
        const info = smsInfo(text);
        if (info.encoding === "UCS-2") expect(info.segments).toBe(parts.length);
      }),
      { numRuns: 300 },
    );
  });
});

describe("unaccent", () => {
  it.each([
    ["Đăng ký", "Dang ky"],
    ["đường dây nóng", "duong day nong"],
    ["Ủy ban nhân dân", "Uy ban nhan dan"],
    ["ư ơ ă â ê ô", "u o a a e o"],
    ["Ư Ơ Ă Â Ê Ô", "U O A A E O"],
    ["Thành phố Cần Thơ", "Thanh pho Can Tho"],
    ["à è é ì ò ù", "a e e i o u"],
    ["nghiêng, ngoằn ngoèo, khuỷu, quốc", "nghieng, ngoan ngoeo, khuyu, quoc"],
    ["“Dịch vụ công”", '"Dich vu cong"'],
    ["‘một cửa’", "'mot cua'"],
    ["«trích»", '"trich"'],
    ["7–11 giờ — hoặc −5", "7-11 gio - hoac -5"],
    ["Đang xử lý…", "Dang xu ly..."],
    ["50.000\u00a0đồng", "50.000 dong"],
    ["a\u2009b\u202fc\u3000d\te", "a b c d e"],
    ["• Bước 1\n◦ Bước 2", "- Buoc 1\n- Buoc 2"],
    ["Giá 50.000₫", "Gia 50.000d"],
    ["30°C", "30oC"],
    ["Chào bạn 👋🏽! 🇻🇳 👨‍👩‍👧", "Chao ban !  "],
    ["1️⃣ Bước một", "1 Buoc mot"],
    ["½ số hồ sơ, m²", "1/2 so ho so, m2"],
    ["ＡＢＣ ﬁ", "ABC fi"],
    ["xin\u200bchào\u00ad\ufeff", "xinchao"],
    ["ÐỒNG THÁP", "DONG THAP"],
    ["Français Ça", "Francais Ca"],
    ["Ä Ö Ñ Ü Å", "A O N U A"],
    ["@ £ $ ¥ ¤ § ¿ ¡ Ø ø Æ æ ß Δ Ω € [ ] { } \\ | ^ ~", "@ £ $ ¥ ¤ § ¿ ¡ Ø ø Æ æ ß Δ Ω € [ ] { } \\ | ^ ~"],
    ["`mã`", "'ma'"],
    ["Привет 中文", "?????? ??"],
    ["", ""],
    ["   ", "   "],
    ["dòng 1\r\ndòng 2", "dong 1\r\ndong 2"],
  ])("%j → %j", (input, expected) => {
    expect(unaccent(input)).toBe(expected);
    expect(isGsm7(unaccent(input))).toBe(true);
  });

  it("reduces every Vietnamese letter to one ASCII letter", () => {
    for (const l of VIETNAMESE_LETTERS) expect(unaccent(l), l).toMatch(/^[A-Za-z]$/);
    expect(VIETNAMESE_LETTERS.map(unaccent).join("")).toBe(
      VIETNAMESE_LETTERS.map((l) => l.normalize("NFD").replace(/\p{M}/gu, "").replace("đ", "d").replace("Đ", "D")).join(""),
    );
  });

  it("handles NFC and NFD input the same", () => {
    expect(unaccent(SENTENCE.normalize("NFD"))).toBe(unaccent(SENTENCE));
    expect(unaccent("Nguye\u0302\u0303n")).toBe("Nguyen");
  });

  it("is always GSM-7, never throws, and is idempotent, over random Unicode (property)", () => {
    const text = fc.oneof(
      fc.string({ unit: "binary", maxLength: 200 }),
      fc.string({ unit: "grapheme", maxLength: 100 }),
      fc
        .array(fc.constantFrom(...VIETNAMESE_LETTERS, " ", "“", "”", "–", "…", "😀", "\u00a0", "\u0301"), { maxLength: 100 })
        .map((a) => a.join("")),
    );
    fc.assert(
      fc.property(text, (s) => {
        const once = unaccent(s);
        expect(isGsm7(once)).toBe(true);
        expect(unaccent(once)).toBe(once);
        expect(unaccent(s.normalize("NFD"))).toBe(unaccent(s.normalize("NFC")));
      }),
      { numRuns: 2000 },
    );
  });

  it("keeps a long message's cost at 153 septets a part once unaccented", () => {
    const long = Array.from({ length: 8 }, () => SENTENCE).join(" ");
    const accented = smsInfo(long);
    const plain = smsInfo(long, { unaccent: true });
    expect(accented).toMatchObject({ encoding: "UCS-2", segments: Math.ceil(long.length / 67) });
    expect(plain).toMatchObject({ encoding: "GSM-7", units: long.length, segments: Math.ceil(long.length / 153) });
    expect(accented.segments).toBeGreaterThan(2 * plain.segments);
  });
});
