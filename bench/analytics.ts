// Analytics benchmark: a synthetic database (1M clips over 20 guilds at scale 1, the largest guild 200k),
// then a full aggregation against the bare GROUP BY floor, incremental runs after 1,000 new events (recent, and
// scattered over the year), and p50/p99 of every analysis for the largest guild, from the summaries and from the
// raw tables (wall and CPU time per call).
// Run alone: node --import tsx bench/analytics.ts [--scale 0.1] [--reseed] [--iterations 200] [--raw-iterations 10|0]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { aggregateAll } from '../src/analytics/aggregate';
import { compare } from '../src/analytics/compare';
import { engagementTimeline } from '../src/analytics/engagement-timeline';
import { moods } from '../src/analytics/moods';
import { streamMoments } from '../src/analytics/stream-moments';
import { growthOpportunities } from '../src/analytics/growth-opportunities';
import { overview } from '../src/analytics/overview';
import { peakTimes } from '../src/analytics/peak-times';
import { topCreators } from '../src/analytics/top-creators';
import { topGames } from '../src/analytics/top-games';
import type { AnalysisContext } from '../src/analytics/types';
import { viralClips } from '../src/analytics/viral-clips';
import { ManualClock } from '../src/clock';
import { closeDatabase, openDatabase, type Db } from '../src/db/client';
import { updateGuildSettings } from '../src/db/guild-settings';
import { figure, ratio, repeat, summarise } from './measure';
import type { BenchSection, Figure } from './types';
import { sqliteClient } from '../src/db/client';
import { recordMessageNow, recordReactionAddedNow } from '../src/capture/record-now';
import { inBulkTransaction as inTransaction } from '../src/db/bulk';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DAY = 86_400_000;
const NOW = Date.parse('2026-11-01T12:00:00Z');
const YEAR_START = NOW - 365 * DAY;
const TIMEZONES = ['America/New_York', 'Europe/Berlin', 'UTC', 'Asia/Kolkata', 'America/Los_Angeles', 'Australia/Sydney', 'Europe/London'];

export interface AnalyticsBenchOptions {
  /** 1 = 1M clips; 0.1 = 100k. */
  scale?: number;
  /** Database file; rebuilt when missing or when reseed is set. */
  databasePath?: string;
  reseed?: boolean;
  /** Timed runs per analysis from the summaries. */
  iterations?: number;
  /** Timed runs per analysis from the raw tables (each scans the guild's year; default iterations / 20). */
  rawIterations?: number;
  log?: (line: string) => void;
}

/** Wall-clock and CPU time per call; on a shared, loaded machine the CPU figures are the idle-machine estimate. */
export interface Timing {
  name: string;
  p50_ms: number;
  p99_ms: number;
  cpu_p50_ms: number;
  cpu_p99_ms: number;
  runs: number;
}

export interface AnalyticsBenchResult {
  scale: number;
  clips: number;
  shares: number;
  reactions: number;
  guilds: number;
  largest_guild_clips: number;
  seed_s: number | null;
  full_aggregation_s: number;
  bare_group_by_s: number;
  full_vs_floor: number;
  full_nightly_s: number;
  nightly_vs_floor: number;
  incremental_recent_1000_s: number;
  incremental_scattered_1000_s: number;
  incremental_unchanged_s: number;
  /** CPU seconds of each timed phase. */
  cpu_s: Record<string, number>;
  summary_reads: Timing[];
  raw_reads: Timing[];
}

// ---------------------------------------------------------------------------------------------------------
// Seeding: plain prepared INSERTs in large transactions, counters computed on the way.

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface GuildPlan {
  id: string;
  timezone: string;
  clips: number;
}

export function guildPlan(scale: number): GuildPlan[] {
  const total = Math.round(1_000_000 * scale);
  const largest = Math.round(200_000 * scale);
  const rest = Math.round((total - largest) / 19);
  return Array.from({ length: 20 }, (_, i) => ({
    id: `bench-guild-${String(i).padStart(2, '0')}`,
    timezone: TIMEZONES[i % TIMEZONES.length] as string,
    clips: i === 0 ? largest : rest,
  }));
}

