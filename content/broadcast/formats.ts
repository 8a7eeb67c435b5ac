import crypto from "node:crypto";
import { Feed } from "feed";
import { localDate, toLocalIso } from "../time.js";
import type { ProgrammeWeek } from "./programmes.js";
import type { Script, ScriptEntry } from "./scripts.js";

const WEEKDAYS = ["Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"];
const viDate = (ymd: string) => `${Number(ymd.slice(8, 10))}/${Number(ymd.slice(5, 7))}/${ymd.slice(0, 4)}`;
/** `Thứ Ba 1/12/2026 06:00`, in Asia/Ho_Chi_Minh. */
export function viSlot(iso: string): string {
  const local = toLocalIso(new Date(iso));
  const day = new Date(`${local.slice(0, 10)}T00:00:00Z`).getUTCDay();
  return `${WEEKDAYS[day]} ${viDate(local.slice(0, 10))} ${local.slice(11, 16)}`;
}
/** `2 phút 5 giây`. */
export function viDuration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return [m ? `${m} phút` : "", s || !m ? `${s} giây` : ""].filter(Boolean).join(" ");
}
const validity = (e: ScriptEntry) => `${viDate(localDate(new Date(e.validFrom)))} – ${viDate(localDate(new Date(e.validUntil)))}`;

/** A strong ETag over what a representation is made from (the script and the format), not its bytes: DOCX files carry a creation time. */
export const etagOf = (...parts: unknown[]) =>
  `"${crypto.createHash("sha256").update(JSON.stringify(parts)).digest("base64url").slice(0, 27)}"`;

/** The lines of an entry's heading: number, title, priority, slot, duration, and "synthetic" where the audio is. */
export function entryHeading(e: ScriptEntry, n: number): { title: string; meta: string } {
  const priority = e.priority === "thuong" ? "" : ` [${e.priorityLabel.toUpperCase()}]`;
  const audio = e.synthetic ? " · âm thanh: giọng đọc tổng hợp (synthetic)" : " · âm thanh: bản ghi âm";
  return {
    title: `${n}. ${e.title}${priority}`,
    meta: `Khung giờ gợi ý: ${viSlot(e.slot)} · khoảng ${viDuration(e.readingSeconds)} · hiệu lực ${validity(e)}${audio}`,
  };
}

export function scriptTitle(s: Script): string {
  return `Kịch bản phát thanh tuần ${s.week} (${viDate(s.from)} – ${viDate(s.to)})`;
}

export function scriptHeader(s: Script): string[] {
  return [
    `${s.station.name} — ${s.station.agency.name}${s.station.area ? ` — Khu vực: ${s.station.area}` : ""}`,
    `Tổng thời lượng ước tính: ${viDuration(s.totalSeconds)} (${s.wordsPerMinute} từ/phút)`,
    s.frozen ? `Đã chốt khi tuần bắt đầu (${viSlot(s.frozenAt ?? "")})` : "Chưa chốt: kịch bản chốt khi tuần bắt đầu",
  ];
}

/** The script as plain text, ready to read aloud: the read-aloud text of each part under a short heading. */
export function scriptText(s: Script): string {
  const out = [scriptTitle(s).toUpperCase(), ...scriptHeader(s), "", "MỞ ĐẦU", s.opening.readAloud, ""];
  const section = (entries: ScriptEntry[], first: number) =>
    entries.forEach((e, i) => {
      const h = entryHeading(e, first + i);
      out.push(h.title, h.meta, e.readAloud, "");
    });
  section(s.entries, 1);
  if (s.addenda.length) {
    out.push("PHẦN BỔ SUNG (tin khẩn cấp thêm sau khi chốt)", "");
    section(s.addenda, s.entries.length + 1);
  }
  if (!s.entries.length && !s.addenda.length) out.push("(Tuần này chưa có tin nào.)", "");
  out.push("KẾT THÚC", s.closing.readAloud, "");
  return out.join("\n");
}

const esc = (t: string) => t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const STYLE =
  "body{font-family:'Noto Sans','DejaVu Sans',sans-serif;font-size:28px;line-height:1.55;max-width:1100px;margin:2em auto;padding:0 1em;color:#111}h1{font-size:40px}h2{font-size:34px;margin-top:1.6em;border-bottom:2px solid #333}h3{font-size:31px;margin-bottom:.2em}.meta{font-size:22px;color:#444}.read{white-space:pre-wrap}table{border-collapse:collapse;width:100%;font-size:24px}td,th{border:1px solid #555;padding:.3em .5em;text-align:left;vertical-align:top}@media print{body{margin:0;max-width:none}h2,h3{break-after:avoid}section{break-inside:avoid}}";
