// Thinning old view history (ADR 0041) changes no answer: viral velocity, the clip details' history and the
// taking-off history read the same before and after, on both engines, and equal the independent model's.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { clipDetails } from '../../src/analytics/clip-details';
import type { AnalysisContext, PeriodQuery } from '../../src/analytics/types';
import { viralClips } from '../../src/analytics/viral-clips';
import type { Db } from '../../src/db/database';
import { queries } from '../../src/db/sql';
import { viewsAtAge } from '../../src/db/stores/feeds';
import { KEEP_NEWEST, thinViewHistory } from '../../src/db/stores/twitch-clips';
import { AGE_BUCKETS_MS, TAKING_OFF_WINDOW_MS } from '../../src/feed/taking-off';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { createTempDb, type TempDb } from '../helpers/temp-db';
import { Community, Naive, type GuildSpec, type NaivePeriod } from './community-model';
import { copyTables } from './community-seed';
import { copyRawTables } from './raw-copy';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const HOUR = 3_600_000;
const DAY = 86_400_000;
const NOW = Date.parse('2026-06-10T12:00:00Z');
const FROM = NOW - 150 * DAY;
const GUILD: GuildSpec = { id: 'g-thin', timezone: 'Europe/Berlin', clips: 60, creators: [0, 9] };
const ctx: AnalysisContext = { guildId: GUILD.id, timezone: GUILD.timezone, now: NOW };
const PERIODS: Array<PeriodQuery & NaivePeriod> = [
  { type: 'all_time', offset: 0 },
  { type: 'week', offset: 0 },
];

let temp: TempDb;
let community: Community;
let postgres: TestDatabase | undefined;

/** The refresh job's default schedule: hourly in a clip's first week, daily in its first month, weekly after. */
function readingTimes(createdAt: number): number[] {
  const times: number[] = [];
  for (let t = createdAt + 10 * 60_000; t < NOW; ) {
    times.push(t);
    const age = t - createdAt;
    t += age < 7 * DAY ? HOUR : age < 30 * DAY ? DAY : 7 * DAY;
  }
  // Two readings in the last day, so that velocity has something to say about old clips too.
  for (const t of [NOW - 20 * HOUR, NOW - 25 * 60_000]) if (t > createdAt && !times.includes(t)) times.push(t);
  return times.sort((a, b) => a - b);
}

beforeAll(async () => {
  temp = createTempDb();
  community = new Community(temp.db, 20261207, [GUILD], FROM, NOW);
  community.setup();
  const clips = community.createClips(GUILD, GUILD.clips);
  community.shareClips(GUILD, clips);
  for (const clip of community.clipsOf(GUILD.id)) if (!clip.meta) community.enrich(clip, community.planned(clip));
  for (const clip of community.clipsOf(GUILD.id)) {
    const { createdAt, views: final } = clip.meta!;
    const half = 5 * HOUR;
    for (const t of readingTimes(createdAt)) {
      const age = t - createdAt;
      // A view an hour on top of the saturating curve: every velocity is positive, so no ranking ties at zero.
      community.refreshViews(clip, Math.round((final * age) / (age + half)) + Math.floor(age / HOUR) + 1, t);
    }
  }
  if (testEngines().includes('postgres')) {
    postgres = await openTestDatabase('postgres', 'view-thinning');
    await copyRawTables(temp.db, postgres.db);
    await copyTables(temp.db, postgres.db, ['clip_view_history']);
  }
});

afterAll(async () => {
  await postgres?.close();
  temp?.cleanup();
});

/** Every answer that reads view history. */
async function answers(db: Db) {
  const viral = [];
  for (const period of PERIODS) {
    viral.push((await viralClips(db, ctx, { period, sort: 'view_velocity', min_views: 0, limit: 100 })).clips);
  }
  const details = [];
  for (const clip of community.clipsOf(GUILD.id)) details.push((await clipDetails(db, GUILD.id, clip.clipId))?.view_history);
  const takingOff = [];
  for (const [minAgeMs, maxAgeMs] of AGE_BUCKETS_MS) {
    const window = { minAgeMs, maxAgeMs, createdAfter: NOW - TAKING_OFF_WINDOW_MS - 90 * DAY, createdBefore: NOW - TAKING_OFF_WINDOW_MS };
    takingOff.push(await viewsAtAge(db, GUILD.id, window, 20_000));
  }
  return { viral, details, takingOff };
}