/** A daily rhythm: clips and shares cluster in the evening (UTC here; each guild sees it in its own zone). */
function randomTime(random: () => number, from: number, to: number): number {
  const day = from + Math.floor(random() * ((to - from) / DAY)) * DAY;
  const hour = random() < 0.6 ? 17 + Math.floor(random() * 7) : Math.floor(random() * 24);
  return Math.min(to - 1, day + hour * 3_600_000 + Math.floor(random() * 3_600_000));
}

export function seedBenchDatabase(db: Db, scale: number): { clips: number; shares: number; reactions: number } {
  const random = mulberry32(42);
  const client = sqliteClient(db);
  client.pragma('synchronous = OFF');
  const insertClip = client.prepare(
    `INSERT INTO clips (guild_id, clip_id, url, title, broadcaster_id, broadcaster_name, creator_id, creator_name, game_id, game_name,
       view_count, duration, thumbnail_url, clip_created_at, discord_shares, discord_reactions, discord_reaction_types, first_seen_at,
       first_shared_at, last_updated_at, source, enrichment_state, enriched_at)
     VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
  );
  const insertShare = client.prepare(
    `INSERT INTO shares (guild_id, channel_id, message_id, clip_id, author_id, author_name, posted_at, source)
     VALUES (?,?,?,?,?,?,?,'discord')`,
  );
  const insertReaction = client.prepare(
    'INSERT OR IGNORE INTO reactions (guild_id, channel_id, message_id, emoji_key, user_id, reacted_at) VALUES (?,?,?,?,?,?)',
  );
  const emojis = ['🔥', '😂', 'pog:4242', '👍', 'kekw:77'];
  let clips = 0;
  let shares = 0;
  let reactions = 0;
  let message = 0;
  for (const guild of guildPlan(scale)) {
    void updateGuildSettings(db, guild.id, { timezone: guild.timezone }, NOW);
    const creators = Math.max(50, Math.round(guild.clips / 40));
    const batch = 20_000;
    for (let done = 0; done < guild.clips; done += batch) {
      inTransaction(db, () => {
        for (let i = done; i < Math.min(guild.clips, done + batch); i++) {
          const clipId = `${guild.id.slice(-2)}Clip${i}-${Math.floor(random() * 1e6)}`;
          const createdAt = randomTime(random, YEAR_START, NOW - 3_600_000);
          const creator = Math.floor(random() ** 2 * creators);
          const game = random() < 0.05 ? '' : String(1000 + Math.floor(random() ** 3 * 300));
          const enriched = random() < 0.96;
          const views = Math.floor(Math.exp(random() * 11));
          const shareCount = random() < 0.2 ? 2 : 1;
          const types: Record<string, number> = {};
          let reactionTotal = 0;
          let firstShared = Number.POSITIVE_INFINITY;
          const channel = `${guild.id}-c${Math.floor(random() * 5)}`;
          const shareRows: Array<[string, number]> = [];
          for (let s = 0; s < shareCount; s++) {
            const messageId = String(1_000_000_000 + ++message);
            const postedAt = Math.min(NOW - 60_000, createdAt + Math.floor(random() * 2 * DAY));
            firstShared = Math.min(firstShared, postedAt);
            shareRows.push([messageId, postedAt]);
            const n = Math.floor(-Math.log(1 - random()) * 1.5);
            for (let r = 0; r < n; r++) {
              const emoji = emojis[Math.floor(random() * emojis.length)] as string;
              const user = `u${Math.floor(random() * 5000)}`;
              const result = insertReaction.run(
                guild.id,
                channel,
                messageId,
                emoji,
                user,
                Math.min(NOW - 1000, postedAt + Math.floor(random() * DAY)),
              );
              if (result.changes > 0) {
                types[emoji] = (types[emoji] ?? 0) + 1;
                reactionTotal += 1;
                reactions += 1;
              }
            }
          }
          insertClip.run(
            guild.id,
            clipId,
            `https://clips.twitch.tv/${clipId}`,
            enriched ? `Clip ${i}` : null,
            enriched ? '1' : null,
            enriched ? 'Streamer' : null,
            enriched ? String(50_000 + creator) : null,
            enriched ? `Creator${creator}` : null,
            enriched ? game : null,
            enriched ? (game === '' ? '' : `Game ${game}`) : null,
            enriched ? views : 0,
            30,
            enriched ? `https://clips-media.example/${clipId}.jpg` : null,
            enriched ? createdAt : null,
            shareCount,
            reactionTotal,
            JSON.stringify(types),
            firstShared,
            firstShared,
            NOW,
            'discord',
            enriched ? 'done' : 'pending',
            enriched ? NOW : null,
          );
          for (const [messageId, postedAt] of shareRows) {
            insertShare.run(guild.id, channel, messageId, clipId, `u${Math.floor(random() * 5000)}`, 'someone', postedAt);
            shares += 1;
          }
          clips += 1;
        }
      });
    }
  }
  client.prepare('DELETE FROM dirty_hours').run();
  client.prepare('DELETE FROM engagement_changes').run();
  client.pragma('synchronous = NORMAL');
  client.exec('ANALYZE');
  return { clips, shares, reactions };
}

