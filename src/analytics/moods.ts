// What the reactions say (docs/moods.md): a period's mood mix, per creator and game, the clips that drew the most of
// each mood, and a clip's own mix; from the stored mixes and rankings when they follow the guild's current mapping
// and timezone, else computed from the raw reactions with that mapping.
import { readMoodClipInfos, readMoodSummaryKey, readRawEmojiRows, readStoredMoodSummary, type MoodClipInfo } from '../db/analytics/moods';
import { creatorDisplayName, gameDisplayName, readNames } from '../db/analytics/names';
import type { Db } from '../db/database';
import { mappingOf } from './aggregate/moods';
import { emptyMoodCounts, MAX_MOOD_OVERRIDES, MOODS, type Mood, type MoodCounts, type MoodMapping } from './moods-table';
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

/** clip → mood counts, for the period (the raw path). */
type ClipMoods = Map<string, MoodCounts>;

export async function moods(db: Db, ctx: AnalysisContext, options: MoodsOptions = {}): Promise<Moods> {
  const period = resolvePeriod(options.period ?? { type: 'all_time' }, ctx.timezone, ctx.now);
  const limit = options.limit ?? 5;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_MOODS_LIMIT) {
    throw new InvalidPeriodError(`"limit" must be a whole number from 1 to ${MAX_MOODS_LIMIT}`);
  }
  // The state and the overrides in one statement: the stored rows answer when built with this mapping and timezone.
  const key = await readMoodSummaryKey(db, ctx.guildId, MAX_MOOD_OVERRIDES);
  const mapping = mappingOf(key.overrides);
  const current = key.state !== null && key.state.timezone === ctx.timezone && key.state.signature === mapping.signature;
  if (period.type !== 'range' && current) return fromSummaries(db, period, limit, options.clipId ?? null, ctx.guildId);
  return fromRawReactions(db, ctx, period, limit, options.clipId ?? null, mapping);
}

/**
 * From the stored mixes and rankings of the period's bucket: one statement (ADR 0030), whatever the bucket holds.
 * The rows carry what the answer shows, so nothing else is read.
 */
async function fromSummaries(db: Db, period: ResolvedPeriod, limit: number, clipId: string | null, guildId: string): Promise<Moods> {
  const stored = await readStoredMoodSummary(db, { guild: guildId, type: period.type, start: period.start ?? 0, limit, clipId });
  const answer: Moods = {
    period: periodJson(period),
    source: 'summaries',
    mix: { total: 0, moods: emptyMoodCounts() },
    creators: [],
    games: [],
    rankings: {} as Record<Mood, MoodClip[]>,
    clip: null,
  };
  for (const mood of MOODS) answer.rankings[mood] = [];
  for (const row of stored.mixes) {
    const mix = mixOf(row.counts);
    if (row.dimension === 'guild') answer.mix = mix;
    else if (row.dimension === 'creator') {
      answer.creators.push({ creator_id: row.subject_id, creator_name: creatorDisplayName(row.subject_id, row.name), ...mix });
    } else answer.games.push({ game_id: row.subject_id, game_name: gameDisplayName(row.subject_id, row.name), ...mix });
  }
  for (const row of stored.ranked) {
    const mood = row.mood as Mood;
    answer.rankings[mood]?.push(moodClip(row, mixOf(row.counts).moods, mood));
  }
  if (clipId) {
    const asked = stored.clip ? mixOf(stored.clip) : { total: 0, moods: emptyMoodCounts() };
    answer.clip = { clip_id: clipId, ...asked };
  }
  return answer;
}

/** A stored mix (counts in MOODS order) as the answer shows it. */
function mixOf(counts: readonly number[]): MoodMixRow {
  const moods = emptyMoodCounts();
  for (let i = 0; i < MOODS.length; i++) moods[MOODS[i] as Mood] = counts[i] ?? 0;
  return { total: totalOf(moods), moods };
}

/** From the raw reactions with the current mapping (explicit ranges, or stored rows not current): grouped here. */
async function fromRawReactions(
  db: Db,
  ctx: AnalysisContext,
  period: ResolvedPeriod,
  limit: number,
  clipId: string | null,
  mapping: MoodMapping,
): Promise<Moods> {
  const clips: ClipMoods = new Map();
  for (const row of await readRawEmojiRows(db, ctx.guildId, period.start ?? FAR_PAST, period.end ?? FAR_FUTURE)) {
    let counts = clips.get(row.clip_id);
    if (!counts) clips.set(row.clip_id, (counts = emptyMoodCounts()));
    counts[mapping.moodOf(row.emoji_key)] += row.n;
  }
  // Removals can leave a clip's emoji at 0 in a period (its row is then absent from the stored rows too).
  for (const [id, counts] of clips) if (MOODS.every((m) => counts[m] === 0)) clips.delete(id);
  const infos = new Map((await readMoodClipInfos(db, ctx.guildId, [...clips.keys()])).map((c) => [c.clip_id, c]));

  const mix = emptyMoodCounts();
  const creators = new Map<string, MoodMixRow & { creator_id: string }>();
  const games = new Map<string, MoodMixRow & { game_id: string }>();
  for (const [id, counts] of clips) {
    addCounts(mix, counts);
    const info = infos.get(id);
    if (!info?.counted) continue;
    const creatorId = info.creator_id as string;
    let creator = creators.get(creatorId);
    if (!creator) creators.set(creatorId, (creator = { creator_id: creatorId, total: 0, moods: emptyMoodCounts() }));
    addCounts(creator.moods, counts);
    const gameId = info.game_id ?? '';
    let game = games.get(gameId);
    if (!game) games.set(gameId, (game = { game_id: gameId, total: 0, moods: emptyMoodCounts() }));
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
  const topCreators = byTotal(creators.values(), (r) => r.creator_id);
  const topGames = byTotal(games.values(), (r) => r.game_id);
  // Names as the summaries read them (latest_names), so both sources answer alike.
  const names = await readNames(db, ctx.guildId, {
    creators: topCreators.map((r) => r.creator_id),
    games: topGames.map((r) => r.game_id),
  });
  const asked = clipId ? (clips.get(clipId) ?? emptyMoodCounts()) : null;
  return {
    period: periodJson(period),
    source: 'raw',
    mix: { total: totalOf(mix), moods: mix },
    creators: topCreators.map((r) => ({
      creator_id: r.creator_id,
      creator_name: names.creatorName(r.creator_id),
      total: r.total,
      moods: r.moods,
    })),
    games: topGames.map((r) => ({ game_id: r.game_id, game_name: names.gameName(r.game_id), total: r.total, moods: r.moods })),
    rankings,
    clip: asked && clipId ? { clip_id: clipId, total: totalOf(asked), moods: asked } : null,
  };
}

function moodClip(
  info: Pick<MoodClipInfo, 'clip_id' | 'title' | 'url' | 'creator_name' | 'game_name'>,
  counts: MoodCounts,
  mood: Mood,
): MoodClip {
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
