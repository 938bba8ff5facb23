/**
 * The report as PDF, made in-process with pdfkit (no browser): Debian's Noto Sans CJK, subset on
 * embedding, the same tables as the HTML and CSV, the HTML's three charts, and the audit chain head
 * with its QR code. The stamp line goes into the document's Keywords and its last line, so
 * `watchfloor report verify` and pdftotext both find it.
 */
import PDFDocument from "pdfkit";
import QRCode from "qrcode";
import SVGtoPDF from "svg-to-pdfkit";
import { formatInstant } from "../domain/index.ts";
import type { Lang } from "../http/ui/i18n.ts";
import { reportCharts } from "./charts.ts";
import type { ReportData } from "./data.ts";
import { periodName, type ReportSection, reportSections } from "./sections.ts";
import { qrText, stampLine, stampOf } from "./stamp.ts";
import { REPORT_WORDS } from "./words.ts";

export const CJK_FONT = {
  file: "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
  face: "NotoSansCJKsc-Regular",
};

const MARGIN = 40;

export { qrText } from "./stamp.ts";

function table(doc: PDFKit.PDFDocument, s: ReportSection): void {
  const width = doc.page.width - 2 * MARGIN;
  // Columns share the width by how much they hold (header and cells), within sensible bounds.
  const weight = s.header.map((h, i) =>
    Math.min(30, Math.max(4, h.length, ...s.rows.map((r) => (r[i] ?? "").length))),
  );
  const total = weight.reduce((a, b) => a + b, 0);
  const cols = weight.map((x) => (x / total) * width);
  const size = s.header.length > 6 ? 7 : 9;
  const line = (cells: string[], bold: boolean) => {
    doc
      .font("cjk")
      .fontSize(size)
      .fillColor(bold ? "#374151" : "#111827");
    const height =
      Math.max(...cells.map((c, i) => doc.heightOfString(c || " ", { width: cols[i]! - 4 }))) + 4;
    if (doc.y + height > doc.page.height - MARGIN) doc.addPage();
    const y = doc.y;
    let x = MARGIN;
    cells.forEach((c, i) => {
      doc.text(c, x + 2, y + 2, { width: cols[i]! - 4, lineBreak: true });
      x += cols[i]!;
    });
    doc
      .moveTo(MARGIN, y + height)
      .lineTo(MARGIN + width, y + height)
      .lineWidth(0.3)
      .strokeColor("#cccccc")
      .stroke();
    doc.x = MARGIN;
    doc.y = y + height;
  };
  if (doc.y > doc.page.height - MARGIN - 80) doc.addPage();
  doc.moveDown(0.6).font("cjk").fontSize(12).fillColor("#111827").text(s.title, MARGIN);
  doc.moveDown(0.2);
  line(s.header, true);
  for (const row of s.rows) line(row, false);
}

/**
 * ECharts outlines a label in white under its fill (a halo, by `paint-order="stroke"`); svg-to-pdfkit
 * knows no paint-order and would stroke over the figure, so in the PDF the label loses its outline.
 */
function withoutHalo(svg: string): string {
  return svg.replace(/<text\b[^>]*\bpaint-order="stroke"[^>]*>/g, (tag) =>
    tag.replace(/ (stroke|stroke-width|stroke-miterlimit|paint-order)="[^"]*"/g, ""),
  );
}

/**
 * The HTML report's three charts (timeliness per month, faults per class, time to respond / resolve
 * against the limit), the same ECharts SVG drawn as vectors by svg-to-pdfkit: one drawing for both
 * formats, its words real text in the CJK face (pdftotext reads them).
 */
function charts(doc: PDFKit.PDFDocument, r: ReportData, lang: Lang): void {
  const width = doc.page.width - 2 * MARGIN;
  for (const chart of reportCharts(r, lang)) {
    const size = /<svg[^>]*\bwidth="(\d+)"[^>]*\bheight="(\d+)"/.exec(chart.svg);
    const height = size ? (width * Number(size[2])) / Number(size[1]) : width / 2;
    if (doc.y + height + 30 > doc.page.height - MARGIN) doc.addPage();
    doc.moveDown(0.6).font("cjk").fontSize(12).fillColor("#111827").text(chart.title, MARGIN);
    const top = doc.y + 4;
    SVGtoPDF(doc as unknown as Parameters<typeof SVGtoPDF>[0], withoutHalo(chart.svg), MARGIN, top, {
      width,
      height,
      preserveAspectRatio: "xMinYMin meet",
      fontCallback: () => "cjk",
    });
    doc.x = MARGIN;
    doc.y = top + height;
  }
}

export async function reportPdf(r: ReportData, lang: Lang): Promise<Buffer> {
  const w = REPORT_WORDS[lang];
  const stamp = stampLine(stampOf(r));
  const qr = await QRCode.toBuffer(qrText(r), { type: "png", margin: 1, width: 180 });
  const doc = new PDFDocument({
    size: "A4",
    margin: MARGIN,
    info: { Title: `${w.title} ${r.period.label}`, Author: "Watchfloor", Keywords: stamp },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  // One face (a second, bold, would double the subsetting time): headings are larger instead.
  doc.registerFont("cjk", CJK_FONT.file, CJK_FONT.face);
  doc
    .font("cjk")
    .fontSize(18)
    .text(`${periodName(r.period.label, lang)} ${w.title}`, MARGIN);
  doc
    .font("cjk")
    .fontSize(9)
    .fillColor("#6b7280")
    .text(`${w.generatedAt}: ${formatInstant(r.generatedAt, r.timeZone)}`)
    .fillColor("#111827");
  const sections = reportSections(r, lang);
  for (const s of sections) table(doc, s);
  charts(doc, r, lang);
  if (doc.y > doc.page.height - MARGIN - 150) doc.addPage();
  doc.moveDown(0.8).font("cjk").fontSize(12).text(w.auditHead, MARGIN);
  const y = doc.y + 4;
  doc.image(qr, MARGIN, y, { width: 90 });
  doc
    .font("cjk")
    .fontSize(8)
    .text(`seq ${r.head?.seq ?? 0}`, MARGIN + 100, y);
  doc.text(r.head?.hash ?? "none", MARGIN + 100, doc.y, { width: doc.page.width - 2 * MARGIN - 100 });
  doc.text(w.auditNote, MARGIN + 100, doc.y + 4, { width: doc.page.width - 2 * MARGIN - 100 });
  doc
    .font("Courier")
    .fontSize(6)
    .text(stamp, MARGIN, y + 100, { width: doc.page.width - 2 * MARGIN });
  doc.end();
  return done;
}
