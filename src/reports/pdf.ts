// The report as a PDF (pdfkit): a title block, then each section in order, with tables, links and chart images.
// Bounded: at most maxPages pages and maxBytes bytes, or a ReportTooLargeError says which bound was hit.
import PDFDocument from 'pdfkit';
import { CHART_HEIGHT, CHART_WIDTH, renderChartImage, type ChartSpec } from './charts';
import { ReportTooLargeError } from './errors';
import { REPORT_FONTS } from './fonts';
import type { Report } from './report';
import type { PdfColumn, PdfOut } from './types';

/** Discord's attachment limit for servers without boosts is 10 MiB; a report stays well under it. */
export const MAX_REPORT_BYTES = 8 * 1024 * 1024;
export const MAX_REPORT_PAGES = 12;
/** Longest paragraph a section may write (characters); longer text is cut with an ellipsis. */
const MAX_PARAGRAPH = 3000;

const MARGIN = 48;
const ROW = 16;
const INK = '#1f1f24';
const MUTED = '#6b6b76';
const LINK = '#5b2bd1';
const BRAND = '#9146ff';

class PdfWriter implements PdfOut {
  pages = 1;
  private readonly width: number;

  constructor(
    private readonly doc: PDFKit.PDFDocument,
    private readonly maxPages: number,
  ) {
    this.width = doc.page.width - 2 * MARGIN;
    doc.on('pageAdded', () => {
      this.pages++;
    });
  }

  private get bottom(): number {
    return this.doc.page.height - MARGIN;
  }

  /** Starts a new page unless `height` more points fit on this one. */
  private ensureSpace(height: number): void {
    if (this.doc.y + height <= this.bottom) return;
    if (this.pages >= this.maxPages) throw new ReportTooLargeError(`The report would be longer than ${this.maxPages} pages`);
    this.doc.addPage();
    this.doc.x = MARGIN;
  }

  title(lines: { title: string; subtitle: string; note: string }): void {
    const d = this.doc;
    d.rect(0, 0, d.page.width, 6).fill(BRAND);
    d.font('bold').fontSize(20).fillColor(INK).text(lines.title, MARGIN, MARGIN, { width: this.width });
    d.font('regular').fontSize(12).fillColor(INK).text(lines.subtitle, { width: this.width });
    d.fontSize(9).fillColor(MUTED).text(lines.note, { width: this.width });
    d.moveDown(0.5);
  }

  heading(text: string): void {
    // A heading never ends a page: it keeps room for a few lines under it.
    this.ensureSpace(24 + 4 * ROW);
    this.doc.moveDown(0.8);
    this.doc.font('bold').fontSize(14).fillColor(BRAND).text(text, MARGIN, this.doc.y, { width: this.width });
    this.doc.moveDown(0.3);
  }

  subheading(text: string): void {
    this.ensureSpace(18 + 4 * ROW);
    this.doc.moveDown(0.3);
    this.doc.font('bold').fontSize(11).fillColor(INK).text(text, MARGIN, this.doc.y, { width: this.width });
    this.doc.moveDown(0.2);
  }

  paragraph(text: string): void {
    const body = text.length > MAX_PARAGRAPH ? `${text.slice(0, MAX_PARAGRAPH - 1)}…` : text;
    this.doc.font('regular').fontSize(9.5).fillColor(INK);
    this.ensureSpace(Math.min(this.doc.heightOfString(body, { width: this.width }), this.bottom - MARGIN));
    this.doc.text(body, MARGIN, this.doc.y, { width: this.width });
    this.doc.moveDown(0.3);
  }

  facts(rows: ReadonlyArray<readonly [string, string]>): void {
    for (const [label, value] of rows) {
      this.ensureSpace(ROW);
      const y = this.doc.y;
      this.doc.font('regular').fontSize(10).fillColor(MUTED);
      this.cell(label, MARGIN, y, this.width * 0.3);
      this.doc.font('bold').fillColor(INK);
      this.cell(value, MARGIN + this.width * 0.3, y, this.width * 0.7);
      this.doc.y = y + ROW;
    }
    this.doc.x = MARGIN;
  }

