// Read-aloud normalisation: what a loudspeaker announcer or a TTS engine is given, in both dialects.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { estimateReadingSeconds, readAloud } from "../../templates/text/read-aloud.js";
import { loadAbbreviations, loadDomainWords } from "../../templates/text/read-aloud-dictionary.js";
import { isPhone, parseDate, parseNumber, phoneGroups } from "../../templates/text/read-aloud-tokens.js";
import { readMonth, readOrdinal, romanValue } from "../../templates/text/vi-numbers.js";

/** [input, Southern reading, Northern reading when it differs]. */
type Case = [string, string, string?];

const NUMBERS: Case[] = [
  ["1.250.000", "một triệu hai trăm năm mươi ngàn", "một triệu hai trăm năm mươi nghìn"],
  ["1,5", "một phẩy năm"],
  ["2025", "hai ngàn không trăm hai mươi lăm", "hai nghìn không trăm hai mươi lăm"],
  ["năm 2025", "năm hai ngàn không trăm hai mươi lăm", "năm hai nghìn không trăm hai mươi lăm"],
  ["105", "một trăm lẻ năm", "một trăm linh năm"],
  ["21", "hai mươi mốt"],
  ["25", "hai mươi lăm"],
  ["14", "mười bốn"],
  ["15", "mười lăm"],
  ["24", "hai mươi tư"],
  ["10", "mười"],
  ["0", "không"],
  ["1.000", "một ngàn", "một nghìn"],
  ["1.000.000.000", "một tỷ"],
  ["1.005.000", "một triệu không trăm lẻ năm ngàn", "một triệu không trăm linh năm nghìn"],
  ["12,5", "mười hai phẩy năm"],
  ["0,5", "không phẩy năm"],
  ["3,14", "ba phẩy mười bốn"],
  ["1.250.000,75", "một triệu hai trăm năm mươi ngàn phẩy bảy mươi lăm", "một triệu hai trăm năm mươi nghìn phẩy bảy mươi lăm"],
  ["1,250,000", "một triệu hai trăm năm mươi ngàn", "một triệu hai trăm năm mươi nghìn"],
  ["05 ngày làm việc", "năm ngày làm việc"],
  ["mục 2.2", "mục hai chấm hai"],
  ["CCCD số 079123456789", "căn cước công dân số không bảy chín, một hai ba, bốn năm sáu, bảy tám chín"],
  ["mã 0123", "mã không một hai ba"],
  ["5-10 ngày", "năm đến mười ngày"],
  ["từ 5-10 người", "từ năm đến mười người"],
  ["1/2 số hồ sơ", "một phần hai số hồ sơ"],
  ["3/4 số xã", "ba phần tư số xã"],
  ["hỗ trợ 24/7", "hỗ trợ hai mươi tư trên bảy"],
  ["Đạt 95/103 xã", "Đạt chín mươi lăm trên một trăm lẻ ba xã", "Đạt chín mươi lăm trên một trăm linh ba xã"],
];

const DATES: Case[] = [
  ["30/4", "ba mươi tháng tư"],
  ["ngày 30/4", "ngày ba mươi tháng tư"],
  ["1/7/2025", "ngày một tháng bảy năm hai ngàn không trăm hai mươi lăm", "ngày một tháng bảy năm hai nghìn không trăm hai mươi lăm"],
  ["ngày 1/7/2025", "ngày một tháng bảy năm hai ngàn không trăm hai mươi lăm", "ngày một tháng bảy năm hai nghìn không trăm hai mươi lăm"],
  ["ngày 02/09", "ngày hai tháng chín"],
  ["từ 1/7 đến 30/9", "từ một tháng bảy đến ba mươi tháng chín"],
  ["hạn chót 15/12", "hạn chót mười lăm tháng mười hai"],
  ["trước 5/1", "trước năm tháng một"],
  ["ngày 1/7 và 15/7", "ngày một tháng bảy và mười lăm tháng bảy"],
  ["ngày 1/7, 2/7", "ngày một tháng bảy, hai tháng bảy"],
  ["30/4 - 1/5", "ba mươi tháng tư đến một tháng năm"],
  ["30/4-1/5", "ba mươi tháng tư đến một tháng năm"],
  ["ngày 30-4", "ngày ba mươi tháng tư"],
  ["sáng 30-4", "sáng ba mươi tháng tư"],
  ["dịp 2-9", "dịp hai tháng chín"],
  ["lễ 2/9", "lễ hai tháng chín"],
  [
    "30-4-2025",
    "ngày ba mươi tháng tư năm hai ngàn không trăm hai mươi lăm",
    "ngày ba mươi tháng tư năm hai nghìn không trăm hai mươi lăm",
  ],
  ["1.7.2025", "ngày một tháng bảy năm hai ngàn không trăm hai mươi lăm", "ngày một tháng bảy năm hai nghìn không trăm hai mươi lăm"],
  ["tháng 4", "tháng tư"],
  ["tháng 1", "tháng một"],
  ["tháng 12/2025", "tháng mười hai năm hai ngàn không trăm hai mươi lăm", "tháng mười hai năm hai nghìn không trăm hai mươi lăm"],
  ["trong 7/2025", "trong tháng bảy năm hai ngàn không trăm hai mươi lăm", "trong tháng bảy năm hai nghìn không trăm hai mươi lăm"],
  ["ngày 29/2", "ngày hai mươi chín tháng hai"],
  ["ngày 31/4", "ngày ba mươi mốt trên bốn"],
  ["ngày 24/12", "ngày hai mươi tư tháng mười hai"],
];

