// The annual report as a Word document: apart from annual.ts, so that docx is loaded only when one is asked for.
import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from "docx";
import { type AnnualReport, type AnnualTask, PERIOD_VI, viDate, viPercent } from "./annual.js";

const cell = (text: string, bold = false) => new TableCell({ children: [new Paragraph({ children: [new TextRun({ text, bold })] })] });

function taskSection(t: AnnualTask): (Paragraph | Table)[] {
  const o = t.obligation;
  const unit = PERIOD_VI[o.period];
  const out: (Paragraph | Table)[] = [
    new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(`Nhiệm vụ ${o.taskCode}`)] }),
    new Paragraph(o.description),
    new Paragraph(`Tần suất: tối thiểu ${o.minCount} sản phẩm mỗi ${unit}; kỳ tính từ ${t.from} đến ${t.to}.`),
    new Paragraph({
      children: [
        new TextRun({ text: "Tỷ lệ hoàn thành: ", bold: true }),
        new TextRun(`${viPercent(t.summary.rate)} (${t.summary.met}/${t.summary.met + t.summary.missed} kỳ đạt)`),
      ],
    }),
  ];
  if (t.agencies.length === 0) {
    out.push(new Paragraph("Không có cơ quan nào thuộc phạm vi nhiệm vụ trong năm."));
    return out;
  }
  const header = new TableRow({
    tableHeader: true,
    children: ["TT", "Cơ quan", `Số ${unit} đạt / số ${unit} phải thực hiện`, `Các ${unit} không đạt`, "Tỷ lệ tự khai báo"].map((h) =>
      cell(h, true),
    ),
  });
  const rows = t.agencies.map(
    (a, i) =>
      new TableRow({
        children: [
          cell(String(i + 1)),
          cell(a.agency),
          cell(`${a.met}/${a.due}`),
          cell(a.missed.length ? a.missed.join(", ") : "Không"),
          cell(viPercent(a.selfReportedShare)),
        ],
      }),
  );
  out.push(new Table({ width: { size: 100, type: WidthType.PERCENTAGE }, rows: [header, ...rows] }));
  return out;
}

/** The annual report to DOST (due before 30 November) as a Word document in Vietnamese. */
export async function annualDocx(r: AnnualReport): Promise<Buffer> {
  const doc = new Document({
    creator: "Loa",
    title: `Báo cáo năm ${r.year}`,
    sections: [
      {
        children: [
          new Paragraph({
            heading: HeadingLevel.TITLE,
            alignment: AlignmentType.CENTER,
            children: [new TextRun(`BÁO CÁO KẾT QUẢ TRIỂN KHAI KẾ HOẠCH TUYÊN TRUYỀN DỊCH VỤ CÔNG TRỰC TUYẾN NĂM ${r.year}`)],
          }),
          new Paragraph({
            alignment: AlignmentType.CENTER,
            children: [new TextRun("Kính gửi: Sở Khoa học và Công nghệ thành phố Cần Thơ")],
          }),
          new Paragraph(
            `Số liệu tính đến ngày ${viDate(r.asOf)}, do hệ thống Loa tổng hợp từ các tin, bài đã đăng, phát và các minh chứng tự khai báo. Tuần tính theo ISO 8601, giờ Việt Nam.`,
          ),
          ...r.tasks.flatMap(taskSection),
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}
