import { describe, expect, it } from 'vitest';
import {
  bucketsBetween,
  instantOfLocalTime,
  InvalidPeriodError,
  localDate,
  localHour,
  localWeekday,
  isoDate,
  offsetSegments,
  periodJson,
  previousPeriod,
  resolvePeriod,
  startOfLocalDate,
  timelineBuckets,
} from '../../src/analytics/periods';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (iso: string): number => Date.parse(iso);

describe('resolvePeriod', () => {
  it('gives the day clocks spring forward 23 hours and the day they fall back 25, in New York', () => {
    const spring = resolvePeriod({ type: 'day' }, 'America/New_York', at('2026-03-08T15:00:00Z'));
    expect(spring.start).toBe(at('2026-03-08T05:00:00Z'));
    expect(spring.end).toBe(at('2026-03-09T04:00:00Z'));
    expect((spring.end as number) - (spring.start as number)).toBe(23 * HOUR);
    const fall = resolvePeriod({ type: 'day' }, 'America/New_York', at('2026-11-01T15:00:00Z'));
    expect((fall.end as number) - (fall.start as number)).toBe(25 * HOUR);
    expect(fall.label).toBe('2026-11-01');
  });

  it('gives Berlin its own DST days (last Sundays of March and October)', () => {
    const spring = resolvePeriod({ type: 'day' }, 'Europe/Berlin', at('2026-03-29T12:00:00Z'));
    expect(spring.start).toBe(at('2026-03-28T23:00:00Z'));
    expect((spring.end as number) - (spring.start as number)).toBe(23 * HOUR);
    const fall = resolvePeriod({ type: 'day' }, 'Europe/Berlin', at('2026-10-25T12:00:00Z'));
    expect((fall.end as number) - (fall.start as number)).toBe(25 * HOUR);
  });

  it('starts ISO weeks on Monday, across the year boundary, and steps back by offset', () => {
    const now = at('2027-01-01T15:00:00Z'); // a Friday
    const week = resolvePeriod({ type: 'week' }, 'UTC', now);
    expect(week.start).toBe(at('2026-12-28T00:00:00Z'));
    expect(week.end).toBe(at('2027-01-04T00:00:00Z'));
    expect(week.label).toBe('Week of 2026-12-28');
    expect(resolvePeriod({ type: 'week', offset: 1 }, 'UTC', now).start).toBe(at('2026-12-21T00:00:00Z'));
    expect(resolvePeriod({ type: 'week', offset: 53 }, 'UTC', now).start).toBe(at('2025-12-22T00:00:00Z'));
  });

  it('places a Sunday evening in New York in the week that ends that night, though it is Monday in UTC', () => {
    const week = resolvePeriod({ type: 'week' }, 'America/New_York', at('2026-11-30T03:00:00Z')); // Sun 22:00 EST
    expect(week.label).toBe('Week of 2026-11-23');
    expect(week.end).toBe(at('2026-11-30T05:00:00Z'));
  });

  it('steps months back across years, and a DST month is an hour short', () => {
    const now = at('2026-03-15T12:00:00Z');
    const dec = resolvePeriod({ type: 'month', offset: 3 }, 'Europe/Berlin', now);
    expect(dec.label).toBe('December 2025');
    expect(dec.start).toBe(at('2025-11-30T23:00:00Z'));
    expect(dec.end).toBe(at('2025-12-31T23:00:00Z'));
    const march = resolvePeriod({ type: 'month' }, 'America/New_York', now);
    expect((march.end as number) - (march.start as number)).toBe(31 * DAY - HOUR);
    expect(resolvePeriod({ type: 'month', offset: 14 }, 'UTC', now).label).toBe('January 2025');
  });

  it('leaves all_time unbounded and takes explicit ranges as given', () => {
    expect(resolvePeriod({ type: 'all_time' }, 'UTC', 0)).toMatchObject({ start: null, end: null, label: 'All time' });
    const range = resolvePeriod({ type: 'range', from: at('2026-01-01T00:00:00Z'), to: at('2026-01-08T00:00:00Z') }, 'UTC', 0);
    expect(range).toMatchObject({ type: 'range', start: at('2026-01-01T00:00:00Z'), label: '2026-01-01 – 2026-01-07' });
    expect(periodJson(range).start).toBe('2026-01-01T00:00:00.000Z');
    expect(previousPeriod(range, 0)).toMatchObject({ start: at('2025-12-25T00:00:00Z'), end: at('2026-01-01T00:00:00Z') });
  });

  it('refuses negative or fractional offsets, empty ranges and unknown timezones with a clear message', () => {
    expect(() => resolvePeriod({ type: 'day', offset: -1 }, 'UTC', 0)).toThrow(InvalidPeriodError);
    expect(() => resolvePeriod({ type: 'day', offset: 1.5 }, 'UTC', 0)).toThrow(/whole number/);
    expect(() => resolvePeriod({ type: 'range', from: 5, to: 5 }, 'UTC', 0)).toThrow(/before/);
    expect(() => resolvePeriod({ type: 'day' }, 'Mars/Olympus', 0)).toThrow(/Unknown timezone "Mars\/Olympus"/);
  });
});

