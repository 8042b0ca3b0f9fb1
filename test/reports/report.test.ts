// The monthly report read back as a reader gets it: the PDF's text (every section), its pages, its chart images and
// links through poppler-utils, page one rendered to pixels; the CSV bundle unzipped and set against what the HTTP API
// exports for the same period. On both engines, over the generated community of the analytics read tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadImage, createCanvas } from '@napi-rs/canvas';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalytics, type Analytics } from '../../src/analytics/service';
import { ManualClock } from '../../src/clock';
import type { HttpServer } from '../../src/http/server';
import { renderReportCsvBundle } from '../../src/reports/csv-bundle';
import { ReportTooLargeError } from '../../src/reports/errors';
import { renderReportPdf } from '../../src/reports/pdf';
import { collectReport, InvalidReportError, reportScope, type Report } from '../../src/reports/report';
import { GUILD, NOW, OTHER_GUILD, seedCommunity } from '../analytics/community-seed';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { request, TIMEZONE, tool } from './report-request';
import { bearer, startTestServer, tokenFor } from '../helpers/http-server';

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF lines) into rows of cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      rows.push([...row, cell]);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/** UTF-8 text as written, byte order mark kept (TextDecoder would drop it). */
const utf8 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

/** Fraction of a rendered page's pixels that are not (nearly) white, from a PGM (P5) file. */
function inkShare(pgm: Buffer): number {
  const header = pgm.toString('latin1', 0, 64).match(/^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/);
  if (!header) throw new Error('pdftoppm did not write a PGM image');
  const [, w, h] = header.map(Number) as [number, number, number];
  const pixels = pgm.subarray(header[0].length);
  let ink = 0;
  for (let i = 0; i < w * h; i++) if ((pixels[i] ?? 255) < 200) ink++;
  return ink / (w * h);
}

