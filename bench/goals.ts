// The goals of issues #16 (and the SQLite goals they mirror), read off a run's figures: each engine's figure beside
// its floor and a verdict, or why it was not measured (a section not run, or not yet on PostgreSQL).
import type { Engine } from '../src/db/database';
import type { Figure } from './types';

interface Goal {
  label: string;
  /** The product's figure (without the pg. prefix). */
  figure: string;
  /** The floor it is compared with, when the goal is a ratio. */
  floor?: string;
  /** ratio: figure / floor must be ≥ (higher) or ≤ (lower) the bound; absolute: the figure itself. */
  kind: 'ratio-at-least' | 'ratio-at-most' | 'at-most' | 'report';
  bound?: number;
  unit: string;
}

export const GOALS: readonly Goal[] = [
  {
    label: 'capture storage ≥ 0.7× the batched-upsert floor',
    figure: 'capture.storage_events_per_s',
    floor: 'floor.capture_batched_events_per_s',
    kind: 'ratio-at-least',
    bound: 0.7,
    unit: 'events/s',
  },
  {
    label: 'leaderboard (top creators) p99 ≤ 2 ms',
    figure: 'analytics.read_top_creators_p99_ms',
    floor: 'floor.top10_p99_ms',
    kind: 'at-most',
    bound: 2,
    unit: 'ms',
  },
  {
    label: 'moods (mix, creator and game mixes, rankings) all time p99 ≤ 1 ms (at L)',
    figure: 'analytics.read_moods_p99_ms',
    kind: 'at-most',
    bound: 1,
    unit: 'ms',
  },
  {
    label: 'moods this month p99 ≤ 1 ms (at L)',
    figure: 'analytics.read_moods_month_p99_ms',
    kind: 'at-most',
    bound: 1,
    unit: 'ms',
  },
  {
    label: 'stream moments all time p99 (no goal: raw tables)',
    figure: 'analytics.read_stream_moments_p99_ms',
    kind: 'report',
    unit: 'ms',
  },
  {
    label: 'incremental aggregation after 1,000 events ≤ 1 s (at L)',
    figure: 'analytics.incremental_1000_events_s',
    kind: 'at-most',
    bound: 1,
    unit: 's',
  },
  {
    label: 'full aggregation ≤ 1.5× the GROUP BY floor',
    figure: 'analytics.full_aggregation_s',
    floor: 'floor.group_by_s',
    kind: 'ratio-at-most',
    bound: 1.5,
    unit: 's',
  },
  {
    label: 'uncached HTTP top creators ≥ 0.6× a bare node:http server',
    figure: 'http.fastify_vs_bare_uncached',
    kind: 'report',
    unit: '×',
  },
  { label: 'storage per clip', figure: 'db.bytes_per_clip', kind: 'report', unit: 'B/clip' },
  {
    // Against the idle p99 of the same run: on a loaded machine both move together, and the flood must add little.
    label: "another guild's cached p99 while one guild floods uncached ranges ≤ 3× its idle p99",
    figure: 'flood.cached_flooded_p99_ms',
    floor: 'flood.cached_idle_p99_ms',
    kind: 'ratio-at-most',
    bound: 3,
    unit: 'ms',
  },
  {
    label: 'job lease taken and released ≤ 5 ms (one process)',
    figure: 'leases.take_and_release_ms',
    kind: 'at-most',
    bound: 5,
    unit: 'ms',
  },
  {
    // Issue #17: more bot processes must not cost more CPU per event (no contention cost).
    label: 'events per bot CPU-second, 2 processes ≥ 0.85× one process',
    figure: 'cluster.p2_events_per_cpu_s',
    floor: 'cluster.p1_events_per_cpu_s',
    kind: 'ratio-at-least',
    bound: 0.85,
    unit: 'events/CPU-s',
  },
  {
    label: 'events per bot CPU-second, 4 processes ≥ 0.85× one process',
    figure: 'cluster.p4_events_per_cpu_s',
    floor: 'cluster.p1_events_per_cpu_s',
    kind: 'ratio-at-least',
    bound: 0.85,
    unit: 'events/CPU-s',
  },
  { label: 'lock waits while 4 bot processes write (sampled)', figure: 'cluster.p4_lock_wait_ms', kind: 'report', unit: 'ms' },
  {
    label: 'job lease taken and released while 4 bot processes write ≤ 5 ms',
    figure: 'cluster.p4_lease_ms',
    kind: 'at-most',
    bound: 5,
    unit: 'ms',
  },
  { label: 'gateway RSS per 1,000 guilds (bounded caches)', figure: 'cluster.gateway_rss_mb_per_1000_guilds', kind: 'report', unit: 'MB' },
];

/** On SQLite the floors live in the product's own sections, under these names. */
const SQLITE_FLOORS: Record<string, string> = {
  'floor.capture_batched_events_per_s': 'capture.floor_batched_events_per_s',
  'floor.group_by_s': 'analytics.bare_group_by_s',
};

const prefix = (engine: Engine): string => (engine === 'postgres' ? 'pg.' : '');

function format(value: number): string {
  return Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3);
}

/**
 * One line per goal and engine. `notMeasured` maps a section name (the figure's first part) to why it did not run on
 * that engine.
 */
export function goalLines(figures: readonly Figure[], engines: readonly Engine[], notMeasured: Map<string, string>): string[] {
  const byName = new Map(figures.map((f) => [f.name, f]));
  const lines: string[] = [];
  for (const goal of GOALS) {
    const parts: string[] = [];
    for (const engine of engines) {
      const figure = byName.get(`${prefix(engine)}${goal.figure}`);
      // The floor measured beside the figure in the same section (taking turns) when there is one, else the floor section's.
      const beside = goal.floor ? SQLITE_FLOORS[goal.floor] : undefined;
      // A floor named after its own section (not floor.…) is measured beside the figure on each engine.
      const ownSection = goal.floor !== undefined && !goal.floor.startsWith('floor.');
      const floorNames = !goal.floor
        ? []
        : ownSection
          ? [`${prefix(engine)}${goal.floor}`]
          : engine === 'sqlite'
            ? [beside]
            : [beside && `pg.${beside}`, `pg.${goal.floor}`];
      const floor = floorNames.map((name) => (name ? byName.get(name) : undefined)).find((f) => f !== undefined);
      const section = goal.figure.split('.')[0]!;
      if (!figure) {
        parts.push(`${engine}: not measured (${notMeasured.get(`${engine}:${section}`) ?? `the ${section} section did not run`})`);
        continue;
      }
      const besideFloor = floor ? ` beside a floor of ${format(floor.value)} ${floor.unit}` : '';
      let verdict = '';
      if (goal.kind === 'at-most') verdict = figure.value <= goal.bound! ? 'met' : 'MISSED';
      else if (goal.kind !== 'report' && floor) {
        const ratio = figure.value / floor.value;
        const met = goal.kind === 'ratio-at-least' ? ratio >= goal.bound! : ratio <= goal.bound!;
        verdict = `${ratio.toFixed(2)}× the floor, ${met ? 'met' : 'MISSED'}`;
      } else if (goal.kind !== 'report') verdict = 'no floor measured';
      parts.push(`${engine}: ${format(figure.value)} ${figure.unit}${besideFloor}${verdict ? ` (${verdict})` : ''}`);
    }
    lines.push(`- ${goal.label}: ${parts.join('; ')}`);
  }
  return lines;
}
