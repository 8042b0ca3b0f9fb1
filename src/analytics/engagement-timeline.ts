// Clips created, views, Discord shares and reactions per local day, week or month over the last N days,
// with empty buckets present as zeros so a chart can draw them, and each bucket's reactions by mood.
import { readTimelineTotals } from '../db/analytics/summaries';
import type { Db } from '../db/client';
import { computeBucketFacts } from './bucket-facts';
import { emptyMoodCounts } from './moods-table';
import { InvalidPeriodError, timelineBuckets } from './periods';
import type { ReadSource } from './summaries';
import { timelineMoods } from './timeline-moods';
import type { AnalysisContext, EngagementTimeline, TimelineBucket, TimelineBucketSize } from './types';

export interface EngagementTimelineOptions {
  bucket?: TimelineBucketSize;
  /** Lookback in local days, today included (default 30, at most 3660). */
  days?: number;
  source?: ReadSource;
}

export const MAX_TIMELINE_DAYS = 3660;

export async function engagementTimeline(
  db: Db,
  ctx: AnalysisContext,
  options: EngagementTimelineOptions = {},
): Promise<EngagementTimeline> {
  const bucket = options.bucket ?? 'day';
  const days = options.days ?? 30;
  if (!Number.isInteger(days) || days < 1 || days > MAX_TIMELINE_DAYS) {
    throw new InvalidPeriodError(`"days" must be a whole number from 1 to ${MAX_TIMELINE_DAYS}`);
  }
  const buckets = timelineBuckets(ctx.timezone, bucket, days, ctx.now);
  const first = buckets[0];
  const last = buckets[buckets.length - 1];
  const values = new Map<number, Omit<TimelineBucket, 'start' | 'date' | 'moods'>>();
  const rows =
    first && last && options.source !== 'raw'
      ? await readTimelineTotals(db, {
          guildId: ctx.guildId,
          timezone: ctx.timezone,
          periodType: bucket,
          firstStart: first.start,
          lastStart: last.start,
        })
      : null;
  if (rows) {
    for (const row of rows) {
      values.set(row.period_start, {
        clips_created: row.clip_count,
        views: row.total_views,
        discord_shares: row.discord_shares,
        discord_reactions: row.discord_reactions,
      });
    }
  } else {
    const facts = await computeBucketFacts(
      db,
      ctx.guildId,
      ctx.timezone,
      buckets.map((b) => ({ key: b.start, start: b.start, end: b.end })),
      { rankings: false },
    );
    for (const [key, f] of facts) {
      values.set(key, {
        clips_created: f.totals.clip_count,
        views: f.totals.total_views,
        discord_shares: f.totals.discord_shares,
        discord_reactions: f.totals.discord_reactions,
      });
    }
  }
  const moods = await timelineMoods(db, ctx, bucket, buckets, options.source);
  return {
    bucket,
    days,
    timezone: ctx.timezone,
    buckets: buckets.map((b) => ({
      start: new Date(b.start).toISOString(),
      date: b.date,
      ...(values.get(b.start) ?? { clips_created: 0, views: 0, discord_shares: 0, discord_reactions: 0 }),
      moods: moods.byStart.get(b.start) ?? emptyMoodCounts(),
    })),
    mood_source: moods.source,
  };
}
