import { Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from "docx";
import { entryHeading, scriptHeader, scriptTitle, viDuration, viSlot } from "./formats.js";
import type { ProgrammeWeek } from "./programmes.js";
import type { Script, ScriptEntry } from "./scripts.js";

/** Large type for reading at the microphone: 16 pt text (docx counts half-points). */
const READ = 32;
const META = 22;

const para = (text: string, size = READ, bold = false) =>
  new Paragraph({ spacing: { after: 160 }, children: [new TextRun({ text, size, bold })] });
const heading = (text: string, level: (typeof HeadingLevel)[keyof typeof HeadingLevel] = HeadingLevel.HEADING_2) =>
  new Paragraph({ heading: level, spacing: { before: 240, after: 120 }, children: [new TextRun({ text, size: READ + 4, bold: true })] });

function doc(title: string, children: (Paragraph | Table)[]): Promise<Buffer> {
  return Packer.toBuffer(
    new Document({
      creator: "Loa",
      title,
      styles: { default: { document: { run: { font: "Noto Sans", size: READ } } } },
      sections: [
        {
          children: [
            new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun({ text: title, bold: true, size: 40 })] }),
            ...children,
          ],
        },
      ],
    }),
  );
}

/** The week's script as a Word document, in large type. */
export function scriptDocx(s: Script): Promise<Buffer> {
  const entries = (list: ScriptEntry[], first: number) =>
    list.flatMap((e, i) => {
      const h = entryHeading(e, first + i);
      return [heading(h.title, HeadingLevel.HEADING_3), para(h.meta, META), ...e.readAloud.split(/\n+/).map((p) => para(p))];
    });
  return doc(scriptTitle(s), [
    ...scriptHeader(s).map((l) => para(l, META)),
    heading("Mở đầu"),
    para(s.opening.readAloud),
    heading("Tin bài"),
    ...(s.entries.length ? entries(s.entries, 1) : [para("Tuần này chưa có tin nào.")]),
    ...(s.addenda.length ? [heading("Phần bổ sung (tin khẩn cấp thêm sau khi chốt)"), ...entries(s.addenda, s.entries.length + 1)] : []),
    heading("Kết thúc"),
    para(s.closing.readAloud),
  ]);
}

const cell = (text: string, bold = false) =>
  new TableCell({ children: [new Paragraph({ children: [new TextRun({ text, bold, size: META + 2 })] })] });

/** The week's programmes and their rundowns, for the stations' prompters. */
export function programmesDocx(w: ProgrammeWeek): Promise<Buffer> {
  const children: (Paragraph | Table)[] = [];
  for (const st of w.stations) {
    children.push(heading(`${st.station.name}${st.programme ? ` — ${st.programme}` : ""}`));
    if (!st.programmes.length) children.push(para("Tuần này chưa có chương trình."));
    for (const p of st.programmes) {
      children.push(heading(p.title, HeadingLevel.HEADING_3), para(`Phát: ${viSlot(p.slot)}`, META));
      const segments = p.rundown?.segments ?? [];
      if (!segments.length) {
        children.push(para("Chưa có kịch bản chi tiết (rundown).", META));
        continue;
      }
      children.push(
        new Table({
          width: { size: 100, type: WidthType.PERCENTAGE },
          rows: [
            new TableRow({ children: ["#", "Phần", "Thời lượng", "Khách mời", "Ghi chú"].map((t) => cell(t, true)) }),
            ...segments.map(
              (g, i) =>
                new TableRow({
                  children: [
                    cell(String(i + 1)),
                    cell(g.title),
                    cell(viDuration(g.durationSeconds)),
                    cell(g.guests.join(", ")),
                    cell(g.notes ?? ""),
                  ],
                }),
            ),
          ],
        }),
        para(`Tổng: ${viDuration(p.rundown?.totalSeconds ?? 0)}`, META),
      );
    }
  }
  if (!w.stations.length) children.push(para("Không có đài nào."));
  return doc(`Chương trình phát thanh, truyền hình về dịch vụ công trực tuyến — tuần ${w.week}`, children);
}
