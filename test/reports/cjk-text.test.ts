// Names in Japanese, Chinese and Korean (and emoji and other scripts) through the report: read back from the PDF by
// poppler-utils exactly as written, the CJK fonts embedded as subsets, and chart labels drawn as glyphs, not boxes.
// On both engines, over a guild whose November clips carry such titles, creators and games.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalytics, type Analytics } from '../../src/analytics/service';
import type { Db } from '../../src/db/database';
import { queries } from '../../src/db/sql';
import { renderChartImage, type ChartSpec } from '../../src/reports/charts';
import { FONT_DOCUMENTS, fontRuns, REPORT_FACES, reportFont } from '../../src/reports/fonts';
import { renderReportPdf } from '../../src/reports/pdf';
import { collectReport } from '../../src/reports/report';
import { NOW } from '../analytics/community-seed';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { request, tool } from './report-request';

const GUILD = '400000000000000039';
const GUILD_NAME = 'クリップ部 · 剪辑 · 클립';

/** November's clips: [title, creator, game, views]. */
const CLIPS: Array<[string, string, string, number]> = [
  ['神回！まさかの逆転勝利', 'ゆきみ', 'モンスターハンター', 9000],
  ['这波操作太秀了', '小明直播', '王者荣耀', 8000],
  ['繁體中文實況精華', '台北阿偉', '英雄聯盟', 7000],
  ['역대급 클러치 플레이', '김치맨', '리그 오브 레전드', 6000],
  ['Mix 한국 中文 ゲーム', 'Ελένη', 'Игра', 5000],
  ['GG 🔥😂 ลุยเลย مرحبا', 'emoji_👾', 'Just Chatting', 4000],
];
const CJK_STRINGS = CLIPS.slice(0, 4).flatMap((clip) => clip.slice(0, 3) as string[]);

async function seedCjkGuild(db: Db): Promise<void> {
  const q = queries(db);
  for (const [i, [title, creator, game, views]] of CLIPS.entries()) {
    const clipId = `Cjk${i}`;
    const created = Date.parse(`2026-11-${String(10 + i).padStart(2, '0')}T12:00:00Z`);
    await q.run(
      `INSERT INTO clips (guild_id, clip_id, url, title, broadcaster_id, broadcaster_name, creator_id, creator_name, game_id,
                          game_name, view_count, clip_created_at, first_seen_at, last_updated_at, enrichment_state)
       VALUES (?, ?, ?, ?, 'b1', ?, ?, ?, ?, ?, ?, ?, ?, ?, 'done')`,
      [GUILD, clipId, `https://clips.twitch.tv/${clipId}`, title, creator, `c${i}`, creator, `g${i}`, game, views, created, created, NOW],
    );
  }
}

/** The rows of `pdffonts` for a file: font name, whether embedded, whether a subset. */
const pdfFonts = (file: string): Array<{ name: string; embedded: boolean; subset: boolean }> =>
  tool('pdffonts', [file])
    .split('\n')
    .slice(2)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [name = '', ...rest] = line.trim().split(/\s+/);
      // type and encoding may hold spaces; the flags are the last five columns: emb sub uni object ID.
      const [emb, sub] = rest.slice(-5);
      return { name, embedded: emb === 'yes', subset: sub === 'yes' };
    });

describe.each(testEngines())('CJK names in the report on %s', (engine) => {
  let t: TestDatabase;
  let analytics: Analytics;
  let dir: string;
  let pdfFile: string;

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'report-cjk');
    await seedCjkGuild(t.db);
    analytics = createAnalytics(t.db);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-report-cjk-'));
    const report = await collectReport(analytics, request({ guildId: GUILD, guildName: GUILD_NAME, timezone: 'Asia/Tokyo' }));
    pdfFile = path.join(dir, 'cjk.pdf');
    fs.writeFileSync(pdfFile, await renderReportPdf(report));
  });
  afterAll(async () => {
    await t?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads back the Japanese, Chinese and Korean titles, creators, games and server name exactly', () => {
    const text = tool('pdftotext', [pdfFile, '-']);
    expect(text).toContain(`Clipscope report: ${GUILD_NAME}`);
    for (const name of CJK_STRINGS) expect(text).toContain(name);
    // Latin, Greek and Cyrillic stay in DejaVu Sans beside the CJK runs of the same line.
    for (const name of ['Mix 한국 中文 ゲーム', 'Ελένη', 'Игра']) expect(text).toContain(name);
  });

  it('embeds the CJK fonts as subsets and keeps the file small', () => {
    const fonts = pdfFonts(pdfFile);
    const hans = fonts.filter((f) => /^[A-Z]{6}\+NotoSansHans-/.test(f.name));
    const korean = fonts.filter((f) => /^[A-Z]{6}\+NotoSansKR-/.test(f.name));
    expect(hans.length).toBeGreaterThan(0);
    expect(korean.length).toBeGreaterThan(0);
    for (const font of [...hans, ...korean]) expect(font, font.name).toMatchObject({ embedded: true, subset: true });
    // The whole Noto Sans Hans file is over 8 MB; a subset of a few dozen glyphs is a small part of the PDF.
    expect(fs.statSync(pdfFile).size).toBeLessThan(1024 * 1024);
  });

  it('renders emoji and scripts no face covers without failing, the rest of the line intact', () => {
    const text = tool('pdftotext', [pdfFile, '-']);
    expect(text).toContain('GG');
    expect(text).toContain('emoji_');
    expect(text).toContain('Just Chatting');
  });
});