describe.each(testEngines())('the report on %s', (engine) => {
  let t: TestDatabase;
  let analytics: Analytics;
  let dir: string;
  let server: HttpServer;
  let token: string;
  let november: Report;
  let pdfFile: string;

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'reports');
    await seedCommunity(t.db);
    analytics = createAnalytics(t.db);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-report-'));
    ({ server } = await startTestServer(t.db, {}, new ManualClock(NOW)));
    token = await tokenFor(t.db, GUILD);
    november = await collectReport(analytics, request());
    pdfFile = path.join(dir, 'november.pdf');
    fs.writeFileSync(pdfFile, await renderReportPdf(november));
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const api = async (url: string): Promise<string> => {
    const res = await server.app.inject({ url, headers: bearer(token) });
    expect(res.statusCode, res.body).toBe(200);
    return res.body;
  };

  it('shows every section of November in the PDF text: the numbers, the comparison, the leaders and the clip links', async () => {
    const text = tool('pdftotext', ['-layout', pdfFile, '-']);
    expect(text).toContain('Clipscope report: Clip Club');
    expect(text).toContain('November 2026');
    for (const title of ['Overview', 'Top creators', 'Top games', 'Viral clips', 'Timeline', 'Peak times', 'Stream moments', 'Moods'])
      expect(text).toContain(title);
    const overview = await analytics.overview({ guildId: GUILD, timezone: TIMEZONE, now: NOW }, { type: 'month', offset: 1 });
    expect(overview.total_clips).toBeGreaterThan(10);
    expect(text).toMatch(new RegExp(`Clips\\s+${overview.total_clips}\\n`));
    expect(text).toContain(overview.total_views.toLocaleString('en-US'));
    expect(text).toContain('Compared: November 2026 vs October 2026');
    const ctx = { guildId: GUILD, timezone: TIMEZONE, now: NOW };
    const period = { type: 'month', offset: 1 } as const;
    const creators = (await analytics.topCreators(ctx, { period, limit: 10, sort: 'clip_count' })).creators;
    const games = (await analytics.topGames(ctx, { period, limit: 10, sort: 'clip_count' })).games;
    const clips = (await analytics.viralClips(ctx, { period, limit: 10, sort: 'view_count', minViews: 0 })).clips;
    for (const c of creators) expect(text).toContain(c.creator_name);
    for (const g of games) expect(text).toContain(g.game_name);
    expect(clips).toHaveLength(10);
    for (const c of clips) {
      expect(text).toContain(c.title);
      expect(text).toContain(c.url);
    }
    // Each clip title is a link to the clip.
    const raw = fs.readFileSync(pdfFile, 'latin1');
    for (const c of clips) expect(raw).toContain(`/URI (${c.url})`);
    const peaks = await analytics.peakTimes(ctx, period);
    expect(text).toContain(`around ${String(peaks.best_hour).padStart(2, '0')}:00`);
  });

  it('has four pages with the timeline, both peak-time charts and the mood mix as images, and page one is not blank', async () => {
    expect(tool('pdfinfo', [pdfFile])).toMatch(/^Pages:\s+4$/m);
    const images = tool('pdfimages', ['-list', pdfFile])
      .split('\n')
      .filter((line) => /^\s*\d+\s+\d+\s+image\s/.test(line));
    // No stream-moments chart: the community has no clips with a VOD offset (test/reports/insight-sections.test.ts has).
    expect(images).toHaveLength(4);
    for (const line of images) expect(line).toMatch(/\s1800\s+760\s/);

    tool('pdftoppm', ['-r', '40', '-f', '1', '-l', '1', '-gray', pdfFile, path.join(dir, 'page')]);
    const page = fs.readdirSync(dir).find((f) => f.startsWith('page') && f.endsWith('.pgm'));
    expect(page).toBeDefined();
    const share = inkShare(fs.readFileSync(path.join(dir, page as string)));
    expect(share).toBeGreaterThan(0.01);
    expect(share).toBeLessThan(0.5);

    // The first chart (the timeline) has bars in the clips colour, not just axes.
    tool('pdfimages', ['-png', '-f', '2', '-l', '2', pdfFile, path.join(dir, 'chart')]);
    const chart = await loadImage(fs.readFileSync(path.join(dir, 'chart-000.png')));
    const canvas = createCanvas(chart.width, chart.height);
    const c2d = canvas.getContext('2d');
    c2d.drawImage(chart, 0, 0);
    const { data } = c2d.getImageData(0, 0, chart.width, chart.height);
    let purple = 0;
    // Near the clips colour #9146ff (the chart is a JPEG, so not exactly it).
    const near = (i: number, r: number, g: number, b: number): boolean =>
      Math.abs((data[i] ?? 0) - r) + Math.abs((data[i + 1] ?? 0) - g) + Math.abs((data[i + 2] ?? 0) - b) < 40;
    for (let i = 0; i < data.length; i += 4) if (near(i, 0x91, 0x46, 0xff)) purple++;
    expect(purple).toBeGreaterThan(500);
  });

  it('bundles the same CSV files the API exports for the month, byte for byte', async () => {
    const current = await collectReport(analytics, request({ offset: 0 }));
    for (const [report, offset] of [
      [current, 0],
      [november, 1],
    ] as const) {
      const files = unzipSync(renderReportCsvBundle(report));
      expect(Object.keys(files).sort()).toEqual(
        [
          'comparison.csv',
          'overview.csv',
          'peak-times.csv',
          'timeline.csv',
          'top-creators.csv',
          'top-games.csv',
          'viral-clips.csv',
          'stream-moments-bins.csv',
          'stream-moments-streams.csv',
          'moods.csv',
          'mood-clips.csv',
        ].sort(),
      );
      const file = (name: string): string => utf8(files[name] as Uint8Array);
      const q = `period=month&offset=${offset}&limit=10`;
      expect(file('top-creators.csv')).toBe(await api(`/analytics/api/export.csv?report=top-creators&${q}`));
      expect(file('top-games.csv')).toBe(await api(`/analytics/api/export.csv?report=top-games&${q}`));
      expect(file('viral-clips.csv')).toBe(await api(`/analytics/api/export.csv?report=viral-clips&${q}`));
      expect(parseCsv(file('top-creators.csv')).length).toBeGreaterThan(2);

      const compared = JSON.parse(await api(`/analytics/api/compare?period=month&offset=${offset}`));
      const comparison = parseCsv(file('comparison.csv').slice(1));
      expect(comparison[0]).toEqual(['metric', 'current', 'previous', 'change', 'change_pct', 'compared']);
      for (const [metric, cur, prev] of comparison.slice(1)) {
        expect([Number(cur), Number(prev)], metric).toEqual([compared[metric as string].current, compared[metric as string].previous]);
      }
      const overview = JSON.parse(await api(`/analytics/api/overview?period=month&offset=${offset}`));
      const facts = new Map(parseCsv(file('overview.csv').slice(1)).map(([k, v]) => [k, v]));
      for (const key of ['total_clips', 'total_views', 'unique_creators', 'unique_games', 'discord_shares', 'discord_reactions'])
        expect(Number(facts.get(key)), key).toBe(overview[key]);
      expect(facts.get('period')).toBe(overview.period.label);

      const peaks = JSON.parse(await api(`/analytics/api/peak-times?period=month&offset=${offset}`));
      const cells = parseCsv(file('peak-times.csv').slice(1)).slice(1);
      expect(cells).toHaveLength(168);
      for (const [i, [, hour, clips, shares]] of cells.entries()) {
        const weekday = Math.floor(i / 24);
        expect([Number(hour), Number(clips), Number(shares)]).toEqual([
          i % 24,
          peaks.clips_matrix[weekday][i % 24],
          peaks.shares_matrix[weekday][i % 24],
        ]);
      }
    }
    // The running month's timeline is the API's last N days; November's covers its own 30 local days.
    const days = reportScope(request({ offset: 0 })).timeline.days;
    expect(days).toBe(5);
    const files = unzipSync(renderReportCsvBundle(current));
    expect(utf8(files['timeline.csv'] as Uint8Array)).toBe(await api(`/analytics/api/export.csv?report=timeline&period=day&days=${days}`));
    const novemberDays = parseCsv(utf8(unzipSync(renderReportCsvBundle(november))['timeline.csv'] as Uint8Array).slice(1)).slice(1);
    expect(novemberDays.map((row) => row[1])).toEqual(Array.from({ length: 30 }, (_, i) => `2026-11-${String(i + 1).padStart(2, '0')}`));
    const overview = await analytics.overview({ guildId: GUILD, timezone: TIMEZONE, now: NOW }, { type: 'month', offset: 1 });
    expect(novemberDays.reduce((sum, row) => sum + Number(row[2]), 0)).toBe(overview.total_clips);
  });

  it("reports only the guild's own data", async () => {
    const other = await collectReport(analytics, request({ guildId: OTHER_GUILD, guildName: null, timezone: 'UTC' }));
    const mine = november.sections.find((s) => s.id === 'overview')?.data as { overview: { total_clips: number } };
    const theirs = other.sections.find((s) => s.id === 'overview')?.data as { overview: { total_clips: number } };
    const expected = await analytics.overview({ guildId: OTHER_GUILD, timezone: 'UTC', now: NOW }, { type: 'month', offset: 1 });
    expect(theirs.overview.total_clips).toBe(expected.total_clips);
    expect(theirs.overview.total_clips).toBeLessThan(mine.overview.total_clips);
    const text = tool('pdftotext', [await writePdf(other), '-']);
    expect(text).toMatch(new RegExp(`Clipscope report: Server\\s+${OTHER_GUILD}`));
  });

  async function writePdf(report: Report): Promise<string> {
    const file = path.join(dir, `${report.guild.id}.pdf`);
    fs.writeFileSync(file, await renderReportPdf(report));
    return file;
  }

  it('refuses a report past its bounds with an error naming the bound or the field', async () => {
    const tooLong = await renderReportPdf(november, { maxPages: 2 }).catch((error: unknown) => error);
    expect(tooLong).toBeInstanceOf(ReportTooLargeError);
    expect((tooLong as Error).message).toMatch(/longer than 2 pages/);
    await expect(renderReportPdf(november, { maxBytes: 10_000 })).rejects.toThrow(/larger than 10 KiB/);
    expect(() => renderReportCsvBundle(november, 100)).toThrow(/CSV bundle would be larger/);
    await expect(collectReport(analytics, request({ offset: 121 }))).rejects.toThrow(InvalidReportError);
    await expect(collectReport(analytics, request({ offset: -1 }))).rejects.toThrow(/"offset" must be a whole number from 0/);
    await expect(collectReport(analytics, request({ rows: 26 }))).rejects.toThrow(/"rows" must be a whole number from 1 to 25/);
    await expect(collectReport(analytics, request({ period: 'all_time' as 'month' }))).rejects.toThrow(
      /"period" must be one of day, week, month/,
    );
  });
});
