import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { aggregateAll, aggregateAnalytics } from '../../src/analytics/aggregate';
import { compare } from '../../src/analytics/compare';
import { engagementTimeline } from '../../src/analytics/engagement-timeline';
import { growthOpportunities } from '../../src/analytics/growth-opportunities';
import { moods } from '../../src/analytics/moods';
import { overview } from '../../src/analytics/overview';
import { peakTimes } from '../../src/analytics/peak-times';
import { topCreators } from '../../src/analytics/top-creators';
import { topGames } from '../../src/analytics/top-games';
import { CREATOR_SORTS, GAME_SORTS, VIRAL_SORTS, type AnalysisContext, type PeriodQuery } from '../../src/analytics/types';
import { viralClips } from '../../src/analytics/viral-clips';
import { ManualClock } from '../../src/clock';
import type { Db } from '../../src/db/database';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { createTempDb, type TempDb } from '../helpers/temp-db';
import { copyTables } from './community-seed';
import { copyRawTables } from './raw-copy';
import { Community, Naive, type GuildSpec, type ModelClip, type ModelMessage, type NaivePeriod } from './community-model';
import { inBulkTransaction as inTransaction } from '../../src/db/bulk';

// Hundreds of clips checked period by period against a naive computation: give it room on a busy 2-core machine.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const NOW = Date.parse('2026-04-20T15:00:00Z');
const FROM = Date.parse('2025-10-05T00:00:00Z');
const DAY = 86_400_000;
const GUILDS: GuildSpec[] = [
  { id: 'g-east', timezone: 'America/New_York', clips: 240, creators: [0, 17] },
  { id: 'g-berlin', timezone: 'Europe/Berlin', clips: 150, creators: [12, 27] },
  { id: 'g-mumbai', timezone: 'Asia/Kolkata', clips: 50, creators: [25, 29] },
];
/** Local dates with a DST change in New York or Berlin, inside the generated range. */
const DST_DATES = ['2025-10-26', '2025-11-02', '2026-03-08', '2026-03-29'];

let temp: TempDb;
/**
 * The same community on PostgreSQL: its raw rows (written by the capture code on SQLite) copied once the history is
 * written, then aggregated there by a full run; every analysis must match the same naive computation.
 */
let postgres: TestDatabase | undefined;
let community: Community;
const clock = new ManualClock(NOW);
const deps = { clock };
let afterIncremental: string;

function dumpSummaries(): string {
  const client = temp.db.$client;
  const tables: Record<string, string> = {
    game_analytics: `SELECT guild_id, game_id, game_name, period_type, period_start, period_end, clip_count, total_views, avg_view_count,
      unique_creators, discord_shares, discord_reactions, top_clip_id, top_clip_title, top_clip_views FROM game_analytics ORDER BY 1, 4, 5, 2`,
    creator_analytics: `SELECT guild_id, creator_id, creator_name, period_type, period_start, period_end, clip_count, total_views, avg_views,
      discord_shares, discord_reactions, unique_games, top_game_id, top_game_name FROM creator_analytics ORDER BY 1, 4, 5, 2`,
    guild_period_stats: `SELECT guild_id, period_type, period_start, period_end, clip_count, total_views, unique_creators, unique_games,
      discord_shares, discord_reactions, first_clip_at, last_clip_at FROM guild_period_stats ORDER BY 1, 2, 3`,
    guild_peak_activity: 'SELECT * FROM guild_peak_activity ORDER BY 1, 2, 3, 4, 5',
    // The aggregator's building blocks, which incremental runs carry forward: they must not drift either.
    analytics_pair_facts: 'SELECT * FROM analytics_pair_facts ORDER BY 1, 2, 3, 4, 5',
    analytics_day_top_clips: 'SELECT * FROM analytics_day_top_clips ORDER BY 1, 2, 3',
    // The mood summaries: per-clip rows (with their clip totals) and the guild, creator and game mixes.
    analytics_clip_moods: 'SELECT * FROM analytics_clip_moods ORDER BY 1, 2, 3, 4, 5',
    analytics_mood_mixes: 'SELECT * FROM analytics_mood_mixes ORDER BY 1, 2, 3, 4, 5',
  };
  return JSON.stringify(Object.fromEntries(Object.entries(tables).map(([name, sql]) => [name, client.prepare(sql).all()])));
}

