// The Vietnamese text tools on large inputs: readAloud on 1, 2 and 4 MB of announcements (the time
// per MB must stay flat: linear time), on hostile inputs (long dotted, slashed and hyphenated words,
// digit groups, addresses) and unaccent + smsInfo on the same text. Best of RUNS.
// Usage: npm run bench text   (RUNS=5; fails if readAloud's time per MB grows more than 1.5× from 1 to 4 MB)
import { readAloud } from "../../templates/text/read-aloud.js";
import { smsInfo } from "../../templates/text/sms.js";
import { unaccent } from "../../templates/text/unaccent.js";

const RUNS = Number(process.env.RUNS ?? 5);
const MB = 1_000_000;

const PARAGRAPH =
  "Từ ngày 1/7/2025, UBND TP. Cần Thơ tiếp nhận 1.250.000 hồ sơ TTHC qua https://dichvucong.cantho.gov.vn, " +
  "lệ phí 50.000đ, giảm 12,5%; giờ làm việc 7h30-11h30 từ thứ 2 đến thứ 6, hotline 0292 3820 123 hoặc 1022. " +
  "Người dân dùng CCCD gắn chip và ứng dụng VNeID, liên hệ hotro@cantho.gov.vn. ";

const HOSTILE: Record<string, (n: number) => string> = {
  "dotted words (a.a.a… 250 chars)": (n) => fill(`${"a.".repeat(125)} `, n),
  "dotted digits (1.1.1… 250 chars)": (n) => fill(`${"1.".repeat(125)} `, n),
  "slashes (1/1/1… 250 chars)": (n) => fill(`${"1/".repeat(125)} `, n),
  "hyphens (-1-1… 250 chars)": (n) => fill(`${"-1".repeat(125)} `, n),
  "digit groups (0 12 0 12 …)": (n) => fill("0 12 ", n),
  "one word of 1 MB": (n) => "9".repeat(n),
  "long address labels": (n) => fill(`${"dichvucong".repeat(24)}.gov.vn `, n),
};

function fill(unit: string, n: number): string {
  return unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
}

function best(fn: () => void): number {
  let min = Number.POSITIVE_INFINITY;
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

const perMb: number[] = [];
for (const size of [1, 2, 4]) {
  const text = fill(PARAGRAPH, size * MB);
  const ms = best(() => readAloud(text));
  perMb.push(ms / size);
  console.log(`readAloud, announcements, ${size} MB: ${ms.toFixed(0)} ms (${(ms / size).toFixed(0)} ms/MB)`);
}
for (const [name, make] of Object.entries(HOSTILE)) {
  const text = make(MB);
  console.log(`readAloud, ${name}, 1 MB: ${best(() => readAloud(text)).toFixed(0)} ms`);
}
const text = fill(PARAGRAPH, MB);
console.log(`unaccent, 1 MB: ${best(() => unaccent(text)).toFixed(0)} ms`);
console.log(
  `smsInfo, 1 MB: ${best(() => smsInfo(text)).toFixed(0)} ms; with unaccent: ${best(() => smsInfo(text, { unaccent: true })).toFixed(0)} ms`,
);

const growth = (perMb[2] ?? 0) / (perMb[0] ?? 1);
console.log(`time per MB, 4 MB vs 1 MB: ×${growth.toFixed(2)} (linear: ≈ 1)`);
if (growth > 1.5) {
  console.error("readAloud is not linear in the input size");
  process.exit(1);
}
