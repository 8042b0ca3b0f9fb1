// The one place that knows about timezones: calendar periods (day, ISO week, month, all time) and local
// hours/weekdays of UTC instants in a guild's IANA timezone, daylight-saving changes included.
import type { PeriodJson, PeriodQuery, PeriodType, ResolvedPeriod, TimelineBucketSize } from './types';
import { ClipscopeError } from '../errors';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** Beyond any real timestamp; stands for "no bound" in bucket tables (all_time). */
export const FAR_PAST = -8_640_000_000_000_000;
export const FAR_FUTURE = 8_640_000_000_000_000;

/** A period or timezone a caller asked for that cannot be answered; the message says what to send instead. */
export class InvalidPeriodError extends ClipscopeError {
  constructor(message: string) {
    super('invalid_period', message, { userFacing: true });
  }
}

export function isValidTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------
// UTC offsets. Intl is slow (microseconds per call), so each zone's transitions between TABLE_FROM and TABLE_TO
// are found once (probes two days apart, then a binary search to the second) and looked up afterwards.

const TABLE_FROM = Date.UTC(2000, 0, 1);
const TABLE_TO = Date.UTC(2045, 0, 1);
/** Probe spacing: no zone changes its offset twice within two days. */
const PROBE_MS = 2 * DAY_MS;

interface ZoneTable {
  /** Instants where the offset changes, ascending. */
  transitions: number[];
  /** offsets[i] holds before transitions[i]; offsets[transitions.length] after the last one. */
  offsets: number[];
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const tables = new Map<string, ZoneTable>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    if (!isValidTimeZone(timezone))
      throw new InvalidPeriodError(`Unknown timezone "${timezone}": use an IANA name such as "Europe/Berlin"`);
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(timezone, formatter);
  }
  return formatter;
}

/** The offset (local − UTC, ms) asked of Intl directly. */
function intlOffset(timezone: string, at: number): number {
  const seconds = Math.floor(at / 1000) * 1000;
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timezone).formatToParts(seconds)) parts[part.type] = part.value;
  let year = Number(parts.year);
  if (parts.era === 'BC' || parts.era === 'B') year = 1 - year;
  const local = Date.UTC(year, Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return local - seconds;
}

function zoneTable(timezone: string): ZoneTable {
  let table = tables.get(timezone);
  if (table) return table;
  const transitions: number[] = [];
  const offsets: number[] = [];
  let previous = intlOffset(timezone, TABLE_FROM);
  offsets.push(previous);
  for (let probe = TABLE_FROM + PROBE_MS; probe <= TABLE_TO; probe += PROBE_MS) {
    const offset = intlOffset(timezone, probe);
    if (offset === previous) continue;
    // The change lies in (previous probe, probe]: find its first second.
    let lo = (probe - PROBE_MS) / 1000;
    let hi = probe / 1000;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (intlOffset(timezone, mid * 1000) === previous) lo = mid;
      else hi = mid;
    }
    transitions.push(hi * 1000);
    offsets.push(offset);
    previous = offset;
  }
  table = { transitions, offsets };
  tables.set(timezone, table);
  return table;
}

/** The zone's offset from UTC at an instant, in ms (e.g. +3,600,000 for Berlin in winter). */
export function zoneOffset(timezone: string, at: number): number {
  if (at < TABLE_FROM || at >= TABLE_TO) return intlOffset(timezone, at);
  const { transitions, offsets } = zoneTable(timezone);
  let lo = 0;
  let hi = transitions.length;
  // First transition after `at`; the offset before it applies.
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((transitions[mid] as number) <= at) lo = mid + 1;
    else hi = mid;
  }
  return offsets[lo] as number;
}

/** [start, end) split where the zone's offset changes, each piece with its constant offset. */
export interface OffsetSegment {
  start: number;
  end: number;
  offset: number;
}

export function offsetSegments(timezone: string, start: number, end: number): OffsetSegment[] {
  const cuts: number[] = [];
  const { transitions } = zoneTable(timezone);
  for (const t of transitions) if (t > start && t < end) cuts.push(t);
  const segments: OffsetSegment[] = [];
  let from = start;
  for (const cut of [...cuts, end]) {
    // An unbounded start (all_time) takes the offset at the table's first instant; anything else its own.
    const probe = from > FAR_PAST ? from : Math.min(TABLE_FROM, cut - 1);
    segments.push({ start: from, end: cut, offset: zoneOffset(timezone, probe) });
    from = cut;
  }
  return segments;
}

// ---------------------------------------------------------------------------------------------------------
// Local calendar arithmetic. A "local date" is held as the UTC midnight of that calendar date (a plain number).

/** The local calendar date of an instant, as the epoch ms of that date's UTC midnight. */
export function localDate(timezone: string, at: number): number {
  const local = at + zoneOffset(timezone, at);
  return Math.floor(local / DAY_MS) * DAY_MS;
}

/** Local hour of day, 0–23. */
export function localHour(timezone: string, at: number): number {
  return new Date(at + zoneOffset(timezone, at)).getUTCHours();
}

/** ISO weekday index, 0 = Monday … 6 = Sunday. */
export function localWeekday(timezone: string, at: number): number {
  return (new Date(at + zoneOffset(timezone, at)).getUTCDay() + 6) % 7;
}

/**
 * The first instant whose local wall time is `wall` (a local date-time written as UTC ms). When the wall time
 * happens twice (clocks going back) the first; when it never happens (clocks going forward) the moment it would.
 */
