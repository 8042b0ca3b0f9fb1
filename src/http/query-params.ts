// zod schemas for every API query parameter, and the one parser that turns their failures into a 400 naming
// the parameter and the rule. Unknown parameters are refused, so a typo (or a `guild_id=`) never passes silently.
import { z } from 'zod';
import {
  COMPARE_SPANS,
  CREATOR_SORTS,
  GAME_SORTS,
  PERIOD_TYPES,
  TIMELINE_BUCKETS,
  VIRAL_SORTS,
  type PeriodQuery,
} from '../analytics/types';
import { MAX_REPORT_OFFSET } from '../reports/report';
import { REPORT_PERIODS } from '../reports/types';
import { invalidParameters, type ParameterIssue } from './errors';

/** The guard's parameter (auth.ts GUILD_PARAMETER); a constant here so parsing does not import the guard. */
const GUILD_PARAMETER = 'guild';

export const MAX_LIMIT = 100;
export const MAX_DAYS = 3660;
const DAY_MS = 86_400_000;

/** A whole number written in decimal digits, within bounds; the rule text is the error message. */
function wholeNumber(min: number, max: number) {
  const rule = `a whole number from ${min} to ${max}`;
  return z
    .string({ error: rule })
    .regex(/^\d{1,10}$/, rule)
    .transform(Number)
    .pipe(z.number().int().min(min, rule).max(max, rule));
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `one of ${values.join(', ')}` });
}

/** The earliest instant a range may name: nothing this server counts is older, and years below 100 would be misread. */
const EARLIEST_INSTANT = Date.UTC(1970, 0, 1);

/**
 * A UTC instant from 1970 on: an ISO date (2026-11-01, midnight UTC) or date-time with offset (2026-11-01T12:00:00Z).
 * Earlier dates are refused rather than answered with a wrong label (Date.UTC reads years 0–99 as 1900–1999).
 */
const instant = z
  .string({ error: 'an ISO 8601 date or date-time, e.g. 2026-11-01 or 2026-11-01T12:00:00Z' })
  .regex(
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/,
    'an ISO 8601 date or date-time, e.g. 2026-11-01 or 2026-11-01T12:00:00Z',
  )
  .transform((v, ctx) => {
    const ms = Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v);
    const [year, month, day] = v.slice(0, 10).split('-').map(Number) as [number, number, number];
    const calendar = new Date(Date.UTC(year, month - 1, day));
    // Date.parse rolls 2026-02-31 over to March; a date that does not exist is an error, not a guess.
    if (!Number.isFinite(ms) || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) {
      ctx.addIssue({ code: 'custom', message: 'a real calendar date, e.g. 2026-11-01' });
      return z.NEVER;
    }
    if (ms < EARLIEST_INSTANT) {
      ctx.addIssue({ code: 'custom', message: 'a date from 1970-01-01 on' });
      return z.NEVER;
    }
    return ms;
  });

const periodFields = {
  period: oneOf(PERIOD_TYPES).optional(),
  offset: wholeNumber(0, 1000).optional(),
  from: instant.optional(),
  to: instant.optional(),
};

type PeriodFields = { period?: (typeof PERIOD_TYPES)[number]; offset?: number; from?: number; to?: number };

/** period + offset, or from + to; checked together so the error names the parameter to change. */
function toPeriodQuery(v: PeriodFields, ctx: z.RefinementCtx, defaultPeriod: (typeof PERIOD_TYPES)[number]): PeriodQuery {
  if (v.from !== undefined || v.to !== undefined) {
    if (v.period !== undefined || v.offset !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'either period (with offset) or from and to, not both' });
    } else if (v.from === undefined || v.to === undefined) {
      ctx.addIssue({ code: 'custom', path: [v.from === undefined ? 'from' : 'to'], message: 'from and to together' });
    } else if (v.to <= v.from) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'a time after from' });
    } else if (v.to - v.from > MAX_DAYS * DAY_MS) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: `a range of at most ${MAX_DAYS} days` });
    }
    return { type: 'range', from: v.from ?? 0, to: v.to ?? 0 };
  }
  const type = v.period ?? defaultPeriod;
  if (type === 'all_time' && v.offset !== undefined && v.offset !== 0) {
    ctx.addIssue({ code: 'custom', path: ['offset'], message: '0 with period=all_time (there is only one all-time period)' });
  }
  return { type, offset: v.offset ?? 0 };
}

