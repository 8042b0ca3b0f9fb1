// When a guild's clips are created and shared: by local hour of day, ISO weekday and the 7 × 24 matrix.
import { readPeakCells } from '../db/analytics/summaries';
import type { Db } from '../db/client';
import { computeBucketFacts } from './bucket-facts';
import { periodJson, resolvePeriod } from './periods';
import { bucketOfPeriod, periodKey, summaryPeriod, type ReadSource } from './summaries';
import type { AnalysisContext, PeakTimes, PeriodQuery } from './types';

export interface PeakTimesOptions {
  period?: PeriodQuery;
  source?: ReadSource;
}

export async function peakTimes(db: Db, ctx: AnalysisContext, options: PeakTimesOptions = {}): Promise<PeakTimes> {
  const period = resolvePeriod(options.period ?? { type: 'all_time' }, ctx.timezone, ctx.now);
  const clips = matrix();
  const shares = matrix();
  const summary = summaryPeriod(ctx, period, options.source);
  const rows = summary && (await readPeakCells(db, summary));
  if (rows) {
    for (const row of rows) {
      (clips[row.weekday] as number[])[row.hour] = row.clips;
      (shares[row.weekday] as number[])[row.hour] = row.shares;
    }
  } else {
    const facts = await computeBucketFacts(db, ctx.guildId, ctx.timezone, [bucketOfPeriod(period)], { rankings: false, peaks: true });
    for (const [index, cell] of facts.get(periodKey(period))?.peaks ?? []) {
      (clips[Math.floor(index / 24)] as number[])[index % 24] = cell.clips;
      (shares[Math.floor(index / 24)] as number[])[index % 24] = cell.shares;
    }
  }
  const clipsByHour = byHour(clips);
  const clipsByWeekday = clips.map(sum);
  return {
    period: periodJson(period),
    timezone: ctx.timezone,
    clips_by_hour: clipsByHour,
    clips_by_weekday: clipsByWeekday,
    clips_matrix: clips,
    shares_by_hour: byHour(shares),
    shares_by_weekday: shares.map(sum),
    shares_matrix: shares,
    best_hour: argmax(clipsByHour),
    best_weekday: argmax(clipsByWeekday),
  };
}

function matrix(): number[][] {
  return Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function byHour(m: number[][]): number[] {
  return Array.from({ length: 24 }, (_, hour) => m.reduce((total, row) => total + (row[hour] as number), 0));
}

/** Index of the largest value (the first on ties), or null when all are zero. */
function argmax(values: number[]): number | null {
  let best: number | null = null;
  values.forEach((v, i) => {
    if (v > 0 && (best === null || v > (values[best] as number))) best = i;
  });
  return best;
}