  table(columns: readonly PdfColumn[], rows: readonly (readonly string[])[], links?: readonly (string | null)[]): void {
    const header = (): void => {
      const y = this.doc.y;
      this.doc.rect(MARGIN, y - 2, this.width, ROW).fill('#f1ecfb');
      this.doc.font('bold').fontSize(9).fillColor(INK);
      this.row(
        columns,
        columns.map((c) => c.header),
        y,
      );
    };
    this.ensureSpace(2 * ROW);
    header();
    rows.forEach((cells, i) => {
      if (this.doc.y + ROW > this.bottom) {
        this.ensureSpace(2 * ROW);
        header();
      }
      this.doc.font('regular').fontSize(9).fillColor(INK);
      this.row(columns, cells, this.doc.y, links?.[i] ?? null);
    });
    this.doc.x = MARGIN;
    this.doc.moveDown(0.3);
  }

  async chart(spec: ChartSpec): Promise<void> {
    // A chart is drawn synchronously; a turn of the event loop before each lets a server that makes a report (the
    // HTTP route) answer other requests between charts instead of only after the whole PDF.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const image = renderChartImage(spec);
    const height = (this.width * CHART_HEIGHT) / CHART_WIDTH;
    this.ensureSpace(height + 8);
    const y = this.doc.y + 4;
    this.doc.image(image, MARGIN, y, { width: this.width, height });
    this.doc.x = MARGIN;
    this.doc.y = y + height + 4;
  }

  private row(columns: readonly PdfColumn[], cells: readonly string[], y: number, link: string | null = null): void {
    let x = MARGIN;
    columns.forEach((column, i) => {
      const width = column.width * this.width;
      const linked = i === 0 && link !== null;
      if (linked) this.doc.fillColor(LINK);
      this.cell(cells[i] ?? '', x + 2, y, width - 4, column.align, linked ? link : null);
      if (linked) this.doc.fillColor(INK);
      x += width;
    });
    this.doc.y = y + ROW;
  }

  /** One line of text cut with an ellipsis to its width (never wraps, so never starts a page by itself). */
  private cell(text: string, x: number, y: number, width: number, align: 'left' | 'right' = 'left', link: string | null = null): void {
    let shown = text.replace(/\s+/g, ' ').trim();
    if (this.doc.widthOfString(shown) > width) {
      while (shown.length > 1 && this.doc.widthOfString(`${shown}…`) > width) shown = shown.slice(0, -1);
      shown = `${shown}…`;
    }
    this.doc.text(shown, x, y, { width, align, lineBreak: false, ...(link ? { link, underline: true } : {}) });
  }
}

export interface PdfOptions {
  maxPages?: number;
  maxBytes?: number;
}

/** The report as PDF bytes. */
export async function renderReportPdf(report: Report, options: PdfOptions = {}): Promise<Buffer> {
  const maxPages = options.maxPages ?? MAX_REPORT_PAGES;
  const maxBytes = options.maxBytes ?? MAX_REPORT_BYTES;
  const guild = report.guild.name ?? `Server ${report.guild.id}`;
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    info: { Title: `Clipscope report: ${guild}, ${report.period.label}`, Author: 'Clipscope', CreationDate: new Date(report.generatedAt) },
  });
  const chunks: Buffer[] = [];
  let bytes = 0;
  const done = new Promise<void>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      chunks.push(chunk);
    });
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  doc.registerFont('regular', REPORT_FONTS.regular);
  doc.registerFont('bold', REPORT_FONTS.bold);
  const out = new PdfWriter(doc, maxPages);
  try {
    out.title({
      title: `Clipscope report: ${guild}`,
      subtitle: report.period.label,
      note: `Times in ${report.period.timezone} · made ${report.generatedAt.slice(0, 16).replace('T', ' ')} UTC by Clipscope`,
    });
    for (const section of report.sections) await section.pdf(out);
  } finally {
    doc.end();
  }
  await done;
  if (out.pages > maxPages) throw new ReportTooLargeError(`The report would be longer than ${maxPages} pages`);
  if (bytes > maxBytes) throw new ReportTooLargeError(`The report would be larger than ${Math.round(maxBytes / 1024)} KiB`);
  return Buffer.concat(chunks);
}
