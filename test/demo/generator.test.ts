import { afterEach, describe, expect, it } from 'vitest';
import { hashDatabaseContent } from '../../src/demo/content-hash';
import {
  buildGuild,
  createGuildContext,
  DAY_MS,
  resolveCommunity,
  SIZES,
  timezoneOffsetMinutes,
  WINDOW_DAYS,
} from '../../src/demo/community';
import { createAnalytics } from '../../src/analytics/service';
import { generateCommunity } from '../../src/demo/generator';
import { createTempDb, type TempDb } from '../helpers/temp-db';

const END = Date.UTC(2026, 10, 1);
const temps: TempDb[] = [];
afterEach(() => {
  while (temps.length > 0) temps.pop()?.cleanup();
});

function build(clips: number, seed: number, guilds?: number): TempDb {
  const temp = createTempDb();
  temps.push(temp);
  generateCommunity(temp.db, { clips, seed, endAt: END, guilds });
  return temp;
}

function one<T>(temp: TempDb, sql: string): T {
  return temp.db.$client.prepare(sql).get() as T;
}

describe('synthetic community generator', () => {
  it('places its clips in broadcasts of their channels, one in ten without a VOD offset, each inside its stream', async () => {
    const temp = build(1200, 3, 2);
    const counts = one<{ clips: number; placed: number; unplaced: number; outside: number; streams: number }>(
      temp,
      `SELECT count(*) AS clips,
              sum(CASE WHEN c.vod_offset IS NOT NULL THEN 1 ELSE 0 END) AS placed,
              sum(CASE WHEN c.vod_offset IS NULL THEN 1 ELSE 0 END) AS unplaced,
              sum(CASE WHEN c.vod_offset >= v.duration_seconds OR c.vod_offset < 0 OR v.broadcaster_id <> c.broadcaster_id THEN 1 ELSE 0 END) AS outside,
              (SELECT count(*) FROM twitch_videos) AS streams
         FROM clips c JOIN twitch_videos v ON v.guild_id = c.guild_id AND v.video_id = c.video_id`,
    );
    expect(counts.clips).toBe(1200);
    expect(counts.outside).toBe(0);
    expect(counts.streams).toBeGreaterThan(10);
    expect(counts.unplaced / counts.clips).toBeGreaterThan(0.05);
    expect(counts.unplaced / counts.clips).toBeLessThan(0.15);
    const [guild] = temp.db.$client
      .prepare('SELECT guild_id FROM clips GROUP BY guild_id ORDER BY count(*) DESC LIMIT 1')
      .pluck()
      .all() as string[];
    const moments = await createAnalytics(temp.db).streamMoments(
      { guildId: guild!, timezone: 'UTC', now: END },
      { period: { type: 'all_time' }, limit: 10 },
    );
    expect(moments.clips.placed).toBeGreaterThan(0);
    expect(moments.streams.count).toBeGreaterThan(0);
    expect(moments.top_by_clips[0]!.clips).toBeGreaterThan(1);
  });

  it('builds the same database content from the same seed, and different content from another seed', () => {
    const first = hashDatabaseContent(build(1200, 7, 2).db);
    const again = hashDatabaseContent(build(1200, 7, 2).db);
    const other = hashDatabaseContent(build(1200, 8, 2).db);
    expect(again).toBe(first);
    expect(other).not.toBe(first);
  });

  it('builds the same content in bulk mode and leaves the database in WAL mode afterwards', () => {
    const normal = hashDatabaseContent(build(800, 4, 2).db);
    const temp = createTempDb();
    temps.push(temp);
    generateCommunity(temp.db, { clips: 800, seed: 4, endAt: END, guilds: 2, bulk: true });
    expect(hashDatabaseContent(temp.db)).toBe(normal);
    expect(temp.db.$client.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(temp.db.$client.pragma('synchronous', { simple: true })).toBe(1);
  });

  it('sizes S, M and L as the issue describes: 1M clips in 20 guilds, the largest 200k, ~50k creators, ~2k games', () => {
    const large = resolveCommunity({ clips: SIZES.L, seed: 1, endAt: END });
    expect(large.guildSizes).toHaveLength(20);
    expect(large.guildSizes.reduce((a, b) => a + b, 0)).toBe(1_000_000);
    expect(large.guildSizes[0]).toBeGreaterThan(190_000);
    expect(large.guildSizes[0]).toBeLessThan(210_000);
    expect(large.creatorCount).toBe(50_000);
    expect(large.gameCount).toBe(2000);
    const medium = resolveCommunity({ clips: SIZES.M, seed: 1, endAt: END });
    expect(medium.guildSizes.reduce((a, b) => a + b, 0)).toBe(100_000);
    expect(resolveCommunity({ clips: SIZES.S, seed: 1, endAt: END }).guildSizes.reduce((a, b) => a + b, 0)).toBe(10_000);
  });

  it('writes a tiny community through the capture code: every clip enriched, ~30% shared in Discord', () => {
    const temp = build(4000, 11, 2);
    const clips = one<{ n: number; discord: number; sync: number; done: number; guilds: number }>(
      temp,
      `SELECT count(*) AS n, sum(source = 'discord') AS discord, sum(source = 'twitch_sync') AS sync,
              sum(enrichment_state = 'done') AS done, count(DISTINCT guild_id) AS guilds FROM clips`,
    );
    expect(clips.n).toBe(4000);
    expect(clips.guilds).toBe(2);
    expect(clips.done).toBe(4000);
    expect(clips.discord / clips.n).toBeGreaterThan(0.25);
    expect(clips.discord / clips.n).toBeLessThan(0.35);
    // Clips only the Twitch sync found were never shared.
    expect(one<{ n: number }>(temp, "SELECT count(*) AS n FROM clips WHERE source = 'twitch_sync' AND discord_shares > 0").n).toBe(0);
    // The clip counters agree with the raw shares they were recomputed from.
    const mismatched = one<{ n: number }>(
      temp,
      `SELECT count(*) AS n FROM clips c WHERE discord_shares !=
         (SELECT count(*) FROM shares s WHERE s.guild_id = c.guild_id AND s.clip_id = c.clip_id AND s.deleted_at IS NULL)`,
    );
    expect(mismatched.n).toBe(0);
    // Enrichment wrote what the Twitch writer writes: a view observation at the first lookup and at the latest refresh
    // (which the row's views come from), "no game" with an empty name.
    expect(
      one<{ n: number }>(
        temp,
        `SELECT count(*) AS n FROM clips c JOIN clip_view_history h ON h.clip_id = c.clip_id AND h.observed_at = c.enriched_at
          WHERE c.enrichment_attempts = 0 AND h.view_count <= c.view_count`,
      ).n,
    ).toBe(4000);
    expect(
      one<{ n: number }>(
        temp,
        `SELECT count(*) AS n FROM clips c JOIN clip_view_history h
            ON h.clip_id = c.clip_id AND h.observed_at = c.views_refreshed_at AND h.view_count = c.view_count`,
      ).n,
    ).toBe(4000);
    expect(one<{ n: number }>(temp, "SELECT count(*) AS n FROM clips WHERE game_id = '' AND game_name != ''").n).toBe(0);
    expect(one<{ n: number }>(temp, "SELECT count(*) AS n FROM clips WHERE game_id = ''").n).toBeGreaterThan(0);
    // Every guild got its name and timezone through the guild settings.
    expect(one<{ n: number }>(temp, "SELECT count(*) AS n FROM guild_settings WHERE guild_name IS NOT NULL AND timezone != 'UTC'").n).toBe(
      2,
    );
  });

  it('keeps every clip, share and reaction time inside the two-year window', () => {
    const temp = build(3000, 5, 2);
    const start = END - WINDOW_DAYS * DAY_MS;
    const clips = one<{ lo: number; hi: number }>(temp, 'SELECT min(clip_created_at) AS lo, max(clip_created_at) AS hi FROM clips');
    const shares = one<{ lo: number; hi: number }>(temp, 'SELECT min(posted_at) AS lo, max(posted_at) AS hi FROM shares');
    const reactions = one<{ lo: number; hi: number }>(temp, 'SELECT min(reacted_at) AS lo, max(reacted_at) AS hi FROM reactions');
    for (const range of [clips, shares, reactions]) {
      expect(range.lo).toBeGreaterThanOrEqual(start);
      expect(range.hi).toBeLessThan(END);
    }
    // A share never comes before the clip it links.
    expect(
      one<{ n: number }>(
        temp,
        'SELECT count(*) AS n FROM shares s JOIN clips c USING (guild_id, clip_id) WHERE s.posted_at < c.clip_created_at',
      ).n,
    ).toBe(0);
    // Capture marked the hours it touched for the incremental aggregator.
    expect(one<{ n: number }>(temp, 'SELECT count(*) AS n FROM dirty_hours').n).toBeGreaterThan(100);
  });

  it('shares clips the way communities do: repeats, several channels, threads, bots, edits and deletions', () => {
    const temp = build(6000, 3, 2);
    const repeated = one<{ clips: number; most: number }>(
      temp,
      'SELECT count(*) AS clips, max(n) AS most FROM (SELECT count(*) AS n FROM shares GROUP BY guild_id, clip_id HAVING n > 1)',
    );
    expect(repeated.clips).toBeGreaterThan(50);
    expect(repeated.most).toBeGreaterThanOrEqual(5);
    expect(
      one<{ n: number }>(
        temp,
        'SELECT count(*) AS n FROM (SELECT clip_id FROM shares GROUP BY guild_id, clip_id HAVING count(DISTINCT channel_id) > 1)',
      ).n,
    ).toBeGreaterThan(10);
    expect(one<{ n: number }>(temp, 'SELECT count(*) AS n FROM shares WHERE thread_id IS NOT NULL').n).toBeGreaterThan(20);
    expect(one<{ n: number }>(temp, 'SELECT count(*) AS n FROM shares WHERE author_is_bot = 1').n).toBeGreaterThan(5);
    expect(one<{ n: number }>(temp, 'SELECT count(*) AS n FROM shares WHERE deleted_at IS NOT NULL').n).toBeGreaterThan(5);
    // A message that links two clips.
    expect(
      one<{ n: number }>(temp, 'SELECT count(*) AS n FROM (SELECT message_id FROM shares GROUP BY message_id HAVING count(*) > 1)').n,
    ).toBeGreaterThan(3);
  });

  it('mixes unicode and custom (name:id) reactions, the favourites far ahead of the rest', () => {
    const temp = build(4000, 9, 1);
    const rows = temp.db.$client
      .prepare<[], { emoji_key: string; n: number }>('SELECT emoji_key, count(*) AS n FROM reactions GROUP BY emoji_key ORDER BY n DESC')
      .all();
    const custom = rows.filter((r) => /^[A-Za-z]+:\d+$/.test(r.emoji_key));
    const unicode = rows.filter((r) => !r.emoji_key.includes(':'));
    expect(custom.length).toBeGreaterThanOrEqual(5);
    expect(unicode.length).toBeGreaterThanOrEqual(8);
    expect(rows[0]?.emoji_key).toBe('😂');
    const total = rows.reduce((a, r) => a + r.n, 0);
    expect(custom.reduce((a, r) => a + r.n, 0) / total).toBeGreaterThan(0.1);
    // Counters on the clips agree with the reaction rows on their live shares.
    const clip = one<{ total: number; counted: number }>(
      temp,
      `SELECT sum(discord_reactions) AS total,
              (SELECT count(*) FROM reactions r JOIN shares s ON s.message_id = r.message_id WHERE s.deleted_at IS NULL) AS counted
         FROM clips`,
    );
    expect(clip.total).toBe(clip.counted);
  });

  it('writes nothing odd for a tiny community of a handful of clips', () => {
    const temp = build(12, 1);
    expect(one<{ n: number }>(temp, 'SELECT count(*) AS n FROM clips').n).toBe(12);
    expect(one<{ n: number }>(temp, 'SELECT count(DISTINCT guild_id) AS n FROM clips').n).toBe(1);
  });
});

describe('synthetic community shape', () => {
  // The model alone (no database) for a community large enough for the statistics to settle.
  const resolved = resolveCommunity({ clips: 60_000, seed: 42, endAt: END, guilds: 1 });
  const guild = buildGuild(createGuildContext(resolved), 0);

  it('has creators distributed by Zipf: a small head makes a large share of the clips', () => {
    const counts = new Map<string, number>();
    for (const clip of guild.clips) counts.set(clip.creator.id, (counts.get(clip.creator.id) ?? 0) + 1);
    const sorted = [...counts.values()].sort((a, b) => b - a);
    const head = sorted.slice(0, Math.ceil(sorted.length / 100)).reduce((a, b) => a + b, 0);
    expect(head / guild.clips.length).toBeGreaterThan(0.15);
    expect(head / guild.clips.length).toBeLessThan(0.6);
    // log(count) against log(rank) over the top 100 falls with a slope near the exponent (0.9).
    const xs = sorted.slice(0, 100).map((_, i) => Math.log(i + 1));
    const ys = sorted.slice(0, 100).map((n) => Math.log(n));
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const my = ys.reduce((a, b) => a + b, 0) / ys.length;
    const slope = xs.reduce((a, x, i) => a + (x - mx) * ((ys[i] ?? 0) - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0);
    expect(slope).toBeLessThan(-0.6);
    expect(slope).toBeGreaterThan(-1.2);
  });

  it('creates clips with an evening peak, a weekend lift and a few viral days', () => {
    const byHour = new Array<number>(24).fill(0);
    const byWeekday = new Array<number>(7).fill(0);
    const byDay = new Map<number, number>();
    for (const clip of guild.clips) {
      const local = new Date(clip.createdAt + timezoneOffsetMinutes(guild.timezone, clip.createdAt) * 60_000);
      byHour[local.getUTCHours()]! += 1;
      byWeekday[local.getUTCDay()]! += 1;
      const day = Math.floor(clip.createdAt / DAY_MS);
      byDay.set(day, (byDay.get(day) ?? 0) + 1);
    }
    const evening = byHour[19]! + byHour[20]! + byHour[21]! + byHour[22]!;
    const night = byHour[3]! + byHour[4]! + byHour[5]! + byHour[6]!;
    expect(evening).toBeGreaterThan(night * 4);
    expect(byHour.indexOf(Math.max(...byHour))).toBeGreaterThanOrEqual(18);
    const weekend = (byWeekday[0]! + byWeekday[6]!) / 2;
    const midweek = (byWeekday[2]! + byWeekday[3]!) / 2;
    expect(weekend).toBeGreaterThan(midweek * 1.2);
    const daily = [...byDay.values()].sort((a, b) => a - b);
    const median = daily[Math.floor(daily.length / 2)]!;
    expect(daily[daily.length - 1]!).toBeGreaterThan(median * 3);
    expect(guild.clips.some((c) => c.viral)).toBe(true);
  });

  it('gives view counts a log-normal spread and a few dominant games, some clips with no game', () => {
    const logs = guild.clips.filter((c) => !c.viral).map((c) => Math.log(c.viewCount));
    const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
    const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / logs.length);
    expect(Math.exp(mean)).toBeGreaterThan(25);
    expect(Math.exp(mean)).toBeLessThan(60);
    expect(sd).toBeGreaterThan(1.2);
    expect(sd).toBeLessThan(1.8);
    const games = new Map<string, number>();
    for (const clip of guild.clips) games.set(clip.game.id, (games.get(clip.game.id) ?? 0) + 1);
    const top3 = [...games.values()]
      .sort((a, b) => b - a)
      .slice(0, 3)
      .reduce((a, b) => a + b, 0);
    expect(top3 / guild.clips.length).toBeGreaterThan(0.3);
    expect(games.size).toBeGreaterThan(100);
    expect(games.get('')).toBeGreaterThan(0);
  });
});