function ctxOf(guild: GuildSpec): AnalysisContext {
  return { guildId: guild.id, timezone: guild.timezone, now: NOW };
}

function pickMessages(guild: string, n: number, filter: (m: ModelMessage) => boolean = () => true): ModelMessage[] {
  const all = [...community.messages.values()].filter((m) => m.guild === guild && !m.deleted && filter(m));
  const out: ModelMessage[] = [];
  for (let i = 0; i < n && all.length > 0; i++) out.push(all.splice(community.rand.int(0, all.length - 1), 1)[0] as ModelMessage);
  return out;
}

/** Enriches most shared clips; a few Twitch never finds, a few stay pending. */
function enrichSome(clips: ModelClip[]): void {
  for (const clip of clips) {
    const stored = community.clips.get(Community.key(clip.guild, clip.clipId));
    if (!stored || stored.meta) continue;
    const roll = community.rand.next();
    if (roll < 0.85) community.enrich(stored, community.planned(clip));
    else if (roll < 0.92) {
      inTransaction(temp.db, () =>
        temp.db.$client
          .prepare(`UPDATE clips SET enrichment_state = 'not_found' WHERE guild_id = ? AND clip_id = ?`)
          .run(stored.guild, stored.clipId),
      );
      stored.state = 'not_found';
    }
  }
}

beforeAll(async () => {
  temp = createTempDb();
  community = new Community(temp.db, 20261125, GUILDS, FROM, NOW);
  community.setup();
  const later = new Map<string, ModelClip[]>();

  // Phase 1: most of the history, then the first aggregation (a full build: nothing was aggregated before).
  for (const guild of GUILDS) {
    const clips = community.createClips(guild, guild.clips);
    const first = clips.slice(0, Math.round(clips.length * 0.6));
    later.set(guild.id, clips.slice(first.length));
    community.shareClips(guild, first);
    enrichSome(first);
    community.reactAtRandom(guild.id, guild.clips * 2);
    for (const message of pickMessages(guild.id, 12)) {
      community.snapshot(message, '😂', ['user1', 'user2'], 2 + community.rand.int(1, 6), message.postedAt + 3_600_000);
    }
  }
  await aggregateAll(temp.db, deps);

  // Phase 2: new clips, edits, deletions, removed reactions, re-imported counts, enrichment and view refreshes.
  for (const guild of GUILDS) {
    const clips = later.get(guild.id) as ModelClip[];
    community.shareClips(guild, clips);
    enrichSome(clips);
    for (const message of pickMessages(guild.id, 15)) {
      const others = community.clipsOf(guild.id).filter((c) => c.bornAt < message.postedAt && !message.clips.includes(c.clipId));
      const roll = community.rand.next();
      if (roll < 0.3 || others.length === 0)
        community.writeMessage(message, message.clips.slice(1)); // a link edited out
      else if (roll < 0.6)
        community.writeMessage(message, [...message.clips, community.rand.pick(others).clipId]); // one added
      else {
        const before = message.clips;
        community.writeMessage(message, []); // every link removed…
        if (community.rand.chance(0.5)) community.writeMessage(message, before); // …and put back
      }
    }
    for (const message of pickMessages(guild.id, 10)) community.deleteMessage(message);
    const reactions = [...community.reactions.values()].filter((r) => r.guild === guild.id);
    for (let i = 0; i < 30 && reactions.length > 0; i++) {
      const r = reactions.splice(community.rand.int(0, reactions.length - 1), 1)[0]!;
      community.unreact(community.messages.get(r.messageId) as ModelMessage, r.emoji, r.user);
    }
    for (const baseline of [...community.baselines.values()].filter((b) => b.guild === guild.id).slice(0, 6)) {
      const message = community.messages.get(baseline.messageId) as ModelMessage;
      if (community.rand.chance(0.5)) community.unreact(message, baseline.emoji, 'someone-we-never-saw');
      else community.snapshot(message, baseline.emoji, ['user3'], baseline.count + 4, NOW - 2 * DAY);
    }
    const pending = community.clipsOf(guild.id).filter((c) => c.state === 'pending');
    for (const clip of pending.slice(0, Math.ceil(pending.length / 2))) community.enrich(clip, community.planned(clip));
    const enriched = community.clipsOf(guild.id).filter((c) => c.meta && c.state === 'done');
    for (const clip of enriched.slice(0, 3)) community.markNotFound(clip);
    for (const clip of enriched.slice(3, 25)) {
      const views = clip.meta!.views;
      community.refreshViews(clip, views + 10, NOW - 20 * 3_600_000);
      community.refreshViews(clip, views + 10 + community.rand.int(0, 5000), NOW - community.rand.int(0, 40) * 60_000);
    }
    community.reactAtRandom(guild.id, 60);
  }
  await aggregateAll(temp.db, deps);
  afterIncremental = dumpSummaries();
  if (testEngines().includes('postgres')) {
    postgres = await openTestDatabase('postgres', 'community');
    await copyRawTables(temp.db, postgres.db);
    await copyTables(temp.db, postgres.db, ['clip_view_history']);
    await aggregateAll(postgres.db, deps, { full: true });
  }
}, 180_000);

