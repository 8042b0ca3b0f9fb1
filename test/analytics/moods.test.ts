// Reaction moods on both engines: the mood mix, the per-creator and per-game mixes and the mood rankings against an
// independent computation from the raw reactions (this file's own query and its own emoji → mood expectations),
// incremental runs equal to full rebuilds, an override changing the answers at once (raw) and after the next run
// (summaries), /viral sort:<mood>'s ranking, and a second guild's reactions never showing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateAll } from '../../src/analytics/aggregate';
import { moods, type Moods } from '../../src/analytics/moods';
import { moodKey, type Mood } from '../../src/analytics/moods-table';
import { moodViralClips } from '../../src/analytics/viral-clips';
import { inCaptureBatch } from '../../src/capture/capture-batch';
import { recordReactionAdded, recordReactionRemoved, recordReactionSnapshot } from '../../src/capture/record-reaction';
import { recordMessage, recordMessagesDeleted } from '../../src/capture/record-share';
import { ManualClock } from '../../src/clock';
import type { Db } from '../../src/db/database';
import { recordClipHoursDirty } from '../../src/db/dirty';
import { updateGuildSettings } from '../../src/db/guild-settings';
import { queries } from '../../src/db/sql';
import { resetMoodOverride, setMoodOverride } from '../../src/db/stores/mood-overrides';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A Wednesday afternoon in New York; the data spans this week and the two before it. */
const NOW = Date.parse('2026-03-18T20:00:00Z');
const GUILD = '500000000000000001';
const OTHER = '500000000000000002';
const TZ = 'America/New_York';
const clock = new ManualClock(NOW);

/** What this test expects each emoji it uses to mean by default (docs/moods.md), written out independently. */
const EXPECTED_DEFAULT: Record<string, Mood> = {
  '😂': 'funny',
  'KEKW:111111111111111111': 'funny',
  'omegalul:111111111111111112': 'funny',
  '🔥': 'hype',
  'PogChamp:222222222222222222': 'hype',
  '❤️': 'love',
  '😢': 'sad',
  '👎': 'negative',
  '🦆': 'other',
};
const EMOJIS = Object.keys(EXPECTED_DEFAULT);

async function post(db: Db, guildId: string, messageId: string, postedAt: number, clipIds: string[]): Promise<void> {
  await inCaptureBatch(db, (tx) =>
    recordMessage(
      tx,
      {
        guildId,
        channelId: 'chan',
        threadId: null,
        messageId,
        authorId: 'poster',
        authorName: 'Poster',
        authorIsBot: false,
        postedAt,
        content: clipIds.map((id) => `https://clips.twitch.tv/${id}`).join(' '),
        source: 'discord',
      },
      NOW,
    ),
  );
}

async function enrich(db: Db, guildId: string, clipId: string, createdAt: number, creator: string, game: string, views: number) {
  await queries(db).run(
    `UPDATE clips SET creator_id = ?, creator_name = ?, game_id = ?, game_name = ?, view_count = ?, clip_created_at = ?,
            enrichment_state = 'done', title = ? WHERE guild_id = ? AND clip_id = ?`,
    [creator, `Creator ${creator}`, game, `Game ${game}`, views, createdAt, `Title ${clipId}`, guildId, clipId],
  );
  await recordClipHoursDirty(db, guildId, [clipId]);
}

/** A deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` reactions on random messages by random users at random times in [from, to), some removed again. */
async function reactAtRandom(db: Db, guildId: string, messages: string[], seed: number, count: number, from: number, to: number) {
  const rnd = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const added: Array<{ messageId: string; emojiKey: string; userId: string; at: number }> = [];
  await inCaptureBatch(db, async (tx) => {
    for (let i = 0; i < count; i++) {
      const event = {
        guildId,
        channelId: 'chan',
        messageId: pick(messages),
        emojiKey: pick(EMOJIS),
        userId: `u${Math.floor(rnd() * 30)}`,
        at: from + Math.floor(rnd() * (to - from)),
      };
      if (await recordReactionAdded(tx, event, NOW)) added.push(event);
    }
  });
  await inCaptureBatch(db, async (tx) => {
    for (const event of added.filter(() => rnd() < 0.15)) {
      await recordReactionRemoved(tx, { guildId, channelId: 'chan', ...event, at: event.at + HOUR }, NOW);
    }
  });
}

interface RawReaction {
  clip_id: string;
  emoji_key: string;
  at: number;
  n: number;
  counted: number;
  creator_id: string | null;
  game_id: string | null;
  created: number | null;
}

