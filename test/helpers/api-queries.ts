// The query strings worth walking on each analytics API endpoint (every period, every report), shared by the route
// sweeps (test/reliability/http-abuse.test.ts, test/reliability/secrets.test.ts). A new endpoint that takes a period
// is walked with every period without a row here; one with other parameters adds its row to QUERIES.
const PERIODS = ['day', 'week', 'month', 'all_time'] as const;
/** Periods that a rolling timeline or a comparison takes (no all_time). */
const STEPS = ['day', 'week', 'month'] as const;

const everyPeriod = (extra = ''): string[] => PERIODS.map((p) => `period=${p}${extra}`);

/** Endpoint name (the path after /analytics/api/) → its query strings; an endpoint not listed gets everyPeriod(). */
const QUERIES: Record<string, readonly string[]> = {
  // The live stream is walked by each sweep on its own (it never ends).
  events: [],
  status: [''],
  'linked-accounts': [''],
  // No period: the guild's role rules and changes, one page and then the most a page holds.
  'role-changes': ['', 'limit=100'],
  // The PDF report covers a calendar period (day, week or month), never all time; one render is enough to sweep.
  report: ['period=month'],
  'export.csv': [
    ...['top-creators', 'top-games', 'viral-clips'].flatMap((report) => everyPeriod(`&limit=100`).map((q) => `report=${report}&${q}`)),
    ...STEPS.map((p) => `report=timeline&period=${p}&days=3660`),
  ],
  'engagement-timeline': STEPS.map((p) => `period=${p}&days=3660`),
  compare: STEPS.map((p) => `period=${p}`),
  'top-creators': everyPeriod('&limit=100'),
  'top-games': everyPeriod('&limit=100'),
  'viral-clips': everyPeriod('&limit=100'),
};

/** The query strings to walk `apiPath` (`/analytics/api/<name>`) with; [] for the live stream. */
export function apiQueries(apiPath: string): readonly string[] {
  const name = apiPath.replace('/analytics/api/', '');
  return QUERIES[name] ?? everyPeriod();
}