afterAll(async () => {
  await postgres?.close();
  temp?.cleanup();
});

const engineDb = (engine: string): Db => (engine === 'postgres' ? (postgres as TestDatabase).db : temp.db);

describe('aggregation', () => {
  it('leaves the summaries exactly as a full rebuild would after an incremental run', async () => {
    const summary = await aggregateAll(temp.db, deps, { full: true });
    expect(summary.rebuilt).toBe(GUILDS.length * 4);
    expect(dumpSummaries()).toBe(afterIncremental);
  });

  it('changes nothing when run again over an unchanged database', async () => {
    const summary = await aggregateAll(temp.db, deps);
    expect(summary.buckets).toBe(0);
    expect(summary.dirty_hours).toBe(0);
    expect(dumpSummaries()).toBe(afterIncremental);
    const again = await aggregateAll(temp.db, deps, { full: true });
    expect(again.buckets).toBeGreaterThan(0);
    expect(dumpSummaries()).toBe(afterIncremental);
  });

  it('holds something for every guild and period type', async () => {
    const rows = temp.db.$client
      .prepare<[], { guild_id: string; period_type: string; n: number }>(
        'SELECT guild_id, period_type, count(*) AS n FROM guild_period_stats GROUP BY 1, 2 ORDER BY 1, 2',
      )
      .all();
    expect(rows).toHaveLength(GUILDS.length * 4);
    expect(temp.db.$client.prepare('SELECT count(*) AS n FROM dirty_hours').get()).toEqual({ n: 0 });
    expect(temp.db.$client.prepare('SELECT count(*) AS n FROM aggregation_pending').get()).toEqual({ n: 0 });
  });
});

/** How the model reads the emoji its generator uses (the default table; the custom pog by name). */
const moodOf = (emoji: string): string => ({ '🔥': 'hype', '😂': 'funny', 'pog:4242': 'hype' })[emoji] ?? 'other';

function periodsFor(guild: GuildSpec): NaivePeriod[] {
  const periods: NaivePeriod[] = [{ type: 'all_time', offset: 0 }];
  for (let offset = 0; offset <= 7; offset++) periods.push({ type: 'month', offset });
  const today = Date.parse('2026-04-20T00:00:00Z');
  const dayOffsets = new Set<number>([0, 1, 6, 40, 100, 180]);
  // Every week for the first guild; for the others every third week and the weeks with a DST change.
  const weekOffsets = new Set<number>();
  for (let offset = 0; offset <= 29; offset += guild === GUILDS[0] ? 1 : 3) weekOffsets.add(offset);
  for (const date of DST_DATES) {
    const offset = Math.round((today - Date.parse(`${date}T00:00:00Z`)) / DAY);
    for (const d of [offset - 1, offset, offset + 1]) dayOffsets.add(d);
    weekOffsets.add(Math.floor((offset + 6) / 7));
  }
  for (const offset of weekOffsets) periods.push({ type: 'week', offset });
  for (const offset of dayOffsets) periods.push({ type: 'day', offset });
  periods.push({ type: 'range', from: Date.parse('2026-02-10T07:13:00Z'), to: Date.parse('2026-03-30T19:00:00Z') });
  periods.push({ type: 'range', from: FROM - 30 * DAY, to: NOW + DAY });
  return periods;
}

/** Every sort for the long periods; for days and weeks the default and one more, rotating with the offset. */
function sortsFor<T extends string | number>(period: NaivePeriod, sorts: readonly T[]): readonly T[] {
  if (period.type !== 'day' && period.type !== 'week') return sorts;
  return [...new Set([sorts[0] as T, sorts[period.offset % sorts.length] as T])];
}