const TIMES: Case[] = [
  ["7h30", "bảy giờ ba mươi phút"],
  ["07:30", "bảy giờ ba mươi phút"],
  ["7 giờ 30", "bảy giờ ba mươi"],
  ["14h", "mười bốn giờ"],
  ["7h", "bảy giờ"],
  ["7h05", "bảy giờ năm phút"],
  ["17h00", "mười bảy giờ"],
  ["7g30", "bảy giờ ba mươi phút"],
  ["7h30p", "bảy giờ ba mươi phút"],
  ["7h30-11h30", "bảy giờ ba mươi phút đến mười một giờ ba mươi phút"],
  ["từ 7h30 - 11h30", "từ bảy giờ ba mươi phút đến mười một giờ ba mươi phút"],
  ["từ 13h30 – 17h", "từ mười ba giờ ba mươi phút đến mười bảy giờ"],
  ["trong 48h", "trong bốn mươi tám giờ"],
  ["25h30", "hai mươi lăm h ba mươi"],
];

const MONEY_AND_PERCENT: Case[] = [
  ["85%", "tám mươi lăm phần trăm"],
  ["12,5%", "mười hai phẩy năm phần trăm"],
  ["100 %", "một trăm phần trăm"],
  ["50.000đ", "năm mươi ngàn đồng", "năm mươi nghìn đồng"],
  ["50.000 đồng", "năm mươi ngàn đồng", "năm mươi nghìn đồng"],
  ["50.000 VNĐ", "năm mươi ngàn đồng", "năm mươi nghìn đồng"],
  ["50.000 đ", "năm mươi ngàn đồng", "năm mươi nghìn đồng"],
  ["50.000₫", "năm mươi ngàn đồng", "năm mươi nghìn đồng"],
  ["1,5 triệu đồng", "một phẩy năm triệu đồng"],
  ["2 tỷ", "hai tỷ"],
  ["2 tỷ đồng", "hai tỷ đồng"],
  ["2 tỷ VNĐ", "hai tỷ đồng"],
  ["2 tỉ đ", "hai tỷ đồng"],
  ["500 nghìn đồng", "năm trăm ngàn đồng", "năm trăm nghìn đồng"],
  ["500 ngàn", "năm trăm ngàn", "năm trăm nghìn"],
  ["50k", "năm mươi ngàn", "năm mươi nghìn"],
  ["1,5tr", "một phẩy năm triệu"],
  ["50.000đ/tháng", "năm mươi ngàn đồng một tháng", "năm mươi nghìn đồng một tháng"],
  ["100 USD", "một trăm đô la Mỹ"],
  ["diện tích 5 ha", "diện tích năm héc ta"],
  ["cách 3km", "cách ba ki lô mét"],
  ["30°C", "ba mươi độ C"],
];

const ORDINALS: Case[] = [
  ["thứ 2", "thứ hai"],
  ["Thứ 4", "Thứ tư"],
  ["thứ 7", "thứ bảy"],
  ["lần thứ 1", "lần thứ nhất"],
  ["lần thứ 14", "lần thứ mười bốn"],
  ["Chủ nhật", "Chủ nhật"],
  ["thứ 2-6", "thứ hai đến thứ sáu"],
  ["từ thứ 2 đến thứ 7", "từ thứ hai đến thứ bảy"],
  ["quý IV", "quý bốn"],
  ["khóa XV", "khóa mười lăm"],
  ["Đại hội XIII", "Đại hội mười ba"],
  ["thế kỷ XXI", "thế kỷ hai mươi mốt"],
  ["chữ I", "chữ I"],
];