// ---------------------------------------------------------------------------------------------------------
// The floor: the same groupings as plain GROUP BY statements over UTC buckets, no timezones, no writes.

function bareGroupBy(db: Db): void {
  const bucket: Record<string, (col: string) => string> = {
    day: (c) => `${c} / 86400000`,
    week: (c) => `(${c} / 86400000 + 3) / 7`,
    month: (c) => `strftime('%Y-%m', ${c} / 1000, 'unixepoch')`,
    all_time: () => '0',
  };
  for (const type of Object.keys(bucket)) {
    const b = bucket[type] as (col: string) => string;
    sqliteClient(db)
      .prepare(
        `SELECT guild_id, ${b('clip_created_at')}, coalesce(game_id, ''), creator_id, count(*), sum(view_count), min(clip_created_at), max(clip_created_at)
           FROM clips WHERE clip_created_at IS NOT NULL AND creator_id IS NOT NULL AND enrichment_state <> 'not_found' GROUP BY 1, 2, 3, 4`,
      )
      .all();
    sqliteClient(db)
      .prepare(
        `SELECT s.guild_id, ${b('s.posted_at')}, c.game_id, c.creator_id, count(*) FROM shares s
           LEFT JOIN clips c ON c.guild_id = s.guild_id AND c.clip_id = s.clip_id WHERE s.deleted_at IS NULL GROUP BY 1, 2, 3, 4`,
      )
      .all();
    sqliteClient(db)
      .prepare(
        `SELECT r.guild_id, ${b('r.reacted_at')}, c.game_id, c.creator_id, count(*) FROM reactions r
           JOIN shares s ON s.guild_id = r.guild_id AND s.message_id = r.message_id AND s.deleted_at IS NULL
           LEFT JOIN clips c ON c.guild_id = s.guild_id AND c.clip_id = s.clip_id GROUP BY 1, 2, 3, 4`,
      )
      .all();
  }
}

// ---------------------------------------------------------------------------------------------------------

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}

async function time(name: string, runs: number, fn: () => unknown): Promise<Timing> {
  await fn(); // warm the statement cache and the page cache
  const samples: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const startCpu = process.cpuUsage();
    await fn();
    const used = process.cpuUsage(startCpu);
    samples.push(performance.now() - start);
    cpu.push((used.user + used.system) / 1000);
  }
  samples.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return {
    name,
    p50_ms: round(percentile(samples, 50)),
    p99_ms: round(percentile(samples, 99)),
    cpu_p50_ms: round(percentile(cpu, 50)),
    cpu_p99_ms: round(percentile(cpu, 99)),
    runs,
  };
}

function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

const cpuSeconds: Record<string, number> = {};

/** Wall seconds of fn; its CPU seconds are kept in cpuSeconds under the label. */
async function seconds(fn: () => Promise<unknown> | unknown, label?: string): Promise<number> {
  const start = performance.now();
  const startCpu = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(startCpu);
  if (label) cpuSeconds[label] = round((used.user + used.system) / 1e6);
  return round((performance.now() - start) / 1000);
}