const limit = wholeNumber(1, MAX_LIMIT).default(10);

export const overviewQuery = z.strictObject(periodFields).transform((v, ctx) => ({ period: toPeriodQuery(v, ctx, 'all_time') }));

export const topCreatorsQuery = z
  .strictObject({ ...periodFields, limit, sort: oneOf(CREATOR_SORTS).default('clip_count') })
  .transform((v, ctx) => ({ period: toPeriodQuery(v, ctx, 'all_time'), limit: v.limit, sort: v.sort }));

export const topGamesQuery = z
  .strictObject({ ...periodFields, limit, sort: oneOf(GAME_SORTS).default('clip_count') })
  .transform((v, ctx) => ({ period: toPeriodQuery(v, ctx, 'all_time'), limit: v.limit, sort: v.sort }));

export const viralClipsQuery = z
  .strictObject({
    ...periodFields,
    limit,
    sort: oneOf(VIRAL_SORTS).default('view_count'),
    min_views: wholeNumber(0, 2_000_000_000).default(0),
  })
  .transform((v, ctx) => ({
    period: toPeriodQuery(v, ctx, 'all_time'),
    limit: v.limit,
    sort: v.sort,
    min_views: v.min_views,
  }));

/** A Twitch clip slug (letters, digits, `_` and `-`). */
const clipSlug = z
  .string({ error: 'a Twitch clip id (letters, digits, _ and -, at most 100)' })
  .regex(/^[A-Za-z0-9_-]{1,100}$/, 'a Twitch clip id (letters, digits, _ and -, at most 100)');

export const moodsQuery = z
  .strictObject({ ...periodFields, limit: wholeNumber(1, 25).default(5), clip: clipSlug.optional() })
  .transform((v, ctx) => ({ period: toPeriodQuery(v, ctx, 'all_time'), limit: v.limit, clip: v.clip ?? null }));

export const engagementTimelineQuery = z
  .strictObject({ period: oneOf(TIMELINE_BUCKETS).default('day'), days: wholeNumber(1, MAX_DAYS).default(30) })
  .transform((v) => ({ bucket: v.period, days: v.days }));

export const peakTimesQuery = overviewQuery;

export const streamMomentsQuery = z
  .strictObject({ ...periodFields, limit: wholeNumber(1, 25).default(10) })
  .transform((v, ctx) => ({ period: toPeriodQuery(v, ctx, 'month'), limit: v.limit }));

/** `<changed_at ms>.<change_id>`, as the previous page's next_cursor gave it (analytics/role-changes.ts). */
const roleChangeCursor = z
  .string({ error: 'the next_cursor of the previous page' })
  .regex(/^\d{1,16}\.[0-9A-Za-z-]{1,64}$/, 'the next_cursor of the previous page')
  .transform((v) => {
    const dot = v.indexOf('.');
    return { changedAt: Number(v.slice(0, dot)), changeId: v.slice(dot + 1) };
  });

export const roleChangesQuery = z
  .strictObject({ limit: wholeNumber(1, MAX_LIMIT).default(25), cursor: roleChangeCursor.optional() })
  .transform((v) => ({ limit: v.limit, after: v.cursor ?? null }));

export const compareQuery = z.strictObject({ ...periodFields, span: oneOf(COMPARE_SPANS).optional() }).transform((v, ctx) => {
  if (v.period === 'all_time') {
    ctx.addIssue({
      code: 'custom',
      path: ['period'],
      message: 'one of day, week, month (all time has no previous period to compare with)',
    });
  }
  const { span, ...period } = v;
  return { period: toPeriodQuery(period, ctx, 'week'), span };
});

export const growthOpportunitiesQuery = z
  .strictObject({ ...periodFields, limit: wholeNumber(1, 25).default(5), min_reactions: wholeNumber(0, 1_000_000).default(2) })
  .transform((v, ctx) => ({ period: toPeriodQuery(v, ctx, 'month'), limit: v.limit, min_reactions: v.min_reactions }));

