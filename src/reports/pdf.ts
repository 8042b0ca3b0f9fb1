// The report as a PDF (pdfkit): a title block, then each section in order, with tables, links and chart images.
// Bounded: at most maxPages pages and maxBytes bytes, or a ReportTooLargeError says which bound was hit.
import PDFDocument from 'pdfkit';
import { CHART_HEIGHT, CHART_WIDTH, renderChartImage, type ChartSpec } from './charts';
import { ReportTooLargeError } from './errors';
import { ascent, fontRuns, reportFont, REPORT_FACES, type FontWeight, type TextRun } from './fonts';
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
  private readonly registered = new Set<string>();
  /** The font size last set (pdfkit keeps its own private). */
  private size = 12;

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
    this.setSize(20).fillColor(INK);
    this.flow(lines.title, 'bold', MARGIN, MARGIN);
    this.setSize(12).fillColor(INK);
    this.flow(lines.subtitle, 'regular', MARGIN, d.y);
    this.setSize(9).fillColor(MUTED);
    this.flow(lines.note, 'regular', MARGIN, d.y);
    d.moveDown(0.5);
  }

  heading(text: string): void {
    // A heading never ends a page: it keeps room for a few lines under it.
    this.ensureSpace(24 + 4 * ROW);
    this.doc.moveDown(0.8);
    this.setSize(14).fillColor(BRAND);
    this.flow(text, 'bold', MARGIN, this.doc.y);
    this.doc.moveDown(0.3);
  }

  subheading(text: string): void {
    this.ensureSpace(18 + 4 * ROW);
    this.doc.moveDown(0.3);
    this.setSize(11).fillColor(INK);
    this.flow(text, 'bold', MARGIN, this.doc.y);
    this.doc.moveDown(0.2);
  }

  paragraph(text: string): void {
    const body = text.length > MAX_PARAGRAPH ? `${text.slice(0, MAX_PARAGRAPH - 1)}…` : text;
    this.setSize(9.5).fillColor(INK);
    const runs = fontRuns(body, 'regular');
    this.ensureSpace(Math.min(this.heightOf(runs, 'regular'), this.bottom - MARGIN));
    this.flow(runs, 'regular', MARGIN, this.doc.y);
    this.doc.moveDown(0.3);
  }

  facts(rows: ReadonlyArray<readonly [string, string]>): void {
    for (const [label, value] of rows) {
      this.ensureSpace(ROW);
      const y = this.doc.y;
      this.setSize(10).fillColor(MUTED);
      this.cell(label, 'regular', MARGIN, y, this.width * 0.3);
      this.doc.fillColor(INK);
      this.cell(value, 'bold', MARGIN + this.width * 0.3, y, this.width * 0.7);
      this.doc.y = y + ROW;
    }
    this.doc.x = MARGIN;
  }

  table(columns: readonly PdfColumn[], rows: readonly (readonly string[])[], links?: readonly (string | null)[]): void {
    const header = (): void => {
      const y = this.doc.y;
      this.doc.rect(MARGIN, y - 2, this.width, ROW).fill('#f1ecfb');
      this.setSize(9).fillColor(INK);
      this.row(
        columns,
        columns.map((c) => c.header),
        y,
        'bold',
      );
    };
    this.ensureSpace(2 * ROW);
    header();
    rows.forEach((cells, i) => {
      if (this.doc.y + ROW > this.bottom) {
        this.ensureSpace(2 * ROW);
        header();
      }
      this.setSize(9).fillColor(INK);
      this.row(columns, cells, this.doc.y, 'regular', links?.[i] ?? null);
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

  private row(columns: readonly PdfColumn[], cells: readonly string[], y: number, weight: FontWeight, link: string | null = null): void {
    let x = MARGIN;
    columns.forEach((column, i) => {
      const width = column.width * this.width;
      const linked = i === 0 && link !== null;
      if (linked) this.doc.fillColor(LINK);
      this.cell(cells[i] ?? '', weight, x + 2, y, width - 4, column.align, linked ? link : null);
      if (linked) this.doc.fillColor(INK);
      x += width;
    });
    this.doc.y = y + ROW;
  }

  private setSize(size: number): PDFKit.PDFDocument {
    this.size = size;
    return this.doc.fontSize(size);
  }

  /** Selects the face's font of that weight, registering it with the document the first time it is used. */
  private use(face: number, weight: FontWeight): void {
    const name = `${(REPORT_FACES[face] as { id: string }).id}-${weight}`;
    if (!this.registered.has(name)) {
      // pdfkit 0.20 takes a fontkit font as a source (PDFFontFactory.open); its type definitions predate that.
      this.doc.registerFont(name, reportFont(face, weight) as unknown as PDFKit.Mixins.PDFFontSource);
      this.registered.add(name);
    }
    this.doc.font(name);
  }

  /** Width of the runs at the current font size. */
  private widthOf(runs: readonly TextRun[], weight: FontWeight): number {
    let width = 0;
    for (const run of runs) {
      this.use(run.face, weight);
      width += this.doc.widthOfString(run.text);
    }
    return width;
  }

  /** Height of the runs wrapped to the text width: exact for one face, else from their width (a page-break hint). */
  private heightOf(runs: readonly TextRun[], weight: FontWeight): number {
    if (runs.length <= 1) {
      this.use(runs[0]?.face ?? 0, weight);
      return this.doc.heightOfString(runs[0]?.text ?? '', { width: this.width });
    }
    const breaks = runs.reduce((n, run) => n + (run.text.match(/\n/g)?.length ?? 0), 0);
    const lines = Math.ceil(this.widthOf(runs, weight) / this.width) + breaks;
    return lines * this.doc.currentLineHeight(true);
  }

  /** Text wrapped to the text width from (x, y), each run in its own face (pdfkit continues a line across fonts). */
  private flow(text: string | readonly TextRun[], weight: FontWeight, x: number, y: number): void {
    const given = typeof text === 'string' ? fontRuns(text, weight) : text;
    const runs = given.length === 0 ? [{ face: 0, text: '' }] : given;
    runs.forEach((run, i) => {
      this.use(run.face, weight);
      const continued = i < runs.length - 1;
      if (i === 0) this.doc.text(run.text, x, y, { width: this.width, continued });
      else this.doc.text(run.text, { continued });
    });
  }

  /** One line of text cut with an ellipsis to its width (never wraps, so never starts a page by itself). */
  private cell(
    text: string,
    weight: FontWeight,
    x: number,
    y: number,
    width: number,
    align: 'left' | 'right' = 'left',
    link: string | null = null,
  ): void {
    const chars = [...text.replace(/\s+/g, ' ').trim()];
    let runs = fontRuns(chars.join(''), weight);
    if (this.widthOf(runs, weight) > width) {
      // Cut by code point, so a character outside the Basic Multilingual Plane is never split in half.
      const cut = (keep: number): TextRun[] => fontRuns(`${chars.slice(0, keep).join('')}…`, weight);
      let keep = chars.length;
      runs = cut(keep);
      while (keep > 1 && this.widthOf(runs, weight) > width) runs = cut(--keep);
    }
    const options = { lineBreak: false, ...(link ? { link, underline: true } : {}) };
    // pdfkit puts the baseline at y plus the font's ascent, which differs between faces: each run is moved to
    // DejaVu Sans's baseline so a row's names and numbers line up.
    const shift = (face: number): number => (ascent(0, weight) - ascent(face, weight)) * this.size;
    if (runs.length === 1) {
      const [run] = runs as [TextRun];
      this.use(run.face, weight);
      this.doc.text(run.text, x, y + shift(run.face), { ...options, width, align });
      return;
    }
    // Several faces: each run placed at its own x, so alignment and links do not depend on pdfkit's line wrapper.
    let at = align === 'right' ? x + width - this.widthOf(runs, weight) : x;
    for (const run of runs) {
      this.use(run.face, weight);
      this.doc.text(run.text, at, y + shift(run.face), options);
      at += this.doc.widthOfString(run.text);
    }
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