/** The printable pages' policy: no script, nothing loaded, only their own stylesheet (by its hash). */
export const PRINT_CSP = `default-src 'none'; style-src 'sha256-${crypto.createHash("sha256").update(STYLE).digest("base64")}'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

/** A printable page in large type, every value escaped. */
export function scriptHtml(s: Script): string {
  const entries = (list: ScriptEntry[], first: number) =>
    list
      .map((e, i) => {
        const h = entryHeading(e, first + i);
        return `<section><h3>${esc(h.title)}</h3><p class="meta">${esc(h.meta)}</p><p class="read">${esc(e.readAloud)}</p></section>`;
      })
      .join("");
  const body = [
    `<h1>${esc(scriptTitle(s))}</h1>`,
    ...scriptHeader(s).map((l) => `<p class="meta">${esc(l)}</p>`),
    `<h2>Mở đầu</h2><p class="read">${esc(s.opening.readAloud)}</p>`,
    `<h2>Tin bài</h2>${entries(s.entries, 1) || "<p>Tuần này chưa có tin nào.</p>"}`,
    s.addenda.length ? `<h2>Phần bổ sung (tin khẩn cấp thêm sau khi chốt)</h2>${entries(s.addenda, s.entries.length + 1)}` : "",
    `<h2>Kết thúc</h2><p class="read">${esc(s.closing.readAloud)}</p>`,
  ].join("");
  return page(scriptTitle(s), body);
}

/** The week's programmes as a printable page for the stations' prompters. */
export function programmesHtml(w: ProgrammeWeek): string {
  const title = `Chương trình phát thanh, truyền hình về dịch vụ công trực tuyến — tuần ${w.week}`;
  const stations = w.stations
    .map((st) => {
      const programmes = st.programmes
        .map((p) => {
          const rows = (p.rundown?.segments ?? [])
            .map(
              (g, i) =>
                `<tr><td>${i + 1}</td><td>${esc(g.title)}</td><td>${esc(viDuration(g.durationSeconds))}</td><td>${esc(g.guests.join(", "))}</td><td>${esc(g.notes ?? "")}</td></tr>`,
            )
            .join("");
          const table = rows
            ? `<table><tr><th>#</th><th>Phần</th><th>Thời lượng</th><th>Khách mời</th><th>Ghi chú</th></tr>${rows}</table><p class="meta">Tổng: ${esc(viDuration(p.rundown?.totalSeconds ?? 0))}</p>`
            : "<p>Chưa có kịch bản chi tiết (rundown).</p>";
          return `<section><h3>${esc(p.title)}</h3><p class="meta">${esc(`Phát: ${viSlot(p.slot)}`)}</p>${table}</section>`;
        })
        .join("");
      return `<h2>${esc(st.station.name)}${st.programme ? ` — ${esc(st.programme)}` : ""}</h2>${programmes || "<p>Tuần này chưa có chương trình.</p>"}`;
    })
    .join("");
  return page(title, `<h1>${esc(title)}</h1>${stations || "<p>Không có đài nào.</p>"}`);
}

/**
 * The week as a podcast (RSS 2.0 with the iTunes namespace): one episode per item with its MP3 as
 * the enclosure (its byte length and duration), so that radio automation (LibreTime's podcast import)
 * can subscribe and ingest each new item; `guid` is the delivery id, stable across polls.
 */
export function scriptRss(
  s: Script,
  urls: { self: string; audio: (e: ScriptEntry) => string },
  audio: Map<string, { bytes: number; durationMs: number }>,
): string {
  const feed = new Feed({
    title: esc(`${s.station.name} — bản tin dịch vụ công trực tuyến tuần ${s.week}`),
    description: esc(`${scriptTitle(s)} — ${s.station.agency.name}`),
    id: urls.self,
    link: urls.self,
    language: "vi",
    copyright: esc(s.station.agency.name),
    generator: "Loa",
    podcast: true,
    author: { name: esc(s.station.agency.name) },
    updated: new Date(s.frozenAt ?? `${s.from}T00:00:00+07:00`),
    feedLinks: { rss: urls.self },
  });
  for (const e of [...s.entries, ...s.addenda]) {
    const a = audio.get(e.itemId);
    feed.addItem({
      title: esc(`${e.addendum ? "[Bổ sung] " : ""}${e.title}`),
      id: `urn:loa:delivery:${e.deliveryId}`,
      link: urls.audio(e),
      description: esc(`${e.text}${e.synthetic ? " (Giọng đọc tổng hợp — synthetic.)" : ""}`),
      date: new Date(e.slot),
      audio: { url: urls.audio(e), type: "audio/mpeg", length: a?.bytes ?? 0, duration: Math.round((a?.durationMs ?? 0) / 1000) },
    });
  }
  return feed.rss2();
}