describe('local time', () => {
  it('reads the local hour and ISO weekday across a DST change', () => {
    expect(localHour('America/New_York', at('2026-03-08T06:59:00Z'))).toBe(1);
    expect(localHour('America/New_York', at('2026-03-08T07:00:00Z'))).toBe(3);
    expect(localWeekday('America/New_York', at('2026-03-08T07:00:00Z'))).toBe(6); // Sunday
    expect(localWeekday('America/New_York', at('2026-03-09T03:59:00Z'))).toBe(6);
    expect(localWeekday('America/New_York', at('2026-03-09T04:00:00Z'))).toBe(0); // Monday
    expect(localHour('Asia/Kolkata', at('2026-01-01T18:29:00Z'))).toBe(23);
    expect(isoDate(localDate('Asia/Kolkata', at('2026-01-01T18:30:00Z')))).toBe('2026-01-02');
  });

  it('maps wall times that happen twice to the first, and skipped ones to the moment after the gap', () => {
    expect(instantOfLocalTime('America/New_York', Date.UTC(2026, 10, 1, 1, 30))).toBe(at('2026-11-01T05:30:00Z'));
    expect(instantOfLocalTime('America/New_York', Date.UTC(2026, 2, 8, 2, 30))).toBe(at('2026-03-08T07:30:00Z'));
  });

  it('starts a day at 01:00 where clocks skip midnight (Santiago)', () => {
    const start = startOfLocalDate('America/Santiago', Date.UTC(2025, 8, 7));
    expect(localHour('America/Santiago', start)).toBe(1);
    expect(isoDate(localDate('America/Santiago', start - 1))).toBe('2025-09-06');
    expect(isoDate(localDate('America/Santiago', start))).toBe('2025-09-07');
  });

  it('splits a range at offset changes', () => {
    const segments = offsetSegments('Europe/Berlin', at('2026-03-29T00:00:00Z'), at('2026-03-30T00:00:00Z'));
    expect(segments).toEqual([
      { start: at('2026-03-29T00:00:00Z'), end: at('2026-03-29T01:00:00Z'), offset: HOUR },
      { start: at('2026-03-29T01:00:00Z'), end: at('2026-03-30T00:00:00Z'), offset: 2 * HOUR },
    ]);
  });

  it('lists buckets overlapping a range, and timelines of N days ending today', () => {
    const weeks = bucketsBetween('UTC', 'week', at('2026-01-01T00:00:00Z'), at('2026-02-01T00:00:00Z'));
    expect(weeks.map((w) => w.date)).toEqual(['2025-12-29', '2026-01-05', '2026-01-12', '2026-01-19', '2026-01-26']);
    const days = timelineBuckets('America/New_York', 'day', 3, at('2026-03-09T12:00:00Z'));
    expect(days.map((d) => d.date)).toEqual(['2026-03-07', '2026-03-08', '2026-03-09']);
    expect(days[1]!.end - days[1]!.start).toBe(23 * HOUR);
    const months = timelineBuckets('UTC', 'month', 40, at('2026-03-05T12:00:00Z'));
    expect(months.map((m) => m.date)).toEqual(['2026-01-01', '2026-02-01', '2026-03-01']);
  });
});
