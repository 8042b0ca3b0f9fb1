// What the reactions say (docs/moods.md): a period's mood mix, per creator and game, the clips that drew the most of
// each mood, and a clip's own mix; from the stored mood rows when they follow the guild's current mapping and
// timezone, else computed from the raw reactions with that mapping.
import { readBucketMoodRows, readMoodClipInfos, readRawEmojiRows, type MoodClipInfo } from '../db/analytics/moods';
import type { Db } from '../db/database';
import { moodsCurrent, readMoodMapping } from './aggregate/moods';
import { emptyMoodCounts, MOODS, type Mood, type MoodCounts, type MoodMapping } from './moods-table';
import { FAR_FUTURE, FAR_PAST, InvalidPeriodError, periodJson, resolvePeriod } from './periods';
import type { AnalysisContext, PeriodJson, PeriodQuery, ResolvedPeriod } from './types';

export interface MoodsOptions {
  period?: PeriodQuery;
  /** Clips per mood ranking and rows of the creator and game mixes (1–25, default 5). */
  limit?: number;
  /** One clip's mix too. */
  clipId?: string | null;
}

export interface MoodMixRow {
  total: number;
  moods: MoodCounts;
}

export interface MoodClip extends MoodMixRow {
  clip_id: string;
  title: string;
  url: string;
  creator_name: string | null;
  game_name: string | null;
  /** Reactions of the ranking's mood. */
  reactions: number;
}

export interface Moods {
  period: PeriodJson;
  /** Where the answer came from: the stored mood rows, or the raw reactions (explicit range, rows not current). */
  source: 'summaries' | 'raw';
  /** Every reaction placed in the period on a live share, by mood. */
  mix: MoodMixRow;
  /** Creators and games of counted clips, most reactions first. */
  creators: Array<MoodMixRow & { creator_id: string; creator_name: string }>;
  games: Array<MoodMixRow & { game_id: string; game_name: string }>;
  /** Per mood, the counted clips that drew the most of it in the period ("funniest clips", "most hype clips"). */
  rankings: Record<Mood, MoodClip[]>;
  /** The asked clip's mix in the period (null when not asked; zeros when it drew no reactions). */
  clip: (MoodMixRow & { clip_id: string }) | null;
}

export const MAX_MOODS_LIMIT = 25;

/** clip → mood counts, for the period. */
type ClipMoods = Map<string, MoodCounts>;

export async function moods(db: Db, ctx: AnalysisContext, options: MoodsOptions = {}): Promise<Moods> {
  const period = resolvePeriod(options.period ?? { type: 'all_time' }, ctx.timezone, ctx.now);
  const limit = options.limit ?? 5;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_MOODS_LIMIT) {
    throw new InvalidPeriodError(`"limit" must be a whole number from 1 to ${MAX_MOODS_LIMIT}`);
  }
  const mapping = await readMoodMapping(db, ctx.guildId);
  const { source, clips } = await clipMoodsOf(db, ctx, period, mapping);
  const infos = new Map((await readMoodClipInfos(db, ctx.guildId, [...clips.keys()])).map((c) => [c.clip_id, c]));

  const mix = emptyMoodCounts();
  const creators = new Map<string, MoodMixRow & { creator_id: string; creator_name: string }>();
  const games = new Map<string, MoodMixRow & { game_id: string; game_name: string }>();
  for (const [clipId, counts] of clips) {
    addCounts(mix, counts);
    const info = infos.get(clipId);
    if (!info?.counted) continue;
    const creatorId = info.creator_id as string;
    let creator = creators.get(creatorId);
    if (!creator)
      creators.set(
        creatorId,
        (creator = { creator_id: creatorId, creator_name: info.creator_name ?? creatorId, total: 0, moods: emptyMoodCounts() }),
      );
    addCounts(creator.moods, counts);
    const gameId = info.game_id ?? '';
    let game = games.get(gameId);
    if (!game)
      games.set(gameId, (game = { game_id: gameId, game_name: info.game_name || 'Unknown game', total: 0, moods: emptyMoodCounts() }));
    addCounts(game.moods, counts);
  }
  for (const row of [...creators.values(), ...games.values()]) row.total = totalOf(row.moods);

  const rankings = {} as Record<Mood, MoodClip[]>;
  const counted = [...clips].filter(([id]) => infos.get(id)?.counted);
  for (const mood of MOODS) {
    rankings[mood] = counted
      .filter(([, counts]) => counts[mood] > 0)
      .sort(([a, x], [b, y]) => y[mood] - x[mood] || totalOf(y) - totalOf(x) || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, limit)
      .map(([id, counts]) => moodClip(infos.get(id) as MoodClipInfo, counts, mood));
  }
  const byTotal = <T extends MoodMixRow>(rows: Iterable<T>, id: (row: T) => string): T[] =>
    [...rows].sort((a, b) => b.total - a.total || (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0)).slice(0, limit);
  const asked = options.clipId ? (clips.get(options.clipId) ?? emptyMoodCounts()) : null;
  return {
    period: periodJson(period),
    source,
    mix: { total: totalOf(mix), moods: mix },
    creators: byTotal(creators.values(), (r) => r.creator_id),
    games: byTotal(games.values(), (r) => r.game_id),
    rankings,
    clip: asked && options.clipId ? { clip_id: options.clipId, total: totalOf(asked), moods: asked } : null,
  };
}

/** The period's reactions per clip and mood: stored rows when current for a calendar period, else the raw reactions. */
async function clipMoodsOf(
  db: Db,
  ctx: AnalysisContext,
  period: ResolvedPeriod,
  mapping: MoodMapping,
): Promise<{ source: 'summaries' | 'raw'; clips: ClipMoods }> {
  const clips: ClipMoods = new Map();
  const countsOf = (clipId: string): MoodCounts => {
    let counts = clips.get(clipId);
    if (!counts) clips.set(clipId, (counts = emptyMoodCounts()));
    return counts;
  };
  if (period.type !== 'range' && (await moodsCurrent(db, ctx.guildId, ctx.timezone, mapping))) {
    const known = new Set<string>(MOODS);
    for (const row of await readBucketMoodRows(db, ctx.guildId, period.type, period.start ?? 0)) {
      if (known.has(row.mood)) countsOf(row.clip_id)[row.mood as Mood] += row.reactions;
    }
    return { source: 'summaries', clips };
  }
  for (const row of await readRawEmojiRows(db, ctx.guildId, period.start ?? FAR_PAST, period.end ?? FAR_FUTURE)) {
    countsOf(row.clip_id)[mapping.moodOf(row.emoji_key)] += row.n;
  }
  // Removals can leave a clip's emoji at 0 in a period (its row is then absent from the stored rows too).
  for (const [clipId, counts] of clips) if (MOODS.every((m) => counts[m] === 0)) clips.delete(clipId);
  return { source: 'raw', clips };
}

function moodClip(info: MoodClipInfo, counts: MoodCounts, mood: Mood): MoodClip {
  return {
    clip_id: info.clip_id,
    title: info.title ?? '',
    url: info.url,
    creator_name: info.creator_name,
    game_name: info.game_name,
    reactions: counts[mood],
    total: totalOf(counts),
    moods: { ...counts },
  };
}

function addCounts(into: MoodCounts, counts: MoodCounts): void {
  for (const mood of MOODS) into[mood] += counts[mood];
}

export function totalOf(counts: MoodCounts): number {
  let total = 0;
  for (const mood of MOODS) total += counts[mood];
  return total;
}
