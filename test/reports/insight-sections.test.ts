// The report's stream moments and moods sections read back from the PDF through poppler-utils (their text, links and
// chart images) and from the CSV bundle, on both engines: the generated community of the analytics read tests, plus
// broadcasts of November with clips placed in them by VOD offset, one clip without an offset, and a second guild's
// broadcast that must not show. An empty period says so in one line per section and draws no chart for them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalytics, type Analytics } from '../../src/analytics/service';
import type { EngagementTimeline } from '../../src/analytics/types';
import { queries } from '../../src/db/sql';
import type { Db } from '../../src/db/database';
import { renderReportCsvBundle } from '../../src/reports/csv-bundle';
import { renderReportPdf } from '../../src/reports/pdf';
import { collectReport, type Report } from '../../src/reports/report';
import { GUILD, NOW, OTHER_GUILD, seedCommunity } from '../analytics/community-seed';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { request, TIMEZONE, tool } from './report-request';

const ctx = { guildId: GUILD, timezone: TIMEZONE, now: NOW };
const NOVEMBER = { type: 'month', offset: 1 } as const;

/** November's broadcasts: [guild, id, title, start, seconds, clip offsets (null = no VOD offset)]. */
const STREAMS: Array<[string, string, string, string, number, Array<number | null>]> = [
  [GUILD, 'v-alpha', 'Stream Alpha speedrun night', '2026-11-10T18:00:00Z', 10_800, [300, 1200, 1250, 5000, 9000, null]],
  [GUILD, 'v-beta', 'Stream Beta chill', '2026-11-20T18:00:00Z', 7200, [60, 3700]],
  [GUILD, 'v-gamma', 'Stream Gamma quiet', '2026-11-25T18:00:00Z', 3600, []],
  [OTHER_GUILD, 'v-secret', 'Secret Other Stream', '2026-11-12T18:00:00Z', 7200, [10, 20]],
];

async function seedStreams(db: Db): Promise<void> {
  const q = queries(db);
  for (const [guild, id, title, start, seconds, offsets] of STREAMS) {
    const startedAt = Date.parse(start);
    await q.run(
      `INSERT INTO twitch_videos (guild_id, video_id, broadcaster_id, broadcaster_name, stream_id, title, started_at, duration_seconds, fetched_at)
       VALUES (?, ?, 'b1', 'Streamer', NULL, ?, ?, ?, ?)`,
      [guild, id, title, startedAt, seconds, NOW],
    );
    for (const [k, offset] of offsets.entries()) {
      const clipId = `Moment-${id}-${k}`;
      await q.run(
        `INSERT INTO clips (guild_id, clip_id, url, title, creator_id, creator_name, game_id, game_name, view_count, clip_created_at,
                            first_seen_at, last_updated_at, enrichment_state, video_id, vod_offset)
         VALUES (?, ?, ?, ?, 'c1', 'Alice_New', 'g1', 'Chess', ?, ?, ?, ?, 'done', ?, ?)`,
        [
          guild,
          clipId,
          `https://clips.twitch.tv/${clipId}`,
          `Moment ${k}`,
          100 * (k + 1),
          startedAt + (offset ?? 100) * 1000,
          NOW,
          NOW,
          id,
          offset,
        ],
      );
    }
  }
}

const chartImages = (file: string): number =>
  tool('pdfimages', ['-list', file])
    .split('\n')
    .filter((line) => /^\s*\d+\s+\d+\s+image\s/.test(line)).length;
/** The text from a heading on, up to the next of the report's section headings (or the end). */
const sectionText = (text: string, heading: string, next?: string): string => {
  // A heading may open a page: a form feed before it rather than a line break.
  const at = (title: string, after: number): number => {
    const found = text.slice(after).search(new RegExp(`[\\n\\f]${title}\\n`));
    return found === -1 ? -1 : after + found;
  };
  const from = at(heading, 0);
  expect(from, heading).toBeGreaterThanOrEqual(0);
  const to = next ? at(next, from + 1) : -1;
  return text.slice(from + 1, to === -1 ? undefined : to);
};