/** The same answers from the model's own readings (community-model.ts), computed without SQL. */
function modelAnswers() {
  const naive = new Naive(community, GUILD.id, GUILD.timezone, NOW);
  const viral = PERIODS.map((period) => naive.viral(period, 'view_velocity', 0, 100));
  const historyOf = (clipId: string) => community.history.filter((h) => h.clipId === clipId).sort((a, b) => a.at - b.at);
  const details = community.clipsOf(GUILD.id).map((clip) =>
    historyOf(clip.clipId)
      .slice(-KEEP_NEWEST)
      .map((h) => ({ observed_at: new Date(h.at).toISOString(), view_count: h.views })),
  );
  const created = [...community.clipsOf(GUILD.id)]
    .map((c) => ({ clipId: c.clipId, at: c.meta!.createdAt }))
    .filter((c) => c.at >= NOW - TAKING_OFF_WINDOW_MS - 90 * DAY && c.at < NOW - TAKING_OFF_WINDOW_MS)
    .sort((a, b) => b.at - a.at || (a.clipId < b.clipId ? -1 : 1));
  const takingOff = AGE_BUCKETS_MS.map(([lo, hi]) =>
    created.flatMap((c) =>
      historyOf(c.clipId)
        .filter((h) => h.at >= c.at + lo && h.at < c.at + hi)
        .map((h) => ({ clipId: c.clipId, ageMs: h.at - c.at, views: h.views })),
    ),
  );
  return { viral, details, takingOff };
}

async function rows(db: Db): Promise<number> {
  return Number((await queries(db).get<{ n: number }>('SELECT count(*) AS n FROM clip_view_history'))?.n);
}

/** Thins the whole table a few clips at a time, as the refresh job does run after run. */
async function thinAll(db: Db): Promise<number> {
  let deleted = 0;
  let after = '';
  for (let run = 0; run < 1_000; run++) {
    const r = await thinViewHistory(db, NOW, { after, clips: 7 });
    deleted += r.deleted;
    if (r.next === null) return deleted;
    after = r.next;
  }
  throw new Error('thinning did not reach the end of the table');
}

describe.each(testEngines())('view history thinned with age on %s', (engine) => {
  const db = (): Db => (engine === 'postgres' ? postgres!.db : temp.db);

  it('answers as the model does before thinning, has young and old clips, and velocity for some', async () => {
    const before = await answers(db());
    const model = modelAnswers();
    expect(before.details, 'clip details').toEqual(model.details);
    expect(before.takingOff, 'taking-off history').toEqual(model.takingOff);
    expect(before.viral, 'viral velocity').toEqual(model.viral);
    expect(before.viral[0]!.filter((c) => c.view_velocity !== null).length).toBeGreaterThan(10);
    expect(before.takingOff.every((bucket) => bucket.length > 0)).toBe(true);
  });

  it('deletes most of the old hourly readings and changes no answer', async () => {
    const before = await answers(db());
    const count = await rows(db());
    const deleted = await thinAll(db());
    expect(deleted).toBeGreaterThan(count / 3);
    expect(await rows(db())).toBe(count - deleted);
    const after = await answers(db());
    expect(after.details, 'clip details').toEqual(before.details);
    expect(after.takingOff, 'taking-off history').toEqual(before.takingOff);
    expect(after.viral, 'viral velocity').toEqual(before.viral);
    expect(after).toEqual(modelAnswers());
    // Idempotent: a second pass finds nothing more.
    expect(await thinAll(db())).toBe(0);
  });

  it('keeps one reading per day of the old history', async () => {
    const kept = await queries(db()).all<{ clip_id: string; observed_at: number }>(
      'SELECT clip_id, observed_at FROM clip_view_history ORDER BY clip_id, observed_at',
    );
    const days = new Set(kept.map((r) => `${r.clip_id}|${Math.floor(Number(r.observed_at) / DAY)}`));
    const modelDays = new Set(community.history.map((h) => `${h.clipId}|${Math.floor(h.at / DAY)}`));
    expect(days).toEqual(modelDays);
  });
});