function label(period: NaivePeriod): string {
  return period.type === 'range' ? `range ${new Date(period.from).toISOString()}` : `${period.type} offset ${period.offset}`;
}

describe.each(testEngines().flatMap((engine) => GUILDS.map((guild) => [engine, guild.id, guild] as const)))(
  'on %s, guild %s: every analysis matches a naive computation',
  (engine, _id, guild) => {
    const db = () => engineDb(engine);
    const sources = ['auto', 'raw'] as const;

    it('overview, leaderboards and peak times, for every period type and offset, from summaries and raw tables', async () => {
      const naive = new Naive(community, guild.id, guild.timezone, NOW);
      const ctx = ctxOf(guild);
      for (const period of periodsFor(guild)) {
        const query = period as PeriodQuery;
        const expectedOverview = naive.overview(period);
        const expectedPeaks = naive.peaks(period);
        for (const source of sources) {
          const where = `${label(period)} from ${source}`;
          const { period: answered, ...rest } = await overview(db(), ctx, { period: query, source });
          expect(answered.type, where).toBe(period.type);
          expect(rest, where).toEqual(expectedOverview);
          for (const sort of sortsFor(period, CREATOR_SORTS)) {
            expect(
              (await topCreators(db(), ctx, { period: query, sort, limit: 1000, source })).creators,
              `${where} creators by ${sort}`,
            ).toEqual(naive.creators(period, sort));
          }
          for (const sort of sortsFor(period, GAME_SORTS)) {
            expect((await topGames(db(), ctx, { period: query, sort, limit: 1000, source })).games, `${where} games by ${sort}`).toEqual(
              naive.games(period, sort),
            );
          }
          const { period: _p, timezone, ...peaks } = await peakTimes(db(), ctx, { period: query, source });
          expect(timezone).toBe(guild.timezone);
          expect(peaks, `${where} peaks`).toEqual(expectedPeaks);
        }
      }
    }, 180_000);

    it('viral clips, comparisons and growth opportunities, for every period type and offset', async () => {
      const naive = new Naive(community, guild.id, guild.timezone, NOW);
      const ctx = ctxOf(guild);
      for (const period of periodsFor(guild)) {
        const query = period as PeriodQuery;
        for (const sort of sortsFor(period, VIRAL_SORTS)) {
          for (const minViews of sortsFor<number>(period, [0, 300])) {
            expect(
              (await viralClips(db(), ctx, { period: query, sort, min_views: minViews, limit: 15 })).clips,
              `${label(period)} viral by ${sort}`,
            ).toEqual(naive.viral(period, sort, minViews, 15));
          }
        }
        for (const source of sources) {
          if (period.type !== 'all_time') {
            // The naive model sets each period against the whole previous one (compare.test.ts covers span=to_date).
            const {
              current: _c,
              previous: _p,
              span: _s,
              label: _l,
              compared: _d,
              ...changes
            } = await compare(db(), ctx, {
              period: query,
              source,
              span: 'whole',
            });
            expect(changes, `${label(period)} compare`).toEqual(naive.compare(period));
          }
          const { period: _g, ...growth } = await growthOpportunities(db(), ctx, { period: query, limit: 5, source });
          expect(growth, `${label(period)} growth`).toEqual(naive.growth(period, 5, 2));
        }
      }
    }, 180_000);

    it('reaction moods: the mix of every period as the model reads its emoji (custom pog by name)', async () => {
      const naive = new Naive(community, guild.id, guild.timezone, NOW);
      const ctx = ctxOf(guild);
      for (const period of periodsFor(guild)) {
        const answer = await moods(db(), ctx, { period: period as PeriodQuery, limit: 25 });
        const mix = Object.fromEntries(Object.entries(answer.mix.moods).filter(([, n]) => n !== 0));
        expect(mix, label(period)).toEqual(naive.moodMix(period, moodOf));
        expect(answer.source, label(period)).toBe(period.type === 'range' ? 'raw' : 'summaries');
        // The creator and game mixes: the 25 with the most reactions (ties by id), each with its moods.
        const expected = naive.moodMixesBy(period, moodOf);
        const top = (by: Map<string, Record<string, number>>) =>
          [...by]
            .map(([id, moods]) => ({ id, total: Object.values(moods).reduce((a, b) => a + b, 0), moods }))
            .filter((r) => r.total > 0)
            .sort((a, b) => b.total - a.total || (a.id < b.id ? -1 : 1))
            .slice(0, 25);
        const nonZero = (moods: Record<string, number>) => Object.fromEntries(Object.entries(moods).filter(([, n]) => n !== 0));
        expect(
          answer.creators.map((c) => ({ id: c.creator_id, name: c.creator_name, total: c.total, moods: nonZero(c.moods) })),
          `${label(period)} creators`,
        ).toEqual(top(expected.creators).map((r) => ({ ...r, name: naive.creatorName(r.id) })));
        expect(
          answer.games.map((g) => ({ id: g.game_id, total: g.total, moods: nonZero(g.moods) })),
          `${label(period)} games`,
        ).toEqual(top(expected.games));
      }
    }, 180_000);

    it("engagement timelines by day, week and month, empty buckets as zeros, with each bucket's moods", async () => {
      const naive = new Naive(community, guild.id, guild.timezone, NOW);
      const ctx = ctxOf(guild);
      for (const [bucket, days] of [
        ['day', 60],
        ['day', 200],
        ['week', 230],
        ['month', 230],
        ['week', 3],
      ] as const) {
        const expected = naive.timeline(bucket, days);
        const expectedMoods = naive.timelineMoods(bucket, days, moodOf);
        const answers = [];
        for (const source of sources) {
          const answer = await engagementTimeline(db(), ctx, { bucket, days, source });
          const where = `${bucket} × ${days} from ${source}`;
          expect(
            answer.buckets.map(({ moods: _m, ...rest }) => rest),
            where,
          ).toEqual(expected);
          // Moods on the timeline: from the stored mixes ('auto'; they are current) or the raw reactions.
          expect(answer.mood_source, where).toBe(source === 'raw' ? 'raw' : 'summaries');
          expect(
            answer.buckets.map((b) => ({ date: b.date, moods: b.moods })),
            `${where} moods`,
          ).toEqual(expectedMoods);
          for (const b of answer.buckets) {
            expect(
              Object.values(b.moods).reduce((x, y) => x + y, 0),
              `${where} ${b.date} moods add up`,
            ).toBe(b.discord_reactions);
          }
          answers.push(answer.buckets);
        }
        expect(answers[0], `${bucket} × ${days}: summaries and raw agree`).toEqual(answers[1]);
      }
      const days = (await engagementTimeline(db(), ctx, { bucket: 'day', days: 200 })).buckets;
      expect(days.some((d) => d.clips_created === 0 && d.discord_shares === 0)).toBe(true);
    }, 120_000);
  },
);