describe.each(testEngines())('the stream moments and moods sections on %s', (engine) => {
  let t: TestDatabase;
  let analytics: Analytics;
  let dir: string;
  let november: Report;
  let text: string;
  let pdfFile: string;

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'report-insights');
    await seedCommunity(t.db);
    await seedStreams(t.db);
    analytics = createAnalytics(t.db);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-report-insights-'));
    november = await collectReport(analytics, request());
    pdfFile = path.join(dir, 'november.pdf');
    fs.writeFileSync(pdfFile, await renderReportPdf(november));
    text = tool('pdftotext', ['-layout', pdfFile, '-']);
  });
  afterAll(async () => {
    await t?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows where in their streams the clips came: placed and unplaced apart, the thirds, time to first clip', async () => {
    const moments = await analytics.streamMoments(ctx, { period: NOVEMBER, limit: 10 });
    // The seven clips with an offset are placed; every other clip of November (the offset-less one too) is not.
    expect(moments.clips.placed).toBe(7);
    expect(moments.clips.without_offset).toBeGreaterThan(1);
    const section = sectionText(text, 'Stream moments', 'Moods');
    expect(section).toContain(`7 of ${moments.clips.total} clips placed in their stream`);
    expect(section).toContain(`${moments.clips.without_offset} without a VOD offset, counted apart`);
    expect(section).toMatch(/Streams\s+3\n/);
    expect(section).toMatch(/Hours streamed\s+6\n/);
    // Alpha's first clip at 5 min, Beta's at 1 min: the median and mean of the two are 3 min.
    expect(section).toMatch(/Time to first clip\s+median 3 min, mean 3 min \(2 streams\)/);
    // Two hours in each third of the six: 4, 2 and 1 clips.
    expect(section).toMatch(/First third\s+4\s+2\/h/);
    expect(section).toMatch(/Middle third\s+2\s+1\/h/);
    expect(section).toMatch(/Last third\s+1\s+0\.5\/h/);
    expect(section).toMatch(/Stream Alpha speedrun night\s+Streamer\s+2026-11-10\s+3 h 00 min\s+6\s+2,100\s+5 min/);
    expect(section).toMatch(/Stream Beta chill\s+Streamer\s+2026-11-20\s+2 h 00 min\s+2\s+300\s+1 min/);
    // A stream without clips is counted in the streams but not listed; the other guild's stream is nowhere.
    expect(section).not.toContain('Stream Gamma');
    expect(text).not.toContain('Secret Other Stream');
    const raw = fs.readFileSync(pdfFile, 'latin1');
    for (const id of ['v-alpha', 'v-beta']) expect(raw).toContain(`/URI (https://www.twitch.tv/videos/${id})`);
    expect(raw).not.toContain('v-secret');
  });

  it('shows the mood mix and the funniest and most hype clips with their links', async () => {
    const moods = await analytics.moods(ctx, { period: NOVEMBER, limit: 5 });
    expect(moods.mix.total).toBeGreaterThan(5);
    expect(moods.rankings.funny.length).toBeGreaterThan(0);
    expect(moods.rankings.hype.length).toBeGreaterThan(0);
    const section = sectionText(text, 'Moods');
    expect(section).toContain(`${moods.mix.total.toLocaleString('en-US')} reactions; the most common mood is`);
    const funny = section.slice(section.indexOf('Funniest clips'), section.indexOf('Most hype clips'));
    const hype = section.slice(section.indexOf('Most hype clips'));
    for (const clip of moods.rankings.funny) expect(funny).toContain(clip.url);
    for (const clip of moods.rankings.hype) expect(hype).toContain(clip.url);
    expect(funny).toMatch(/Clip\s+Creator\s+Game\s+Funny\s+Reactions/);
    const raw = fs.readFileSync(pdfFile, 'latin1');
    for (const clip of [...moods.rankings.funny, ...moods.rankings.hype]) expect(raw).toContain(`/URI (${clip.url})`);
  });

  it('stacks the timeline’s reactions by mood: November’s days add up to the month’s mix, drawn in the mood colours', async () => {
    const moods = await analytics.moods(ctx, { period: NOVEMBER, limit: 5 });
    const days = november.sections.find((s) => s.id === 'timeline')?.data as EngagementTimeline;
    expect(days.buckets).toHaveLength(30);
    const label: Record<string, string> = {
      hype: 'Hype',
      funny: 'Funny',
      love: 'Love',
      wow: 'Wow',
      sad: 'Sad',
      negative: 'Negative',
      other: 'Other',
    };
    const present = Object.entries(moods.mix.moods)
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1]);
    for (const [mood, n] of present)
      expect(
        days.buckets.reduce((sum, b) => sum + b.moods[mood as keyof typeof b.moods], 0),
        mood,
      ).toBe(n);
    const section = sectionText(text, 'Timeline', 'Peak times');
    expect(section.replace(/\s+/g, ' ')).toContain(
      `Reactions by mood: ${present.map(([m, n]) => `${label[m]} ${n.toLocaleString('en-US')}`).join(' · ')}.`,
    );
    // The timeline is the report's first chart: its bars include the funny colour #23a55a and the hype colour #f0b232.
    tool('pdfimages', ['-png', '-l', '2', pdfFile, path.join(dir, 'timeline')]);
    const image = await loadImage(fs.readFileSync(path.join(dir, 'timeline-000.png')));
    const canvas = createCanvas(image.width, image.height);
    const c2d = canvas.getContext('2d');
    c2d.drawImage(image, 0, 0);
    const { data } = c2d.getImageData(0, 0, image.width, image.height);
    const near = (r: number, g: number, b: number): number => {
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs((data[i] ?? 0) - r) + Math.abs((data[i + 1] ?? 0) - g) + Math.abs((data[i + 2] ?? 0) - b) < 40) n++;
      }
      return n;
    };
    expect(moods.mix.moods.funny).toBeGreaterThan(0);
    expect(moods.mix.moods.hype).toBeGreaterThan(0);
    expect(near(0x23, 0xa5, 0x5a)).toBeGreaterThan(200);
    expect(near(0xf0, 0xb2, 0x32)).toBeGreaterThan(200);
  });

  it('draws the stream-moments and mood charts beside the timeline and peak times', () => {
    // Timeline, two peak-time charts, clips by minutes into the stream, reactions by mood.
    expect(chartImages(pdfFile)).toBe(5);
  });

  it('says in one line that a period without data has none, and draws no chart for it', async () => {
    // The second guild's May: no clips, streams or reactions.
    const empty = await collectReport(analytics, request({ guildId: OTHER_GUILD, guildName: null, timezone: 'UTC', offset: 7 }));
    const file = path.join(dir, 'empty.pdf');
    fs.writeFileSync(file, await renderReportPdf(empty));
    const emptyText = tool('pdftotext', ['-layout', file, '-']);
    expect(sectionText(emptyText, 'Stream moments', 'Moods').trim().split('\n').filter(Boolean)).toEqual([
      'Stream moments',
      'No clips or streams in this period.',
    ]);
    expect(sectionText(emptyText, 'Moods').trim().split('\n').filter(Boolean)[1]).toBe('No reactions in this period.');
    // Only the timeline's and the two peak-time charts, which always draw.
    expect(chartImages(file)).toBe(3);
  });

  it('bundles the stream moments and moods as CSV files with the same numbers', async () => {
    const files = unzipSync(renderReportCsvBundle(november));
    const csv = (name: string): string[][] =>
      Buffer.from(files[name] as Uint8Array)
        .toString('utf8')
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n')
        .map((line) => line.split(','));
    const moods = await analytics.moods(ctx, { period: NOVEMBER, limit: 5 });
    expect(csv('moods.csv').slice(1)).toEqual(Object.entries(moods.mix.moods).map(([mood, n]) => [mood, String(n)]));
    const clips = csv('mood-clips.csv');
    expect(clips[0]?.slice(0, 5)).toEqual(['mood', 'rank', 'clip_id', 'title', 'url']);
    expect(clips.filter((row) => row[0] === 'funny').map((row) => row[4])).toEqual(moods.rankings.funny.map((c) => c.url));
    const bins = csv('stream-moments-bins.csv');
    expect(bins[0]?.slice(0, 3)).toEqual(['minutes_from', 'minutes_to', 'clips']);
    // 60 and 300 s in bin 0; 1200 and 1250 in bin 2; 3700 in 6; 5000 in 8; 9000 in 15.
    expect(bins.slice(1).map((row) => Number(row[2]))).toEqual([2, 0, 2, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1]);
    const streams = csv('stream-moments-streams.csv');
    expect(streams.slice(1).map((row) => [row[1], row[7], row[10]])).toEqual([
      ['v-alpha', '6', '300'],
      ['v-beta', '2', '60'],
    ]);
  });
});