export function instantOfLocalTime(timezone: string, wall: number): number {
  const before = zoneOffset(timezone, wall - DAY_MS);
  const after = zoneOffset(timezone, wall + DAY_MS);
  const valid: number[] = [];
  for (const offset of before === after ? [before] : [before, after]) {
    const candidate = wall - offset;
    if (zoneOffset(timezone, candidate) === offset) valid.push(candidate);
  }
  if (valid.length > 0) return Math.min(...valid);
  return wall - before;
}

/** The instant a local calendar date (UTC-midnight number) starts. */
export function startOfLocalDate(timezone: string, date: number): number {
  return instantOfLocalTime(timezone, date);
}

type CalendarUnit = Exclude<PeriodType, 'all_time'>;

/** The local date starting the bucket of `unit` that contains the local date. */
function bucketDate(unit: CalendarUnit, date: number): number {
  if (unit === 'day') return date;
  const d = new Date(date);
  if (unit === 'week') return date - ((d.getUTCDay() + 6) % 7) * DAY_MS;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** Moves a bucket-start local date by n buckets (negative = back). */
function shiftBucketDate(unit: CalendarUnit, date: number, n: number): number {
  if (unit === 'day') return date + n * DAY_MS;
  if (unit === 'week') return date + n * 7 * DAY_MS;
  const d = new Date(date);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1);
}

export interface Bucket {
  /** First instant of the bucket. */
  start: number;
  /** First instant of the next bucket. */
  end: number;
  /** The bucket's first local date, YYYY-MM-DD. */
  date: string;
}

function bucketFromDate(timezone: string, unit: CalendarUnit, date: number): Bucket {
  return {
    start: startOfLocalDate(timezone, date),
    end: startOfLocalDate(timezone, shiftBucketDate(unit, date, 1)),
    date: isoDate(date),
  };
}

/** The day, ISO week (Monday first) or month containing an instant, in the timezone. */
export function bucketOf(timezone: string, unit: CalendarUnit, at: number): Bucket {
  return bucketFromDate(timezone, unit, bucketDate(unit, localDate(timezone, at)));
}

/** Every bucket of `unit` that overlaps [from, to), in order. */
export function bucketsBetween(timezone: string, unit: CalendarUnit, from: number, to: number): Bucket[] {
  const buckets: Bucket[] = [];
  if (to <= from) return buckets;
  let date = bucketDate(unit, localDate(timezone, from));
  for (;;) {
    const bucket = bucketFromDate(timezone, unit, date);
    if (bucket.start >= to) break;
    buckets.push(bucket);
    date = shiftBucketDate(unit, date, 1);
  }
  return buckets;
}

export function isoDate(date: number): string {
  return new Date(date).toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------------------
// Periods.

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Turns what a caller asked for into [start, end) instants in the timezone. */
export function resolvePeriod(query: PeriodQuery, timezone: string, now: number): ResolvedPeriod {
  formatterFor(timezone);
  if (query.type === 'range') {
    if (!Number.isFinite(query.from) || !Number.isFinite(query.to))
      throw new InvalidPeriodError('A range needs both "from" and "to" dates');
    if (query.from >= query.to) throw new InvalidPeriodError('"from" must be before "to"');
    const last = localDate(timezone, query.to - 1);
    const first = localDate(timezone, query.from);
    return {
      type: 'range',
      offset: 0,
      start: query.from,
      end: query.to,
      timezone,
      label: first === last ? isoDate(first) : `${isoDate(first)} – ${isoDate(last)}`,
    };
  }
  const offset = query.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0)
    throw new InvalidPeriodError('"offset" must be a whole number ≥ 0 (0 = current period, 1 = previous, …)');
  if (query.type === 'all_time') return { type: 'all_time', offset, start: null, end: null, timezone, label: 'All time' };
  const unit = query.type;
  const date = shiftBucketDate(unit, bucketDate(unit, localDate(timezone, now)), -offset);
  const bucket = bucketFromDate(timezone, unit, date);
  const d = new Date(date);
  const label =
    unit === 'day' ? bucket.date : unit === 'week' ? `Week of ${bucket.date}` : `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  return { type: unit, offset, start: bucket.start, end: bucket.end, timezone, label };
}

/** The period just before: offset + 1 for calendar periods, the same length immediately before for a range. */
export function previousPeriod(period: ResolvedPeriod, now: number): ResolvedPeriod | null {
  if (period.type === 'all_time') return null;
  if (period.type === 'range') {
    const start = period.start as number;
    const end = period.end as number;
    return resolvePeriod({ type: 'range', from: start - (end - start), to: start }, period.timezone, now);
  }
  return resolvePeriod({ type: period.type, offset: period.offset + 1 }, period.timezone, now);
}

export function periodJson(period: ResolvedPeriod): PeriodJson {
  return {
    type: period.type,
    offset: period.offset,
    start: period.start === null ? null : new Date(period.start).toISOString(),
    end: period.end === null ? null : new Date(period.end).toISOString(),
    timezone: period.timezone,
    label: period.label,
  };
}

/** The timeline buckets covering the `days` local days that end today. */
export function timelineBuckets(timezone: string, unit: TimelineBucketSize, days: number, now: number): Bucket[] {
  const today = localDate(timezone, now);
  const firstDay = today - (days - 1) * DAY_MS;
  return bucketsBetween(timezone, unit, startOfLocalDate(timezone, firstDay), startOfLocalDate(timezone, today + DAY_MS));
}

export { DAY_MS, HOUR_MS };
