// Moods on the timeline (docs/moods.md): the guild's mood mix per timeline bucket, from the stored mixes when they
// follow the guild's current mapping and timezone (as moods() decides), else from the raw reactions with that mapping.
import { readEmojiRows } from '../db/aggregation/moods';
import { readStoredGuildMixes } from '../db/analytics/mood-timeline';
import type { Db } from '../db/database';
import { moodsCurrent, readMoodMapping } from './aggregate/moods';
import { emptyMoodCounts, MOODS, type MoodCounts } from './moods-table';
import type { Bucket } from './periods';
import type { ReadSource } from './summaries';
import type { AnalysisContext, TimelineBucketSize } from './types';

export interface TimelineMoods {
  source: 'summaries' | 'raw';
  /** Bucket start (epoch ms) → its mood mix; buckets without reactions are absent. */
  byStart: Map<number, MoodCounts>;
}

export async function timelineMoods(
  db: Db,
  ctx: AnalysisContext,
  bucket: TimelineBucketSize,
  buckets: readonly Bucket[],
  source: ReadSource | undefined,
): Promise<TimelineMoods> {
  const byStart = new Map<number, MoodCounts>();
  const mapping = await readMoodMapping(db, ctx.guildId);
  if (source !== 'raw' && (await moodsCurrent(db, ctx.guildId, ctx.timezone, mapping))) {
    const starts = buckets.map((b) => b.start);
    for (const row of await readStoredGuildMixes(db, ctx.guildId, bucket, starts)) {
      const counts = emptyMoodCounts();
      MOODS.forEach((mood, i) => {
        counts[mood] = row.counts[i] ?? 0;
      });
      byStart.set(row.period_start, counts);
    }
    return { source: 'summaries', byStart };
  }
  // The stored buckets are whole local days, weeks and months: the raw read cuts the same ranges.
  for (const row of await readEmojiRows(
    db,
    ctx.guildId,
    buckets.map((b) => ({ key: b.start, start: b.start, end: b.end })),
  )) {
    let counts = byStart.get(row.k);
    if (!counts) byStart.set(row.k, (counts = emptyMoodCounts()));
    counts[mapping.moodOf(row.emoji_key)] += row.n;
  }
  return { source: 'raw', byStart };
}