describe('guild isolation', () => {
  it("never shows one guild's creators, games or numbers in another guild's answers", async () => {
    const [east, berlin] = GUILDS as [GuildSpec, GuildSpec];
    const eastCreators = new Set(community.clipsOf(east.id).flatMap((c) => (c.meta ? [c.meta.creatorId] : [])));
    const berlinOnly = community
      .clipsOf(berlin.id)
      .flatMap((c) => (c.meta && !eastCreators.has(c.meta.creatorId) ? [c.meta.creatorId] : []));
    expect(berlinOnly.length).toBeGreaterThan(0);
    for (const source of ['auto', 'raw'] as const) {
      const answer = await topCreators(temp.db, ctxOf(east), { limit: 1000, source });
      for (const row of answer.creators) expect(berlinOnly).not.toContain(row.creator_id);
    }
    const viral = await viralClips(temp.db, ctxOf(east), { limit: 1000 });
    const eastClipIds = new Set(community.clipsOf(east.id).map((c) => c.clipId));
    for (const clip of viral.clips) expect(eastClipIds.has(clip.clip_id)).toBe(true);
    let total = 0;
    for (const g of GUILDS) total += (await overview(temp.db, ctxOf(g))).discord_shares;
    expect(total).toBe((temp.db.$client.prepare('SELECT count(*) AS n FROM shares WHERE deleted_at IS NULL').get() as { n: number }).n);
  });
});

