// Charts for the PDF report rendered headless: Chart.js (the dashboard's chart library) drawing on @napi-rs/canvas
// (Skia, prebuilt for the platform: no browser, no system Cairo). Each chart is one image.
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import { Chart, registerables, type ChartConfiguration } from 'chart.js';
import { CHART_FONT_FAMILY, REPORT_FACES } from './fonts';

export interface ChartSpec {
  type: 'bar' | 'line';
  title: string;
  labels: readonly string[];
  /** `color` overrides the palette; datasets of one `stack` pile up (with `stacked`), each stack its own bar. */
  datasets: ReadonlyArray<{ label: string; data: readonly number[]; color?: string; stack?: string }>;
  stacked?: boolean;
}

/** Bounds of one chart: labels along the axis, series, and the image size in CSS pixels (drawn at 2×). */
export const MAX_CHART_LABELS = 400;
export const MAX_CHART_SERIES = 9;
export const CHART_WIDTH = 900;
export const CHART_HEIGHT = 380;
const SCALE = 2;
const JPEG_QUALITY = 92;

const COLORS = ['#9146ff', '#00b894', '#fdcb6e', '#e17055'];

let ready = false;
function setUp(): void {
  if (ready) return;
  Chart.register(...registerables);
  // Every face in both weights (titles are bold); the family list makes Skia take each glyph from the first face that
  // has it, as the PDF's runs do.
  for (const face of REPORT_FACES) {
    GlobalFonts.registerFromPath(face.files.regular, face.family);
    GlobalFonts.registerFromPath(face.files.bold, face.family);
  }
  Chart.defaults.font.family = CHART_FONT_FAMILY;
  ready = true;
}

/**
 * The chart as a JPEG image (white background). JPEG rather than PNG: pdfkit embeds a JPEG as it is, while a PNG with
 * an alpha channel (all canvas PNGs have one) is decoded and split in JavaScript, which took most of a report's time.
 */
export function renderChartImage(spec: ChartSpec): Buffer {
  if (spec.labels.length > MAX_CHART_LABELS) throw new RangeError(`a chart holds at most ${MAX_CHART_LABELS} labels`);
  if (spec.datasets.length > MAX_CHART_SERIES) throw new RangeError(`a chart holds at most ${MAX_CHART_SERIES} series`);
  setUp();
  // Chart.js scales the canvas by devicePixelRatio itself (which clears it: the background is a plugin below).
  const canvas = createCanvas(CHART_WIDTH, CHART_HEIGHT);
  const context = canvas.getContext('2d');
  const config: ChartConfiguration<'bar' | 'line'> = {
    type: spec.type,
    data: {
      labels: [...spec.labels],
      datasets: spec.datasets.map((d, i) => ({
        label: d.label,
        data: [...d.data],
        backgroundColor: d.color ?? COLORS[i % COLORS.length],
        borderColor: d.color ?? COLORS[i % COLORS.length],
        borderWidth: spec.type === 'line' ? 2 : 0,
        pointRadius: 0,
        ...(d.stack ? { stack: d.stack } : {}),
      })),
    },
    options: {
      responsive: false,
      animation: false,
      devicePixelRatio: SCALE,
      plugins: {
        title: { display: true, text: spec.title, font: { size: 16 } },
        legend: { display: spec.datasets.length > 1 },
      },
      scales: {
        ...(spec.stacked ? { x: { stacked: true } } : {}),
        y: { beginAtZero: true, ticks: { precision: 0 }, ...(spec.stacked ? { stacked: true } : {}) },
      },
    },
    plugins: [
      {
        id: 'white-background',
        beforeDraw: (chart) => {
          chart.ctx.save();
          chart.ctx.fillStyle = '#ffffff';
          chart.ctx.fillRect(0, 0, chart.width, chart.height);
          chart.ctx.restore();
        },
      },
    ],
  };
  // Chart.js takes any 2D context with the canvas API; @napi-rs/canvas's is one, typed apart from the DOM's.
  const chart = new Chart(context as unknown as CanvasRenderingContext2D, config);
  try {
    return canvas.toBuffer('image/jpeg', JPEG_QUALITY);
  } finally {
    chart.destroy();
  }
}