const PHONES: Case[] = [
  ["Hotline: 0292 3820 123.", "Hotline: không hai chín hai, ba tám hai không, một hai ba."],
  ["gọi 1022", "gọi một không hai hai"],
  ["gọi số 1022", "gọi số một không hai hai"],
  ["tổng đài 1022", "tổng đài một không hai hai"],
  ["đường dây nóng 1022", "đường dây nóng một không hai hai"],
  ["0909.123.456", "không chín không chín, một hai ba, bốn năm sáu"],
  ["0909123456", "không chín không chín, một hai ba, bốn năm sáu"],
  ["0292-3820-123", "không hai chín hai, ba tám hai không, một hai ba"],
  ["(0292) 3820 123", "không hai chín hai, ba tám hai không, một hai ba"],
  ["+84 909 123 456", "cộng tám bốn, chín không chín, một hai ba, bốn năm sáu"],
  ["+84909123456", "cộng tám bốn, chín không chín, một hai ba, bốn năm sáu"],
  ["Tổng đài 1900 1234 hoặc 1022", "Tổng đài một chín không không, một hai ba bốn hoặc một không hai hai"],
  [
    "ĐT: 0292.3820.123, 0909 123 456",
    "điện thoại: không hai chín hai, ba tám hai không, một hai ba, không chín không chín, một hai ba, bốn năm sáu",
  ],
  ["1800 1234", "một tám không không, một hai ba bốn"],
  ["có 1022 hồ sơ", "có một ngàn không trăm hai mươi hai hồ sơ", "có một nghìn không trăm hai mươi hai hồ sơ"],
];

const ADDRESSES: Case[] = [
  ["dichvucong.gov.vn", "dịch vụ công chấm gov chấm vn"],
  ["https://dichvucong.cantho.gov.vn", "dịch vụ công chấm Cần Thơ chấm gov chấm vn"],
  ["https://dichvucong.cantho.gov.vn/", "dịch vụ công chấm Cần Thơ chấm gov chấm vn"],
  ["hotro@cantho.gov.vn", "hỗ trợ a còng Cần Thơ chấm gov chấm vn"],
  ["Truy cập dichvucong.gov.vn.", "Truy cập dịch vụ công chấm gov chấm vn."],
  ["www.cantho.gov.vn", "vê kép vê kép vê kép chấm Cần Thơ chấm gov chấm vn"],
  ["vneid.gov.vn", "vê en e ai đi chấm gov chấm vn"],
  ["dichvucongcantho.vn", "dịch vụ công Cần Thơ chấm vn"],
  ["abc.gov.vn", "a bê xê chấm gov chấm vn"],
  ["sokhcn.cantho.gov.vn/lien-he", "sở khoa học công nghệ chấm Cần Thơ chấm gov chấm vn gạch chéo e lờ i e en gạch ngang hát e"],
  ["hotro.dvc@cantho.gov.vn", "hỗ trợ chấm đê vê xê a còng Cần Thơ chấm gov chấm vn"],
  ["TP.HCM", "thành phố Hồ Chí Minh"],
  ["hotro1022@cantho.gov.vn", "hỗ trợ một không hai hai a còng Cần Thơ chấm gov chấm vn"],
  [
    "http://dichvucong.cantho.gov.vn:8080/tra-cuu?ma=12",
    "dịch vụ công chấm Cần Thơ chấm gov chấm vn hai chấm tám không tám không gạch chéo tê e rờ a gạch ngang xê u u chấm hỏi em a bằng một hai",
  ],
  ["thutuc.gov", "thủ tục chấm gov"],
  ["file.txt", "file.txt"],
  ["v1.2", "v1.2"],
];

