// A period against the one before it (previous day/week/month, or the same length before a range). While the current
// period is still running, it is compared with the same elapsed span of the previous one (to the same local day and
// time: "Dec 1–5 vs Nov 1–5"), unless the caller asks for the whole previous period.
import type { Db } from '../db/client';
import { overviewOf } from './overview';
import {
  DAY_MS,
  instantOfLocalTime,
  InvalidPeriodError,
  localDate,
  periodJson,
  previousPeriod,
  resolvePeriod,
  startOfLocalDate,
  zoneOffset,
} from './periods';
import type { ReadSource } from './summaries';
import type { AnalysisContext, Change, ComparedSpan, CompareSpan, Comparison, PeriodQuery, ResolvedPeriod } from './types';

export interface CompareOptions {
  period?: PeriodQuery;
  /** Default: `to_date` while the current period is running, `whole` otherwise (a finished period is whole anyway). */
  span?: CompareSpan;
  source?: ReadSource;
}

export async function compare(db: Db, ctx: AnalysisContext, options: CompareOptions = {}): Promise<Comparison> {
  const current = resolvePeriod(options.period ?? { type: 'week' }, ctx.timezone, ctx.now);
  const previous = previousPeriod(current, ctx.now);
  if (!previous) throw new InvalidPeriodError('"all_time" has nothing before it: compare a day, week, month or range');
  const running = isRunning(current, ctx.now);
  const span: CompareSpan = running && options.span !== 'whole' ? 'to_date' : 'whole';
  const before = span === 'to_date' ? sameElapsedSpan(current, previous, ctx.now) : previous;
  const a = await overviewOf(db, ctx, current, options.source);
  const b = await overviewOf(db, ctx, before, options.source);
  let compared: Comparison['compared'];
  let label: string;
  if (span === 'to_date') {
    compared = {
      current: side(current.start as number, ctx.now, spanLabel(ctx.timezone, current.start as number, ctx.now)),
      previous: side(before.start as number, before.end as number, spanLabel(ctx.timezone, before.start as number, before.end as number)),
    };
    label = `${compared.current.label} vs ${compared.previous.label}`;
  } else {
    compared = {
      current: side(current.start, current.end, running ? `${current.label} so far` : current.label),
      previous: side(previous.start, previous.end, previous.label),
    };
    label = `${compared.current.label} vs ${compared.previous.label}`;
  }
  return {
    current: a.period,
    previous: periodJson(previous),
    clips: change(a.total_clips, b.total_clips),
    views: change(a.total_views, b.total_views),
    discord_shares: change(a.discord_shares, b.discord_shares),
    discord_reactions: change(a.discord_reactions, b.discord_reactions),
    unique_creators: change(a.unique_creators, b.unique_creators),
    unique_games: change(a.unique_games, b.unique_games),
    span,
    label,
    compared,
  };
}

/** Absolute and relative change; the percentage is rounded to one decimal, null when there was nothing before. */
export function change(current: number, previous: number): Change {
  return {
    current,
    previous,
    change: current - previous,
    change_pct: previous === 0 ? null : Math.round(((current - previous) / previous) * 1000) / 10,
  };
}

function isRunning(period: ResolvedPeriod, now: number): boolean {
  return period.start !== null && period.end !== null && period.start <= now && now < period.end;
}

/**
 * The start of the previous period up to the same elapsed local wall time as now is into the current one (same day of
 * month / weekday and local time), never past its end: March 31 against February stops at February's end.
 */
export function sameElapsedSpan(current: ResolvedPeriod, previous: ResolvedPeriod, now: number): ResolvedPeriod {
  const start = previous.start as number;
  const end = previous.end as number;
  let cut: number;
  if (current.type === 'range') {
    cut = start + (now - (current.start as number));
  } else {
    const wall = (at: number): number => at + zoneOffset(current.timezone, at);
    cut = instantOfLocalTime(current.timezone, wall(start) + (wall(now) - wall(current.start as number)));
  }
  return { ...previous, type: 'range', start, end: Math.max(start, Math.min(end, cut)) };
}

function side(start: number | null, end: number | null, label: string): ComparedSpan {
  return {
    start: start === null ? null : new Date(start).toISOString(),
    end: end === null ? null : new Date(end).toISOString(),
    label,
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A short label of [start, end) in the timezone: "Dec 1–5", "Nov 30 – Dec 4", "Dec 29, 2025 – Jan 2, 2026", or for a
 * span within one day that stops before midnight "Dec 5 until 14:30".
 */
export function spanLabel(timezone: string, start: number, end: number): string {
  const first = localDate(timezone, start);
  const last = localDate(timezone, Math.max(start, end - 1));
  const a = new Date(first);
  const b = new Date(last);
  const day = (d: Date, year: boolean): string => `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}${year ? `, ${d.getUTCFullYear()}` : ''}`;
  if (first === last) {
    if (end <= start || end >= startOfLocalDate(timezone, first + DAY_MS)) return day(a, false);
    return `${day(a, false)} until ${new Date(end + zoneOffset(timezone, end)).toISOString().slice(11, 16)}`;
  }
  if (a.getUTCFullYear() !== b.getUTCFullYear()) return `${day(a, true)} – ${day(b, true)}`;
  if (a.getUTCMonth() === b.getUTCMonth()) return `${day(a, false)}–${b.getUTCDate()}`;
  return `${day(a, false)} – ${day(b, false)}`;
}
