/**
 * The printable QR check-in sheet of a round (PDF, A4): one block per stop with its name and the QR
 * code of its check-in link (the round's secret code included). Chinese text in Noto Sans CJK
 * (Debian fonts-noto-cjk); the QR codes from the `qrcode` package.
 */
import PDFDocument from "pdfkit";
import QRCode from "qrcode";
import type { Round } from "../../domain/inspections/index.ts";
import { formatInstant } from "../../domain/index.ts";

export const CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
const CJK_FACE = "NotoSansCJKsc-Regular";

export async function qrSheetPdf(round: Round, checkinUrl: (stopId: string) => string, tz: string): Promise<Buffer> {
  const codes = await Promise.all(
    round.stops.map((s) => QRCode.toBuffer(checkinUrl(s.id), { type: "png", errorCorrectionLevel: "M", margin: 1, width: 360 })),
  );
  const doc = new PDFDocument({ size: "A4", margin: 40, info: { Title: `${round.title} ${round.id}` } });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on("end", () => resolve(Buffer.concat(chunks))));
  doc.font(CJK_FONT, CJK_FACE);
  doc.fontSize(18).text(`${round.title}  巡检签到二维码`);
  doc
    .fontSize(10)
    .text(`${round.id} · 下发 ${formatInstant(round.firedAt, tz).slice(0, 16).replace("T", " ")} · 截止 ${formatInstant(round.dueAt, tz).slice(0, 16).replace("T", " ")}`);
  doc.moveDown();
  const size = 150;
  const colWidth = (doc.page.width - 80) / 2;
  let col = 0;
  let top = doc.y;
  round.stops.forEach((s, i) => {
    if (top + size + 50 > doc.page.height - 40) {
      doc.addPage();
      doc.font(CJK_FONT, CJK_FACE);
      top = 40;
      col = 0;
    }
    const x = 40 + col * colWidth;
    doc.image(codes[i]!, x, top, { width: size, height: size });
    doc.fontSize(12).text(s.title, x, top + size + 4, { width: colWidth - 10 });
    if (s.titleEn) doc.fontSize(8).text(s.titleEn, x, doc.y, { width: colWidth - 10 });
    col = (col + 1) % 2;
    if (col === 0) top += size + 60;
  });
  doc.end();
  return done;
}