const ABBREVIATIONS: Case[] = [
  ["UBND TP. Cần Thơ", "Ủy ban nhân dân thành phố Cần Thơ"],
  ["Tp. Cần Thơ", "thành phố Cần Thơ"],
  ["TP Cần Thơ", "thành phố Cần Thơ"],
  ["tp cần thơ", "tp cần thơ"],
  ["HĐND phường", "Hội đồng nhân dân phường"],
  ["nộp qua DVCTT.", "nộp qua dịch vụ công trực tuyến."],
  ["(TTHC)", "(thủ tục hành chính)"],
  ["CCCD gắn chip", "căn cước công dân gắn chip"],
  ["ứng dụng VNeID", "ứng dụng vê en e ai đi"],
  ["Sở KH&CN", "Sở khoa học và công nghệ"],
  ["CNTT", "công nghệ thông tin"],
  ["UBMTTQ phường", "Ủy ban Mặt trận Tổ quốc phường"],
  ["Sở TT&TT", "Sở thông tin và truyền thông"],
  ["BHXH, BHYT", "bảo hiểm xã hội, bảo hiểm y tế"],
  ["CSDL quốc gia", "cơ sở dữ liệu quốc gia"],
  ["mã QR", "mã kiu a"],
  ["UBNDs", "UBNDs"],
  ["xUBND", "xUBND"],
  ["ubnd", "ubnd"],
  [
    "Nghị định số 13/2023/NĐ-CP",
    "Nghị định số mười ba năm hai ngàn không trăm hai mươi ba của Chính phủ",
    "Nghị định số mười ba năm hai nghìn không trăm hai mươi ba của Chính phủ",
  ],
  ["Quyết định 123/QĐ-UBND", "Quyết định một trăm hai mươi ba của Ủy ban nhân dân"],
  ["Công ty CP", "Công ty CP"],
  ["COVID-19", "COVID mười chín"],
  ["mạng 4G", "mạng bốn G"],
  ["Đăng ký & nộp", "Đăng ký và nộp"],
];

const EDGES: Case[] = [
  ["", ""],
  ["   ", "   "],
  ["\n\n", "\n\n"],
  ["Không có số nào ở đây.", "Không có số nào ở đây."],
  ["Dòng 1\nDòng 2", "Dòng một\nDòng hai"],
  ["🙂 12", "🙂 mười hai"],
  ["(12)", "(mười hai)"],
  ["«30/4»", "«ba mươi tháng tư»"],
  ["abc-12-xyz", "abc mười hai xyz"],
  ["abc-12-xyz-", "abc-12-xyz-"],
  ["1.2.3.4.5.6.7.8.9", "1.2.3.4.5.6.7.8.9"],
];

const ALL = { NUMBERS, DATES, TIMES, MONEY_AND_PERCENT, ORDINALS, PHONES, ADDRESSES, ABBREVIATIONS, EDGES };