/** The raw reactions on live shares, read by this test's own query. */
async function rawReactions(db: Db, guildId: string): Promise<RawReaction[]> {
  const counted = `CASE WHEN c.clip_created_at IS NOT NULL AND c.creator_id IS NOT NULL AND c.enrichment_state <> 'not_found' THEN 1 ELSE 0 END`;
  const rows = await queries(db).all<RawReaction>(
    `SELECT s.clip_id AS clip_id, r.emoji_key AS emoji_key, r.reacted_at AS at, 1 AS n, ${counted} AS counted,
            c.creator_id AS creator_id, c.game_id AS game_id, c.clip_created_at AS created
       FROM reactions r JOIN shares s ON s.guild_id = r.guild_id AND s.message_id = r.message_id AND s.deleted_at IS NULL
       JOIN clips c ON c.guild_id = s.guild_id AND c.clip_id = s.clip_id WHERE r.guild_id = ?
     UNION ALL
     SELECT s.clip_id, a.emoji_key, a.observed_at, a.anonymous_count, ${counted}, c.creator_id, c.game_id, c.clip_created_at
       FROM reaction_baselines a JOIN shares s ON s.guild_id = a.guild_id AND s.message_id = a.message_id AND s.deleted_at IS NULL
       JOIN clips c ON c.guild_id = s.guild_id AND c.clip_id = s.clip_id WHERE a.guild_id = ?`,
    [guildId, guildId],
  );
  return rows.map((r) => ({
    ...r,
    at: Number(r.at),
    n: Number(r.n),
    counted: Number(r.counted),
    created: r.created === null ? null : Number(r.created),
  }));
}

type Expect = (emojiKey: string) => Mood;

/** What `moods()` must answer for the period the answer names, computed from the raw rows. */
function expectedAnswer(raw: RawReaction[], answer: Moods, moodOf: Expect) {
  const start = answer.period.start === null ? -Infinity : Date.parse(answer.period.start);
  const end = answer.period.end === null ? Infinity : Date.parse(answer.period.end);
  const inPeriod = raw.filter((r) => r.at >= start && r.at < end);
  const mix: Record<string, number> = {};
  const perClip = new Map<string, Record<string, number>>();
  const perCreator = new Map<string, number>();
  const perGame = new Map<string, Record<string, number>>();
  for (const r of inPeriod) {
    const mood = moodOf(r.emoji_key);
    mix[mood] = (mix[mood] ?? 0) + r.n;
    if (!r.counted) continue;
    const clip = perClip.get(r.clip_id) ?? {};
    clip[mood] = (clip[mood] ?? 0) + r.n;
    perClip.set(r.clip_id, clip);
    perCreator.set(r.creator_id as string, (perCreator.get(r.creator_id as string) ?? 0) + r.n);
    const game = perGame.get(r.game_id ?? '') ?? {};
    game[mood] = (game[mood] ?? 0) + r.n;
    perGame.set(r.game_id ?? '', game);
  }
  const funniest = [...perClip]
    .filter(([, m]) => (m.funny ?? 0) > 0)
    .sort(([a, x], [b, y]) => (y.funny ?? 0) - (x.funny ?? 0) || sum(y) - sum(x) || (a < b ? -1 : 1))
    .slice(0, 5)
    .map(([id, m]) => [id, m.funny]);
  // Every mood's ranking (the answer's default limit of 5), ties by the clip's reactions of every mood, then id.
  const rankings = Object.fromEntries(
    ['hype', 'funny', 'love', 'wow', 'sad', 'negative', 'other'].map((m) => [
      m,
      [...perClip]
        .filter(([, c]) => (c[m] ?? 0) > 0)
        .sort(([a, x], [b, y]) => (y[m] ?? 0) - (x[m] ?? 0) || sum(y) - sum(x) || (a < b ? -1 : 1))
        .slice(0, 5)
        .map(([id, c]) => [id, c[m], sum(c)]),
    ]),
  );
  const games = Object.fromEntries(
    [...perGame]
      .map(([id, m]): [string, Record<string, number>] => [id, Object.fromEntries(Object.entries(m).filter(([, n]) => n !== 0))])
      .filter(([, m]) => sum(m) !== 0),
  );
  return { mix, funniest, creators: Object.fromEntries([...perCreator].filter(([, n]) => n !== 0)), games, rankings };
}

function sum(m: Record<string, number>): number {
  return Object.values(m).reduce((a, b) => a + b, 0);
}

function actualAnswer(answer: Moods) {
  return {
    mix: Object.fromEntries(Object.entries(answer.mix.moods).filter(([, n]) => n !== 0)),
    funniest: answer.rankings.funny.map((c) => [c.clip_id, c.reactions]),
    creators: Object.fromEntries(answer.creators.filter((c) => c.total !== 0).map((c) => [c.creator_id, c.total])),
    games: Object.fromEntries(answer.games.map((g) => [g.game_id, Object.fromEntries(Object.entries(g.moods).filter(([, n]) => n !== 0))])),
    rankings: Object.fromEntries(
      Object.entries(answer.rankings).map(([m, clips]) => [m, clips.map((c) => [c.clip_id, c.reactions, c.total])]),
    ),
  };
}