/** 1,000 capture events (new shares and reactions) through the real capture functions. */
export function addEvents(db: Db, guilds: GuildPlan[], recent: boolean, seed: number, now = NOW): void {
  const random = mulberry32(seed);
  const yearStart = now - 365 * DAY;
  const messages: Array<{ guildId: string; channelId: string; messageId: string }> = [];
  inTransaction(db, () => {
    for (let i = 0; i < 1000; i++) {
      const guild = guilds[i % 4 === 0 ? 0 : Math.floor(random() * guilds.length)] as GuildPlan;
      const at = recent ? now - Math.floor(random() * 2 * DAY) : yearStart + Math.floor(random() * 365 * DAY);
      if (i % 2 === 0 || messages.length === 0) {
        const clip = sqliteClient(db)
          .prepare<[string, number], { clip_id: string }>('SELECT clip_id FROM clips WHERE guild_id = ? LIMIT 1 OFFSET ?')
          .get(guild.id, Math.floor(random() * guild.clips));
        const messageId = `bench-${seed}-${i}`;
        const channelId = `${guild.id}-c1`;
        recordMessageNow(
          db,
          {
            guildId: guild.id,
            channelId,
            messageId,
            authorId: 'b',
            authorName: 'b',
            authorIsBot: false,
            postedAt: at,
            content: `https://clips.twitch.tv/${clip?.clip_id}`,
            source: 'discord',
          },
          now,
        );
        messages.push({ guildId: guild.id, channelId, messageId });
      } else {
        const target = messages[Math.floor(random() * messages.length)] as (typeof messages)[number];
        recordReactionAddedNow(db, { ...target, emojiKey: '🔥', userId: `bench-user-${i}`, at }, now);
      }
    }
  });
}