describe('choosing a face per run of text', () => {
  const faces = (text: string): Array<[string, string]> =>
    fontRuns(text, 'regular').map((run) => [REPORT_FACES[run.face]?.id ?? '?', run.text]);

  it('keeps Latin in DejaVu Sans and gives Han and kana to Noto Sans Hans, hangul to Noto Sans KR', () => {
    expect(faces('Mix 한국 中文 ゲーム')).toEqual([
      ['dejavu', 'Mix '],
      ['kr', '한국 '],
      ['hans', '中文 ゲーム'],
    ]);
    expect(faces('Play 12')).toEqual([['dejavu', 'Play 12']]);
    expect(faces('  繁體')).toEqual([['hans', '  繁體']]);
    expect(fontRuns('', 'bold')).toEqual([]);
  });

  it('leaves characters no face has to DejaVu Sans (a missing-glyph box) and never splits a surrogate pair', () => {
    const runs = fontRuns('a\u{1F9CC}b', 'regular');
    expect(runs.map((r) => r.text).join('')).toBe('a\u{1F9CC}b');
    expect(runs.every((r) => r.face === 0)).toBe(true);
    // A combining mark stays with its base.
    expect(faces('한\u0301')).toEqual([['kr', '한\u0301']]);
  });
});

describe('the parsed fonts', () => {
  it('serve FONT_DOCUMENTS documents each, then are parsed afresh so the glyphs they kept are let go', () => {
    const first = reportFont(1, 'regular');
    let calls = 1;
    let next = reportFont(1, 'regular');
    while (next === first && calls <= FONT_DOCUMENTS) {
      calls++;
      next = reportFont(1, 'regular');
    }
    // Compared by identity, not with toBe: a failing toBe would print a whole parsed font.
    expect(next === first).toBe(false);
    expect(calls).toBeLessThanOrEqual(FONT_DOCUMENTS);
    let same = 0;
    for (let i = 1; i < FONT_DOCUMENTS; i++) if (reportFont(1, 'regular') === next) same++;
    expect(same).toBe(FONT_DOCUMENTS - 1);
    expect(reportFont(1, 'regular') === next).toBe(false);
    expect(next.hasGlyphForCodePoint('原'.codePointAt(0) as number)).toBe(true);
  });
});

describe('chart labels in CJK', () => {
  /** A bar chart whose axis labels and series names are `names`, the same numbers every time. */
  const chart = (names: readonly string[]): ChartSpec => ({
    type: 'bar',
    title: names.join(' '),
    labels: names,
    datasets: [
      { label: names[0] as string, data: [3, 5, 2, 4] },
      { label: names[1] as string, data: [1, 2, 3, 1] },
    ],
  });

  async function pixels(image: Buffer): Promise<Uint8ClampedArray> {
    const decoded = await loadImage(image);
    const canvas = createCanvas(decoded.width, decoded.height);
    const c2d = canvas.getContext('2d');
    c2d.drawImage(decoded, 0, 0);
    return c2d.getImageData(0, 0, decoded.width, decoded.height).data;
  }

  it('draws the glyphs: two charts whose labels differ only in which CJK characters differ in their labels', async () => {
    // With no CJK face each character would be the same missing-glyph box, and both images would be the same.
    const a = await pixels(renderChartImage(chart(['原神', '王者', '한국', 'ゲム'])));
    const b = await pixels(renderChartImage(chart(['英雄', '聯盟', '클립', 'まさ'])));
    expect(a.length).toBe(b.length);
    const channel = (i: number): number => Math.abs((a[i] ?? 0) - (b[i] ?? 0));
    let differing = 0;
    for (let i = 0; i < a.length; i += 4) if (channel(i) + channel(i + 1) + channel(i + 2) > 60) differing++;
    expect(differing).toBeGreaterThan(500);
  });

  it('draws a chart with emoji and uncovered scripts in its labels', () => {
    expect(renderChartImage(chart(['🔥😂', 'ลุยเลย', 'مرحبا', '\u{1F9CC}'])).length).toBeGreaterThan(1000);
  });
});