describe('freshness and crash safety', () => {
  it('answers from the summaries until the next run, then includes new events', async () => {
    const guild = GUILDS[0] as GuildSpec;
    const ctx = ctxOf(guild);
    const before = await overview(temp.db, ctx, { period: { type: 'month' } });
    const clip = community.clipsOf(guild.id).find((c) => c.meta && c.state === 'done') as ModelClip;
    community.postMessage(guild.id, NOW - 3_600_000, [clip.clipId]);
    expect(await overview(temp.db, ctx, { period: { type: 'month' } })).toEqual(before);
    expect((await overview(temp.db, ctx, { period: { type: 'month' }, source: 'raw' })).discord_shares).toBe(before.discord_shares + 1);
    const summary = await aggregateAll(temp.db, deps);
    expect(summary.dirty_hours).toBe(1);
    expect(summary.buckets).toBe(4);
    expect((await overview(temp.db, ctx, { period: { type: 'month' } })).discord_shares).toBe(before.discord_shares + 1);
  });

  it('finishes the work after a run that died half way, ending where a full rebuild ends', async () => {
    const [east, berlin] = GUILDS as [GuildSpec, GuildSpec];
    for (const guild of [berlin, east]) {
      for (const message of pickMessages(guild.id, 3)) community.deleteMessage(message);
      community.reactAtRandom(guild.id, 10);
    }
    // The run dies inside g-east's incremental transaction, with some of its summary rows already written (after
    // g-berlin, which comes first, committed).
    const client = temp.db.$client;
    client.exec(`CREATE TEMP TRIGGER die_in_east BEFORE UPDATE ON guild_period_stats WHEN OLD.guild_id = '${east.id}' AND OLD.period_type = 'month'
                 BEGIN SELECT RAISE(ABORT, 'killed'); END`);
    let units = 0;
    try {
      await expect(aggregateAnalytics(temp.db, {}, { clock, onProgress: (done) => (units = done) })).rejects.toThrow('killed');
    } finally {
      client.exec('DROP TRIGGER die_in_east');
    }
    expect(units).toBe(4);
    // g-east's dirty hours are still there (its transaction rolled back whole); g-berlin's were consumed.
    const dirty = client
      .prepare('SELECT DISTINCT guild_id FROM dirty_hours UNION SELECT guild_id FROM aggregation_pending')
      .all() as Array<{ guild_id: string }>;
    expect(dirty.map((p) => p.guild_id)).toEqual([east.id]);
    await aggregateAll(temp.db, deps);
    const incremental = dumpSummaries();
    await aggregateAll(temp.db, deps, { full: true });
    expect(dumpSummaries()).toBe(incremental);
    for (const guild of [berlin, east]) {
      const naive = new Naive(community, guild.id, guild.timezone, NOW);
      for (const period of [
        { type: 'all_time', offset: 0 },
        { type: 'month', offset: 0 },
        { type: 'day', offset: 0 },
      ] as NaivePeriod[]) {
        const { period: _p, ...rest } = await overview(temp.db, ctxOf(guild), { period: period as PeriodQuery });
        expect(rest).toEqual(naive.overview(period));
      }
    }
  });

  it('carries changes on daylight-saving days forward exactly as a full rebuild computes them', async () => {
    const [east, berlin] = GUILDS as [GuildSpec, GuildSpec];
    // Around the changes: 01:30 and 03:30 local on the spring-forward nights, both 01:30s on the fall-back ones.
    const instants: Array<[GuildSpec, string]> = [
      [east, '2026-03-08T06:30:00Z'],
      [east, '2026-03-08T07:30:00Z'],
      [east, '2025-11-02T05:30:00Z'],
      [east, '2025-11-02T06:30:00Z'],
      [berlin, '2026-03-29T00:30:00Z'],
      [berlin, '2026-03-29T01:30:00Z'],
      [berlin, '2025-10-26T00:30:00Z'],
      [berlin, '2025-10-26T01:30:00Z'],
    ];
    for (const [guild, iso] of instants) {
      const at = Date.parse(iso);
      const clip = community.clipsOf(guild.id).find((c) => c.meta && c.state === 'done') as ModelClip;
      const message = community.postMessage(guild.id, at, [clip.clipId]);
      community.react(message, '🔥', `dst-user-${at}`, at + 60_000);
    }
    for (const guild of [east, berlin]) {
      for (const message of pickMessages(guild.id, 2, (m) =>
        DST_DATES.some((d) => Math.abs(m.postedAt - Date.parse(`${d}T06:00:00Z`)) < 2 * DAY),
      )) {
        community.deleteMessage(message);
      }
    }
    await aggregateAll(temp.db, deps);
    const incremental = dumpSummaries();
    await aggregateAll(temp.db, deps, { full: true });
    expect(dumpSummaries()).toBe(incremental);
    for (const guild of [east, berlin]) {
      const naive = new Naive(community, guild.id, guild.timezone, NOW);
      for (const date of DST_DATES) {
        const offset = Math.round((Date.parse('2026-04-20T00:00:00Z') - Date.parse(`${date}T00:00:00Z`)) / DAY);
        const period = { type: 'day', offset } as NaivePeriod;
        const { period: _p, ...rest } = await overview(temp.db, ctxOf(guild), { period: period as PeriodQuery });
        expect(rest, `${guild.id} ${date}`).toEqual(naive.overview(period));
        const { period: _q, timezone: _t, ...peaks } = await peakTimes(temp.db, ctxOf(guild), { period: period as PeriodQuery });
        expect(peaks, `${guild.id} ${date} peaks`).toEqual(naive.peaks(period));
      }
    }
  });

  it('after a timezone change, carries new events forward in the new timezone exactly as a full rebuild does', async () => {
    const berlin = GUILDS[1] as GuildSpec;
    const moved: GuildSpec = { ...berlin, timezone: 'America/Los_Angeles' };
    const { updateGuildSettings } = await import('../../src/db/guild-settings');
    await updateGuildSettings(temp.db, berlin.id, { timezone: moved.timezone }, NOW);
    expect((await aggregateAll(temp.db, deps)).rebuilt).toBe(4);
    try {
      const clips = community.clipsOf(berlin.id).filter((c) => c.meta && c.state === 'done');
      for (let i = 0; i < 12; i++) {
        // Late evening UTC: the previous local day in Los Angeles, the next in Berlin.
        const at = Date.parse('2026-03-01T23:20:00Z') + i * 3 * DAY;
        const message = community.postMessage(berlin.id, at, [community.rand.pick(clips).clipId]);
        community.react(message, '😂', `tz-user-${i}`, at + 30 * 60_000);
      }
      for (const message of pickMessages(berlin.id, 2)) community.deleteMessage(message);
      const summary = await aggregateAll(temp.db, deps);
      expect(summary.rebuilt).toBe(0);
      const incremental = dumpSummaries();
      await aggregateAll(temp.db, deps, { full: true });
      expect(dumpSummaries()).toBe(incremental);
      const naive = new Naive(community, berlin.id, moved.timezone, NOW);
      for (const period of [
        { type: 'all_time', offset: 0 },
        { type: 'month', offset: 1 },
        { type: 'week', offset: 6 },
        { type: 'day', offset: 49 },
      ] as NaivePeriod[]) {
        const { period: _p, ...rest } = await overview(temp.db, ctxOf(moved), { period: period as PeriodQuery });
        expect(rest, period.type).toEqual(naive.overview(period));
        expect((await topCreators(temp.db, ctxOf(moved), { period: period as PeriodQuery, limit: 1000 })).creators, period.type).toEqual(
          naive.creators(period, 'clip_count'),
        );
      }
    } finally {
      await updateGuildSettings(temp.db, berlin.id, { timezone: berlin.timezone }, NOW);
      await aggregateAll(temp.db, deps);
    }
  });

  it('rebuilds a guild in its new timezone when the timezone changes', async () => {
    const guild = GUILDS[2] as GuildSpec;
    const moved: GuildSpec = { ...guild, timezone: 'Pacific/Auckland' };
    const { updateGuildSettings } = await import('../../src/db/guild-settings');
    await updateGuildSettings(temp.db, guild.id, { timezone: moved.timezone }, NOW);
    const summary = await aggregateAnalytics(temp.db, { guildId: guild.id }, deps);
    expect(summary.rebuilt).toBe(4);
    const naive = new Naive(community, guild.id, moved.timezone, NOW);
    for (const period of [
      { type: 'week', offset: 2 },
      { type: 'day', offset: 30 },
    ] as NaivePeriod[]) {
      expect((await peakTimes(temp.db, ctxOf(moved), { period: period as PeriodQuery })).clips_matrix).toEqual(
        naive.peaks(period).clips_matrix,
      );
      const { period: _p, ...rest } = await overview(temp.db, ctxOf(moved), { period: period as PeriodQuery });
      expect(rest).toEqual(naive.overview(period));
    }
    await updateGuildSettings(temp.db, guild.id, { timezone: guild.timezone }, NOW);
    await aggregateAnalytics(temp.db, { guildId: guild.id }, deps);
  });
});