export const CSV_REPORTS = ['top-creators', 'top-games', 'viral-clips', 'timeline'] as const;
export type CsvReport = (typeof CSV_REPORTS)[number];

/** Each report accepts its own endpoint's parameters plus `report`. */
export const exportQueries = {
  'top-creators': topCreatorsQuery,
  'top-games': topGamesQuery,
  'viral-clips': viralClipsQuery,
  timeline: engagementTimelineQuery,
} as const;

export const exportReportQuery = z.object({ report: oneOf(CSV_REPORTS) }, { error: 'a query string' });

/** The PDF report: a calendar period of the guild's timezone, this one (0) or one before it (reports/report.ts). */
export const reportQuery = z.strictObject({
  period: oneOf(REPORT_PERIODS).default('month'),
  offset: wholeNumber(0, MAX_REPORT_OFFSET).default(0),
});

export const emptyQuery = z.strictObject({});

/**
 * Parses a request's query with a schema; throws a 400 listing every problem. A parameter given twice is a
 * problem too: `limit=5&limit=500` must not be read as either.
 */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const issues: ParameterIssue[] = [];
  // No prototype: `input.__proto__ = 'x'` on a plain object would change nothing and drop the parameter silently, so
  // `?__proto__=x` would pass where every other unknown parameter is refused.
  const input: Record<string, unknown> = Object.create(null);
  if (query && typeof query === 'object') {
    for (const [key, value] of Object.entries(query as Record<string, unknown>)) {
      // `guild` names the request's guild; the guard (auth.ts) has checked it before any route parses its query.
      if (key === GUILD_PARAMETER) continue;
      if (Array.isArray(value)) issues.push({ parameter: key, rule: 'given at most once' });
      else input[key] = value;
    }
  }
  if (issues.length > 0) throw invalidParameters(issues);
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw invalidParameters(toParameterIssues(parsed.error, schema));
}

/** Parsed queries remembered per schema, by raw query string; bounded, and only successful parses. */
const parsedQueries = new WeakMap<z.ZodType, Map<string, unknown>>();
const MAX_REMEMBERED_QUERIES = 500;

/**
 * parseQuery for a request, memoised by the raw query string: a dashboard or script asks the same few
 * questions over and over, and validating them again costs more than answering from the cache. The result is
 * shared between requests, so callers must treat it as read-only (they do: it only feeds analytics calls).
 */
export function parseRequestQuery<S extends z.ZodType>(schema: S, request: { raw: { url?: string }; query: unknown }): z.output<S> {
  const url = request.raw.url ?? '';
  const at = url.indexOf('?');
  const raw = at === -1 ? '' : url.slice(at + 1);
  let remembered = parsedQueries.get(schema);
  if (remembered === undefined) {
    remembered = new Map();
    parsedQueries.set(schema, remembered);
  }
  const known = remembered.get(raw);
  if (known !== undefined) return known as z.output<S>;
  const parsed = parseQuery(schema, request.query);
  if (remembered.size >= MAX_REMEMBERED_QUERIES) remembered.clear();
  remembered.set(raw, parsed);
  return parsed;
}

function toParameterIssues(error: z.ZodError, schema: z.ZodType): ParameterIssue[] {
  const allowed = allowedKeys(schema);
  const issues: ParameterIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const rule = allowed.length > 0 ? `a known parameter (${allowed.join(', ')})` : 'no parameters here';
        issues.push({ parameter: key, rule });
      }
    } else {
      issues.push({ parameter: issue.path.map(String).join('.') || '(query)', rule: issue.message });
    }
  }
  return issues;
}

function allowedKeys(schema: z.ZodType): string[] {
  let current: unknown = schema;
  // Unwrap transforms/pipes down to the object schema to list its keys.
  for (let i = 0; i < 5 && current; i++) {
    const def = (current as { def?: { type?: string; in?: unknown; shape?: Record<string, unknown> } }).def;
    if (def?.shape) return Object.keys(def.shape);
    current = def?.in;
  }
  return [];
}