export async function runAnalyticsBench(options: AnalyticsBenchOptions = {}): Promise<AnalyticsBenchResult> {
  const scale = options.scale ?? 1;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const iterations = options.iterations ?? 200;
  const file = options.databasePath ?? path.join(HERE, '.data', `analytics-${scale}.db`);
  const plan = guildPlan(scale);
  let seedSeconds: number | null = null;
  if (options.reseed || !fs.existsSync(file)) {
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${file}${suffix}`, { force: true });
    const db = openDatabase({ path: file });
    log(`seeding ${file} (scale ${scale}) …`);
    seedSeconds = await seconds(() => seedBenchDatabase(db, scale));
    closeDatabase(db);
  }
  const db = openDatabase({ path: file });
  const clock = new ManualClock(NOW);
  try {
    const counts = db.$client
      .prepare<[], { clips: number; shares: number; reactions: number }>(
        'SELECT (SELECT count(*) FROM clips) AS clips, (SELECT count(*) FROM shares) AS shares, (SELECT count(*) FROM reactions) AS reactions',
      )
      .get() as { clips: number; shares: number; reactions: number };
    log(`${counts.clips} clips, ${counts.shares} shares, ${counts.reactions} reactions in ${plan.length} guilds`);

    bareGroupBy(db); // warm the page cache for both contenders
    const floor = await seconds(() => bareGroupBy(db), 'bare_group_by');
    log(`bare GROUP BY floor: ${floor}s (CPU ${cpuSeconds.bare_group_by}s)`);
    // From empty summaries (the first run), then again over them (what the nightly job usually meets).
    for (const table of [
      'game_analytics',
      'creator_analytics',
      'guild_period_stats',
      'guild_peak_activity',
      'analytics_state',
      'aggregation_pending',
    ]) {
      db.$client.prepare(`DELETE FROM ${table}`).run();
    }
    const full = await seconds(() => aggregateAll(db, { clock }, { full: true }), 'full');
    log(
      `full aggregation from empty summaries, all periods: ${full}s (${round(full / floor, 2)}× the floor; CPU ${cpuSeconds.full}s, ${round((cpuSeconds.full ?? 0) / (cpuSeconds.bare_group_by ?? 1), 2)}×)`,
    );
    const nightly = await seconds(() => aggregateAll(db, { clock }, { full: true }), 'nightly');
    log(
      `full aggregation over up-to-date summaries (nightly): ${nightly}s (${round(nightly / floor, 2)}× the floor; CPU ${cpuSeconds.nightly}s)`,
    );
    const unchanged = await seconds(() => aggregateAll(db, { clock }), 'unchanged');
    // The events stay in the database file: seeds (and so message ids) new to it make every run add 2,000 events.
    const seed =
      1 + (db.$client.prepare<[], { n: number }>("SELECT count(*) AS n FROM shares WHERE message_id LIKE 'bench-%'").get()?.n ?? 0);
    addEvents(db, plan, true, seed);
    const recent = await seconds(() => aggregateAll(db, { clock }), 'recent');
    addEvents(db, plan, false, seed + 1);
    const scattered = await seconds(() => aggregateAll(db, { clock }), 'scattered');
    log(
      `incremental: unchanged ${unchanged}s, after 1,000 recent events ${recent}s, after 1,000 events scattered over the year ${scattered}s (CPU ${cpuSeconds.unchanged}s / ${cpuSeconds.recent}s / ${cpuSeconds.scattered}s)`,
    );

    const largest = plan[0] as GuildPlan;
    const ctx: AnalysisContext = { guildId: largest.id, timezone: largest.timezone, now: NOW };
    const cases: Array<[string, (source: 'auto' | 'raw') => unknown]> = [
      ['overview all_time', (source) => overview(db, ctx, { source })],
      ['overview week', (source) => overview(db, ctx, { period: { type: 'week' }, source })],
      ['top creators all_time (clip_count)', (source) => topCreators(db, ctx, { source })],
      ['top creators all_time (avg_views)', (source) => topCreators(db, ctx, { sort: 'avg_views', source })],
      [
        'top creators month (discord_reactions)',
        (source) => topCreators(db, ctx, { period: { type: 'month' }, sort: 'discord_reactions', source }),
      ],
      ['top creators week', (source) => topCreators(db, ctx, { period: { type: 'week', offset: 1 }, source })],
      ['top creators day', (source) => topCreators(db, ctx, { period: { type: 'day', offset: 1 }, source })],
      ['top games all_time (clip_count)', (source) => topGames(db, ctx, { source })],
      ['top games all_time (total_views)', (source) => topGames(db, ctx, { sort: 'total_views', source })],
      ['top games month', (source) => topGames(db, ctx, { period: { type: 'month' }, source })],
      ['top games day (total_views)', (source) => topGames(db, ctx, { period: { type: 'day', offset: 1 }, sort: 'total_views', source })],
      ['overview day', (source) => overview(db, ctx, { period: { type: 'day', offset: 1 }, source })],
      ['peak times day', (source) => peakTimes(db, ctx, { period: { type: 'day', offset: 1 }, source })],
      ['engagement timeline 365 days by day', (source) => engagementTimeline(db, ctx, { bucket: 'day', days: 365, source })],
      ['engagement timeline 365 days by week', (source) => engagementTimeline(db, ctx, { bucket: 'week', days: 365, source })],
      ['engagement timeline 30 days by day', (source) => engagementTimeline(db, ctx, { bucket: 'day', days: 30, source })],
      ['peak times all_time', (source) => peakTimes(db, ctx, { source })],
      ['peak times month', (source) => peakTimes(db, ctx, { period: { type: 'month' }, source })],
      ['compare week', (source) => compare(db, ctx, { period: { type: 'week' }, source })],
      ['growth opportunities month', (source) => growthOpportunities(db, ctx, { source })],
    ];
    const summaryReads: Timing[] = [];
    for (const [name, fn] of cases) summaryReads.push(await time(name, iterations, () => fn('auto')));
    const viralCases: Array<[string, () => unknown]> = [
      ['viral clips all_time (view_count)', () => viralClips(db, ctx)],
      ['viral clips month (discord_reactions)', () => viralClips(db, ctx, { period: { type: 'month' }, sort: 'discord_reactions' })],
      ['viral clips week (view_velocity)', () => viralClips(db, ctx, { period: { type: 'week' }, sort: 'view_velocity' })],
    ];
    for (const [name, fn] of viralCases) summaryReads.push(await time(name, iterations, fn));
    const rawRuns = options.rawIterations ?? Math.max(3, Math.round(iterations / 20));
    // --raw-iterations 0 skips the raw-table reads (a raw all-time read takes seconds at scale 1).
    const rawReads: Timing[] = [];
    if (rawRuns > 0) for (const [name, fn] of cases) rawReads.push(await time(name, rawRuns, () => fn('raw')));
    log('');
    log('| analysis (largest guild) | p50 ms | p99 ms | CPU p50 ms | CPU p99 ms | raw p50 ms | raw p99 ms | raw CPU p50 ms |');
    log('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const s of summaryReads) {
      const raw = rawReads.find((r) => r.name === s.name);
      log(
        `| ${s.name} | ${s.p50_ms} | ${s.p99_ms} | ${s.cpu_p50_ms} | ${s.cpu_p99_ms} | ${raw ? raw.p50_ms : '–'} | ${raw ? raw.p99_ms : '–'} | ${raw ? raw.cpu_p50_ms : '–'} |`,
      );
    }
    return {
      scale,
      clips: counts.clips,
      shares: counts.shares,
      reactions: counts.reactions,
      guilds: plan.length,
      largest_guild_clips: largest.clips,
      seed_s: seedSeconds,
      full_aggregation_s: full,
      bare_group_by_s: floor,
      full_vs_floor: round(full / floor, 2),
      full_nightly_s: nightly,
      nightly_vs_floor: round(nightly / floor, 2),
      incremental_recent_1000_s: recent,
      incremental_scattered_1000_s: scattered,
      incremental_unchanged_s: unchanged,
      cpu_s: { ...cpuSeconds },
      summary_reads: summaryReads,
      raw_reads: rawReads,
    };
  } finally {
    closeDatabase(db);
  }
}

// ---------------------------------------------------------------------------------------------------------
// The harness section (bench/sections.ts): the same measurements on a copy of the generated community.

export const SUMMARY_TABLES = [
  'game_analytics',
  'creator_analytics',
  'guild_period_stats',
  'guild_peak_activity',
  'analytics_state',
  'aggregation_pending',
];

/** The analyses issue 8 names, each as (source) → answer; viral clips read the clips table either way. */
function coreReads(
  db: Db,
  ctx: AnalysisContext,
): Array<{ key: string; label: string; read: (source: 'auto' | 'raw') => unknown; hasRaw: boolean }> {
  return [
    { key: 'overview', label: 'overview, all time', read: (source) => overview(db, ctx, { source }), hasRaw: true },
    { key: 'top_creators', label: 'top creators, all time', read: (source) => topCreators(db, ctx, { source }), hasRaw: true },
    {
      key: 'top_creators_day',
      label: 'top creators, yesterday',
      read: (source) => topCreators(db, ctx, { period: { type: 'day', offset: 1 }, source }),
      hasRaw: true,
    },
    { key: 'top_games', label: 'top games, all time', read: (source) => topGames(db, ctx, { source }), hasRaw: true },
    {
      key: 'viral',
      label: 'viral clips, all time (reads clips directly; no summary, no separate baseline)',
      read: () => viralClips(db, ctx),
      hasRaw: false,
    },
    {
      key: 'timeline',
      label: 'engagement timeline, 365 days by day',
      read: (source) => engagementTimeline(db, ctx, { bucket: 'day', days: 365, source }),
      hasRaw: true,
    },
    { key: 'peak_times', label: 'peak times, all time', read: (source) => peakTimes(db, ctx, { source }), hasRaw: true },
    ...moodReads(db, ctx),
  ];
}

/** Issue #22's reads: each moods() answer holds the mix, the creator and game mixes and the rankings ("funniest clips"). */
export function moodReads(
  db: Db,
  ctx: AnalysisContext,
): Array<{ key: string; label: string; read: (source: 'auto' | 'raw') => unknown; hasRaw: boolean }> {
  return [
    {
      key: 'moods',
      label: 'moods, all time (mix, creator and game mixes, the seven rankings)',
      read: () => moods(db, ctx),
      hasRaw: false,
    },
    {
      key: 'moods_month',
      label: 'moods, this month (mix, creator and game mixes, the seven rankings)',
      read: () => moods(db, ctx, { period: { type: 'month' } }),
      hasRaw: false,
    },
    {
      key: 'moods_week',
      label: 'moods, last week (mix, creator and game mixes, the seven rankings)',
      read: () => moods(db, ctx, { period: { type: 'week', offset: 1 } }),
      hasRaw: false,
    },
    {
      key: 'stream_moments',
      label: 'stream moments, all time (read from the raw clips and broadcasts by design, ADR 0018)',
      read: () => streamMoments(db, ctx),
      hasRaw: false,
    },
  ];
}

/** The p99 goal of a read (ms): 10 for the timeline and peak times, 1 for the rest (moods: issue #22). */
export function readGoalMs(key: string): number | null {
  if (key === 'stream_moments') return null;
  return key === 'timeline' || key === 'peak_times' ? 10 : 1;
}

/** p50 and p99 of `iterations` calls (after one warm-up call). */
async function percentiles(iterations: number, fn: () => unknown): Promise<{ p50: number; p99: number }> {
  await fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** Calls per run for a read: as many as fit about 2 s, between min(floor, cap) and cap (a raw scan can take seconds). */
async function iterationsFor(fn: () => unknown, cap: number, floor = 10): Promise<number> {
  const t0 = performance.now();
  await fn();
  const ms = Math.max(0.001, performance.now() - t0);
  return Math.max(Math.min(floor, cap), Math.min(cap, Math.floor(2000 / ms)));
}

/**
 * The section. Each read makes up to `readCalls` calls per run from the summaries (enough for a p99) and up to
 * `rawCalls` from the raw tables (fewer when a scan is slow); smaller caps only for the harness's own tests.
 */
export function createAnalyticsSection({ readCalls = 200, rawCalls = 50 }: { readCalls?: number; rawCalls?: number } = {}): BenchSection {
  return {
    name: 'analytics',
    title: 'Aggregation (full; incremental after 1,000 events) vs bare GROUP BY; reads p50/p99 per analysis vs raw scans',
    async run(bench) {
      const copy = path.join(bench.workDir, 'analytics.db');
      fs.copyFileSync(bench.databasePath, copy);
      const db = openDatabase({ path: copy });
      const clock = new ManualClock(bench.endAt);
      try {
        const guilds = db.$client
          .prepare<[], { id: string; clips: number; timezone: string }>(
            `SELECT c.guild_id AS id, count(*) AS clips, coalesce(g.timezone, 'UTC') AS timezone
             FROM clips c LEFT JOIN guild_settings g ON g.guild_id = c.guild_id GROUP BY c.guild_id ORDER BY clips DESC`,
          )
          .all();
        const largest = guilds[0];
        if (!largest) throw new Error(`${bench.databasePath} has no clips`);
        const total = guilds.reduce((sum, g) => sum + g.clips, 0);
        bench.log(
          `${total.toLocaleString('en-US')} clips in ${guilds.length} guilds; the largest ${largest.id} has ${largest.clips.toLocaleString('en-US')}`,
        );
        const figures: Figure[] = [];
        const scope = `${total.toLocaleString('en-US')} clips in ${guilds.length} guilds`;

        // Aggregation: the floor and the full run take turns within each run, so a busy spell hits both alike.
        bareGroupBy(db); // warm the page cache
        const floorRuns: number[] = [];
        const fullRuns: number[] = [];
        for (let run = -1; run < bench.runs; run++) {
          let t0 = performance.now();
          bareGroupBy(db);
          const floor = (performance.now() - t0) / 1000;
          for (const table of SUMMARY_TABLES) db.$client.prepare(`DELETE FROM ${table}`).run();
          t0 = performance.now();
          await aggregateAll(db, { clock }, { full: true });
          const full = (performance.now() - t0) / 1000;
          if (run >= 0) {
            floorRuns.push(floor);
            fullRuns.push(full);
          }
        }
        const floorFigure = figure('analytics.bare_group_by_s', summarise(floorRuns), 's', {
          better: 'lower',
          note: `the floor: creators × games × day/week/month/all-time as plain GROUP BY over raw rows (UTC buckets, no writes); ${scope}`,
        });
        const fullFigure = figure('analytics.full_aggregation_s', summarise(fullRuns), 's', {
          better: 'lower',
          note: `aggregateAll({ full: true }) from empty summaries, all periods, every guild in its timezone; ${scope}`,
        });
        figures.push(floorFigure, fullFigure, {
          ...ratio('analytics.full_vs_floor', fullFigure, floorFigure, 'full aggregation / bare GROUP BY; goal ≤ 1.5× at L'),
          better: 'lower',
        });

        // Incremental: 1,000 new capture events (shares and reactions of the last two days) each run, then a run.
        await aggregateAll(db, { clock });
        const incremental = await repeat(bench.runs, async (run) => {
          addEvents(db, guilds, true, 1000 + run, bench.endAt);
          const t0 = performance.now();
          await aggregateAll(db, { clock });
          return (performance.now() - t0) / 1000;
        });
        // The same number of events spread over the year: every one of them can dirty a different day.
        const scattered = await repeat(bench.runs, async (run) => {
          addEvents(db, guilds, false, 2000 + run, bench.endAt);
          const t0 = performance.now();
          await aggregateAll(db, { clock });
          return (performance.now() - t0) / 1000;
        });
        figures.push(
          figure('analytics.incremental_1000_events_s', incremental, 's', {
            better: 'lower',
            note: '1,000 new shares and reactions (a quarter in the largest guild, dated in the last two days) through recordMessage/recordReactionAdded, then aggregateAll(); goal ≤ 0.5 s',
          }),
          figure('analytics.incremental_1000_scattered_events_s', scattered, 's', {
            better: 'lower',
            note: 'as incremental_1000_events_s with the events dated anywhere in the last year (up to 1,000 dirty local days, each recomputed from the raw tables)',
          }),
        );

        // Reads for the largest guild, from the summaries and from the raw tables.
        const context: AnalysisContext = { guildId: largest.id, timezone: largest.timezone, now: bench.endAt };
        for (const read of coreReads(db, context)) {
          const summaryIterations = await iterationsFor(() => read.read('auto'), readCalls);
          const p50s: number[] = [];
          const p99s: number[] = [];
          for (let run = 0; run < bench.runs; run++) {
            const p = await percentiles(summaryIterations, () => read.read('auto'));
            p50s.push(p.p50);
            p99s.push(p.p99);
          }
          const per = `largest guild (${largest.clips.toLocaleString('en-US')} clips); median over ${bench.runs} runs of ${summaryIterations} calls each (after a warm-up call)`;
          const p50 = figure(`analytics.read_${read.key}_p50_ms`, summarise(p50s), 'ms', {
            better: 'lower',
            note: `${read.label}; ${per}`,
          });
          const p99 = figure(`analytics.read_${read.key}_p99_ms`, summarise(p99s), 'ms', {
            better: 'lower',
            note: `${read.label}; ${per}${readGoalMs(read.key) === null ? '' : `; goal p99 ≤ ${readGoalMs(read.key)} ms`}`,
          });
          figures.push(p50, p99);
          if (!read.hasRaw) continue;
          const rawIterations = await iterationsFor(() => read.read('raw'), rawCalls, 3);
          const rawP50s: number[] = [];
          const rawP99s: number[] = [];
          for (let run = 0; run < bench.runs; run++) {
            const p = await percentiles(rawIterations, () => read.read('raw'));
            rawP50s.push(p.p50);
            rawP99s.push(p.p99);
          }
          const rawPer = `the same analysis with source 'raw' (GROUP BY over raw rows, no summary tables); median over ${bench.runs} runs of ${rawIterations} calls`;
          const rawP50 = figure(`analytics.raw_${read.key}_p50_ms`, summarise(rawP50s), 'ms', { better: 'lower', note: rawPer });
          const rawP99 = figure(`analytics.raw_${read.key}_p99_ms`, summarise(rawP99s), 'ms', { better: 'lower', note: rawPer });
          figures.push(
            rawP50,
            rawP99,
            ratio(`analytics.speedup_${read.key}_p50`, rawP50, p50, 'naive raw p50 / product p50'),
            ratio(`analytics.speedup_${read.key}_p99`, rawP99, p99, 'naive raw p99 / product p99; goal ≥ 100× at all time'),
          );
        }
        return figures;
      } finally {
        closeDatabase(db);
      }
    },
  };
}

export const analyticsSection = createAnalyticsSection();

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string' },
      reseed: { type: 'boolean' },
      iterations: { type: 'string' },
      'raw-iterations': { type: 'string' },
      out: { type: 'string' },
    },
  });
  const scale = values.scale ? Number(values.scale) : 1;
  const result = await runAnalyticsBench({
    scale,
    reseed: values.reseed,
    iterations: values.iterations ? Number(values.iterations) : undefined,
    rawIterations: values['raw-iterations'] ? Number(values['raw-iterations']) : undefined,
  });
  const out = values.out ?? path.join(HERE, 'results', `analytics-${scale}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`\nresults written to ${out}\n`);
}