/**
 * The stored mood summaries: per-clip rows (with the clip totals the rankings order by and what they show of the
 * clip: counted, its mix, title, URL, names) and the mixes.
 */
async function moodRows(db: Db): Promise<unknown[]> {
  const clips = (
    await queries(db).all<Record<string, unknown>>(
      `SELECT guild_id, period_type, period_start, clip_id, mood, reactions, clip_total, clip_counts, counted, title, url,
              creator_name, game_name FROM analytics_clip_moods ORDER BY 1, 2, 3, 4, 5`,
    )
  ).map((r) => ({
    ...r,
    period_start: Number(r.period_start),
    reactions: Number(r.reactions),
    clip_total: Number(r.clip_total),
    counted: Number(r.counted),
  }));
  const mixes = (
    await queries(db).all<Record<string, unknown>>(
      `SELECT guild_id, period_type, period_start, dimension, subject_id, total, hype, funny, love, wow, sad, negative, other
         FROM analytics_mood_mixes ORDER BY 1, 2, 3, 4, 5`,
    )
  ).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' ? v : Number(v)])));
  return [...clips, ...mixes];
}

describe.each(testEngines())('reaction moods on %s', (engine) => {
  let t: TestDatabase;
  const ctx = { guildId: GUILD, timezone: TZ, now: NOW };
  const messages = ['m1', 'm2', 'm3', 'm4', 'm5'];

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'moods');
    for (const guildId of [GUILD, OTHER]) {
      await updateGuildSettings(t.db, guildId, { timezone: TZ }, NOW - 30 * DAY);
      await post(t.db, guildId, 'm1', NOW - 20 * DAY, ['ClipA']);
      await post(t.db, guildId, 'm2', NOW - 15 * DAY, ['ClipB', 'ClipC']);
      await post(t.db, guildId, 'm3', NOW - 9 * DAY, ['ClipD']);
      await post(t.db, guildId, 'm4', NOW - 8 * DAY, ['ClipA']);
      await post(t.db, guildId, 'm5', NOW - 3 * DAY, ['ClipE']);
      await enrich(t.db, guildId, 'ClipA', NOW - 21 * DAY, 'c1', 'g1', 500);
      await enrich(t.db, guildId, 'ClipB', NOW - 16 * DAY, 'c2', 'g1', 300);
      await enrich(t.db, guildId, 'ClipC', NOW - 16 * DAY, 'c1', 'g2', 900);
      await enrich(t.db, guildId, 'ClipE', NOW - 4 * DAY, 'c3', 'g2', 100);
      // ClipD stays unenriched: its reactions count in the mix, not for a creator or a ranking.
    }
    await reactAtRandom(t.db, GUILD, messages, 1, 260, NOW - 20 * DAY, NOW - HOUR);
    await reactAtRandom(t.db, OTHER, messages, 2, 80, NOW - 20 * DAY, NOW - HOUR);
    // An imported count of reactions by users nobody can name.
    await inCaptureBatch(t.db, (tx) =>
      recordReactionSnapshot(
        tx,
        {
          guildId: GUILD,
          channelId: 'chan',
          messageId: 'm2',
          emojiKey: 'KEKW:111111111111111111',
          count: 7,
          userIds: [],
          at: NOW - 10 * DAY,
        },
        NOW,
      ),
    );
  });

  afterAll(async () => {
    await t?.close();
  });

  const PERIODS = [
    { type: 'all_time' },
    { type: 'week' },
    { type: 'week', offset: 1 },
    { type: 'week', offset: 2 },
    { type: 'month' },
    { type: 'day', offset: 3 },
    { type: 'range', from: NOW - 12 * DAY - 5 * HOUR, to: NOW - 2 * DAY },
  ] as const;

  async function expectAnswers(source: 'summaries' | 'raw', moodOf: Expect): Promise<void> {
    const raw = await rawReactions(t.db, GUILD);
    for (const period of PERIODS) {
      const answer = await moods(t.db, ctx, { period });
      expect(answer.source).toBe(period.type === 'range' ? 'raw' : source);
      expect(actualAnswer(answer), JSON.stringify(period)).toEqual(expectedAnswer(raw, answer, moodOf));
    }
  }

  it('answer from the summaries after a full run, as the raw reactions say', async () => {
    await aggregateAll(t.db, { clock }, { full: true });
    await expectAnswers('summaries', (key) => EXPECTED_DEFAULT[key] as Mood);
  });

  it('keep incremental runs equal to a full rebuild through reactions, removals, deletions and enrichment', async () => {
    await reactAtRandom(t.db, GUILD, messages, 3, 120, NOW - 19 * DAY, NOW - HOUR);
    await inCaptureBatch(t.db, (tx) => recordMessagesDeleted(tx, GUILD, ['m4'], NOW));
    await enrich(t.db, GUILD, 'ClipD', NOW - 10 * DAY, 'c2', 'g3', 50);
    // A counted clip retitled and its creator renamed: the rankings show them without a rebuild.
    await queries(t.db).run(`UPDATE clips SET title = 'Retitled', creator_name = 'Renamed' WHERE guild_id = ? AND clip_id = 'ClipA'`, [
      GUILD,
    ]);
    await recordClipHoursDirty(t.db, GUILD, ['ClipA']);
    await aggregateAll(t.db, { clock });
    const incremental = await moodRows(t.db);
    expect(incremental).toContainEqual(
      expect.objectContaining({ clip_id: 'ClipA', period_type: 'all_time', title: 'Retitled', creator_name: 'Renamed' }),
    );
    await expectAnswers('summaries', (key) => EXPECTED_DEFAULT[key] as Mood);
    await aggregateAll(t.db, { clock }, { full: true });
    expect(await moodRows(t.db)).toEqual(incremental);
  });

  it('change the answers when a server overrides an emoji: at once from the raw reactions, then from the summaries', async () => {
    const before = await moods(t.db, ctx, { period: { type: 'all_time' } });
    expect(await setMoodOverride(t.db, GUILD, { emoji: moodKey('<:KEKW:999>'), mood: 'negative', by: 'admin', now: NOW }, 200)).toBe('set');
    const overridden: Expect = (key) => (key.startsWith('KEKW:') ? 'negative' : (EXPECTED_DEFAULT[key] as Mood));
    await expectAnswers('raw', overridden);
    const after = await moods(t.db, ctx, { period: { type: 'all_time' } });
    expect(after.mix.moods.negative).toBeGreaterThan(before.mix.moods.negative);
    expect(after.mix.moods.funny).toBeLessThan(before.mix.moods.funny);

    await aggregateAll(t.db, { clock });
    await expectAnswers('summaries', overridden);
    const incremental = await moodRows(t.db);
    await aggregateAll(t.db, { clock }, { full: true });
    expect(await moodRows(t.db)).toEqual(incremental);

    expect(await resetMoodOverride(t.db, GUILD, moodKey('KEKW'))).toBe(true);
    await expectAnswers('raw', (key) => EXPECTED_DEFAULT[key] as Mood);
    await aggregateAll(t.db, { clock });
    await expectAnswers('summaries', (key) => EXPECTED_DEFAULT[key] as Mood);
  });

  it('rank /viral sort:<mood> by the all-time reactions of that mood of the clips created in the period', async () => {
    const raw = await rawReactions(t.db, GUILD);
    for (const mood of ['funny', 'hype', 'other'] as const) {
      for (const period of [{ type: 'all_time' }, { type: 'month' }] as const) {
        const answer = await moodViralClips(t.db, ctx, { period, mood, limit: 3 });
        const start = answer.period.start === null ? -Infinity : Date.parse(answer.period.start);
        const end = answer.period.end === null ? Infinity : Date.parse(answer.period.end);
        const counts = new Map<string, number>();
        for (const r of raw) {
          if (!r.counted || r.created === null || r.created < start || r.created >= end) continue;
          if (EXPECTED_DEFAULT[r.emoji_key] === mood) counts.set(r.clip_id, (counts.get(r.clip_id) ?? 0) + r.n);
        }
        const views = new Map(answer.clips.map((c) => [c.clip_id, c.view_count]));
        const expected = [...counts].filter(([, n]) => n > 0);
        expect(answer.clips.map((c) => [c.clip_id, c.mood_reactions])).toEqual(
          expected.sort(([a, x], [b, y]) => y - x || (views.get(b) ?? 0) - (views.get(a) ?? 0) || (a < b ? -1 : 1)).slice(0, 3),
        );
      }
    }
  });

  it('never count another server’s reactions', async () => {
    const ours = await moods(t.db, ctx, { period: { type: 'all_time' } });
    const theirs = await moods(t.db, { ...ctx, guildId: OTHER }, { period: { type: 'all_time' } });
    const raw = await rawReactions(t.db, OTHER);
    expect(theirs.mix.total).toBe(raw.reduce((a, r) => a + r.n, 0));
    expect(ours.mix.total).not.toBe(theirs.mix.total);
  });
});