describe("readAloud", () => {
  it("has a table of at least 100 cases", () => {
    expect(Object.values(ALL).flat().length).toBeGreaterThanOrEqual(100);
  });

  for (const [group, cases] of Object.entries(ALL)) {
    describe(group.toLowerCase().replaceAll("_", " "), () => {
      it.each(cases)("%j → %j (south)", (input, south) => {
        expect(readAloud(input)).toBe(south);
        expect(readAloud(input, { dialect: "south" })).toBe(south);
      });
      it.each(cases)("%j → %j / %j (north)", (input, south, north) => {
        expect(readAloud(input, { dialect: "north" })).toBe(north ?? south);
      });
    });
  }

  it("reads its own output unchanged: nothing is read twice", () => {
    for (const [input, south, north] of Object.values(ALL).flat()) {
      expect(readAloud(south), input).toBe(south);
      if (north) expect(readAloud(north, { dialect: "north" }), input).toBe(north);
    }
  });

  it("takes decomposed input like composed input, and answers NFC", () => {
    const text = "Ủy ban nhân dân phường Ninh Kiều: hạn chót 15/12, hotline 0292 3820 123, phí 50.000đ.";
    const nfd = text.normalize("NFD");
    expect(nfd).not.toBe(text);
    const out = readAloud(nfd);
    expect(out).toBe(readAloud(text));
    expect(out).toBe(out.normalize("NFC"));
    expect(readAloud("HĐND".normalize("NFD"))).toBe("Hội đồng nhân dân");
  });

  it("reads a whole announcement", () => {
    const text =
      "Từ ngày 1/7/2025, người dân phường Ninh Kiều nộp hồ sơ TTHC qua DVCTT tại https://dichvucong.cantho.gov.vn, " +
      "lệ phí 50.000đ, giảm 50%. Giờ làm việc 7h30-11h30 từ thứ 2 đến thứ 6. Hotline: 0292 3820 123.";
    expect(readAloud(text)).toBe(
      "Từ ngày một tháng bảy năm hai ngàn không trăm hai mươi lăm, người dân phường Ninh Kiều nộp hồ sơ thủ tục hành chính " +
        "qua dịch vụ công trực tuyến tại dịch vụ công chấm Cần Thơ chấm gov chấm vn, lệ phí năm mươi ngàn đồng, giảm năm mươi phần trăm. " +
        "Giờ làm việc bảy giờ ba mươi phút đến mười một giờ ba mươi phút từ thứ hai đến thứ sáu. " +
        "Hotline: không hai chín hai, ba tám hai không, một hai ba.",
    );
  });

  it("keeps the layout: spaces, line breaks and punctuation stay where they were", () => {
    expect(readAloud("  Lúc 7h,\n\tthứ 2!  ")).toBe("  Lúc bảy giờ,\n\tthứ hai!  ");
  });

  it("leaves text without numbers, addresses or known abbreviations exactly as it is (property)", () => {
    const word = fc
      .array(fc.constantFrom(..."aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạếềểễệ"), { minLength: 1, maxLength: 7 })
      .map((a) => a.join(""));
    const sentence = fc.array(fc.tuple(word, fc.constantFrom(" ", ", ", ". ", "\n", "  ")), { maxLength: 30 });
    fc.assert(
      fc.property(sentence, (pieces) => {
        const text = pieces.map(([w, s]) => w + s).join("");
        expect(readAloud(text)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });

  it("never throws and always answers NFC, whatever the input (property)", () => {
    const token = fc.oneof(
      fc.string({ unit: "binary", maxLength: 12 }),
      fc.stringMatching(/^[0-9.,/:%hđ+-]{1,14}$/),
      fc.constantFrom("ngày", "thứ", "tháng", "hotline", "gọi", "TP.", "UBND", "-", "và", "đ", "tỷ", "quý", "@", "gov.vn"),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(token, fc.constantFrom(" ", "  ", "\n", "")), { maxLength: 25 }), (pieces) => {
        const text = pieces.map(([t, s]) => t + s).join("");
        const out = readAloud(text);
        expect(out).toBe(out.normalize("NFC"));
        readAloud(text, { dialect: "north" });
      }),
      { numRuns: 1500 },
    );
  });

  it("reads a 1 MB input in linear time, including hostile words (a generous bound, not a benchmark)", () => {
    const paragraph =
      "Từ ngày 1/7/2025, UBND TP. Cần Thơ tiếp nhận 1.250.000 hồ sơ qua https://dichvucong.cantho.gov.vn, phí 50.000đ, hotline 0292 3820 123. ";
    const hostile = [
      "a.".repeat(50_000),
      "1.".repeat(50_000),
      "1/".repeat(50_000),
      "-1".repeat(50_000),
      `${"dichvucong".repeat(20)}.gov.vn`,
      "0 ".repeat(50_000),
    ].join(" ");
    const text = (paragraph.repeat(Math.ceil(700_000 / paragraph.length)) + hostile).slice(0, 1_000_000);
    const started = performance.now();
    const out = readAloud(text);
    const ms = performance.now() - started;
    expect(out.length).toBeGreaterThan(text.length);
    expect(ms).toBeLessThan(20_000);
  });
});

describe("the dictionaries", () => {
  it("have at least 30 abbreviations read in running text, and the domain words of the examples", () => {
    const text = loadAbbreviations().entries.filter((e) => e.scope !== "document");
    expect(text.length).toBeGreaterThanOrEqual(30);
    for (const abbr of [
      "UBND",
      "HĐND",
      "DVCTT",
      "TTHC",
      "CCCD",
      "VNeID",
      "TP.",
      "KH&CN",
      "CNTT",
      "UBMTTQ",
      "TT&TT",
      "BHXH",
      "BHYT",
      "CSDL",
      "QR",
    ]) {
      expect(text.map((e) => e.abbr)).toContain(abbr);
    }
    const words = loadDomainWords().words;
    expect(words).toMatchObject({ dichvucong: "dịch vụ công", cantho: "Cần Thơ", hotro: "hỗ trợ" });
  });

  it("take overrides: a changed reading, a new entry, a removed one, ignoring case where asked", () => {
    const overrides = {
      abbreviations: {
        UBND: "ủy ban",
        PVHCC: "phục vụ hành chính công",
        CNTT: null,
        tthc: { reading: "thủ tục hành chính", ignoreCase: true },
      },
      domainWords: { ninhkieu: "quận Ninh Kiều", cantho: null },
    };
    const out = readAloud("UBND, PVHCC, CNTT, Tthc, ninhkieu.cantho.gov.vn", { dictionary: overrides });
    expect(out).toBe("ủy ban, phục vụ hành chính công, CNTT, thủ tục hành chính, quận Ninh Kiều chấm xê a en tê hát o chấm gov chấm vn");
    // The same overrides object gives the same answer (it is compiled once), and the defaults are untouched.
    expect(readAloud("UBND", { dictionary: overrides })).toBe("ủy ban");
    expect(readAloud("UBND CNTT")).toBe("Ủy ban nhân dân công nghệ thông tin");
  });

  it("refuses an override that is not an entry", () => {
    expect(() => readAloud("X", { dictionary: { abbreviations: { X: { reading: "" } } } })).toThrow();
  });
});

describe("the pieces", () => {
  it.each([
    ["1.250.000", "1250000"],
    ["1.250.000,75", "1250000.75"],
    ["1,5", "1.5"],
    ["1,250,000", "1250000"],
    ["2025", "2025"],
    ["1.25", undefined],
    ["1,250", "1.250"],
    ["12.34.567", undefined],
    ["", undefined],
  ])("parses the written number %j as %j", (written, canonical) => {
    expect(parseNumber(written)).toBe(canonical);
  });

  it.each([
    ["29/2", true],
    ["29/2/2024", true],
    ["29/2/2025", false],
    ["31/4", false],
    ["31/12/2025", true],
    ["0/5", false],
    ["5/13", false],
    ["1/7-2025", false],
    ["1.7", false],
    ["1.7.2025", true],
  ])("takes %j as a valid date: %s", (written, valid) => {
    expect(parseDate(written) !== undefined).toBe(valid);
  });

  it("reads months, ordinals and Roman numerals", () => {
    expect([1, 4, 10, 12].map((m) => readMonth(m, "south"))).toEqual(["một", "tư", "mười", "mười hai"]);
    expect(["1", "01", "2", "4", "10", "21", "24"].map((n) => readOrdinal(n, "north"))).toEqual([
      "nhất",
      "nhất",
      "hai",
      "tư",
      "mười",
      "hai mươi mốt",
      "hai mươi tư",
    ]);
    expect(["I", "IV", "IX", "XIV", "XXI", "C"].map(romanValue)).toEqual([1, 4, 9, 14, 21, 100]);
    for (const bad of ["IIII", "VX", "IC", "", "XM", "CI"]) expect(romanValue(bad), bad).toBeUndefined();
  });

  it("tells phone numbers by their digits, and groups a run of digits as announcers do", () => {
    expect(isPhone("0909123456", false, false)).toBe(true);
    expect(isPhone("02923820123", false, false)).toBe(true);
    expect(isPhone("090912345", false, false)).toBe(false);
    expect(isPhone("84909123456", true, false)).toBe(true);
    expect(isPhone("19001234", false, false)).toBe(true);
    expect(isPhone("1022", false, false)).toBe(false);
    expect(isPhone("1022", false, true)).toBe(true);
    expect(isPhone("12", false, true)).toBe(false);
    expect(phoneGroups(["0909123456"])).toEqual(["0909", "123", "456"]);
    expect(phoneGroups(["02923820123"])).toEqual(["0292", "3820", "123"]);
    expect(phoneGroups(["19001234"])).toEqual(["1900", "1234"]);
    expect(phoneGroups(["+84909123456"])).toEqual(["+84", "909", "123", "456"]);
    expect(phoneGroups(["0292", "3820", "123"])).toEqual(["0292", "3820", "123"]);
  });
});

describe("estimateReadingSeconds", () => {
  it.each([
    ["", 0],
    ["   ", 0],
    ["Xin chào", 1],
    [Array.from({ length: 160 }, () => "loa").join(" "), 60],
    [Array.from({ length: 161 }, () => "loa").join(" "), 61],
  ])("%j takes %i s at 160 words a minute", (text, seconds) => {
    expect(estimateReadingSeconds(text)).toBe(seconds);
  });

  it("counts the words of the read-aloud text, not of the written one", () => {
    // 3 written words; read aloud: "một triệu hai trăm năm mươi ngàn đồng" (8) + "phí" = 9 words.
    expect(estimateReadingSeconds("phí 1.250.000 VNĐ", 60)).toBe(9);
    expect(estimateReadingSeconds("UBND", 60)).toBe(4);
  });

  it("takes another speed, and refuses a speed that is not positive", () => {
    expect(estimateReadingSeconds(Array.from({ length: 120 }, () => "loa").join(" "), 120)).toBe(60);
    expect(() => estimateReadingSeconds("loa", 0)).toThrow(RangeError);
  });
});
