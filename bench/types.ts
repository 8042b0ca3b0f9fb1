// The contract between the benchmark harness (bench/run.ts) and its sections.
import type { PostgresPart } from '../src/database-engine';
import type { Engine } from '../src/db/database';

/** One measured figure. `value` is the median of the runs; min and max bound them. */
export interface Figure {
  /** Dotted name, section first: `capture.storage_events_per_s`. */
  name: string;
  value: number;
  unit: string;
  min: number;
  max: number;
  /** Measured runs (after the warm-up); 1 for a single deterministic measurement. */
  runs: number;
  /** Which direction is better, for reading the table. */
  better?: 'higher' | 'lower';
  /** Anything a reader needs to interpret the figure (what it excludes, what it is compared with). */
  note?: string;
  /** The engine it was measured on (set by the harness; figures measured on PostgreSQL are named pg.…). */
  engine?: Engine;
}

/** What every section gets: the dataset to work on and how many runs to make. */
export interface BenchContext {
  /** S, M, L or a clip count. */
  size: string;
  clips: number;
  seed: number;
  /** End of the dataset's two-year window (epoch ms); use it as "now" for period queries. */
  endAt: number;
  /** The generated community database. Sections must not modify it: copy it to workDir first. */
  databasePath: string;
  /** Measured runs per figure (≥ 5 by default); each section does one warm-up run first. */
  runs: number;
  /** A scratch folder for this section, removed afterwards. */
  workDir: string;
  /** The engine this run measures (default sqlite). */
  engine?: Engine;
  /**
   * On PostgreSQL: a fresh database on the benchmark server holding a copy of the dataset (cloned from a template for
   * this section, dropped afterwards). Sections may modify it.
   */
  postgresUrl?: string;
  log(message: string): void;
}

export interface BenchSection {
  /** Short name, also the prefix of its figures and the value of `--only`. */
  name: string;
  /** What the section measures, one line. */
  title: string;
  /** The run on SQLite (ctx.databasePath). */
  run(ctx: BenchContext): Promise<Figure[]>;
  /** false for a section that measures PostgreSQL only (its floors); default true. */
  sqlite?: boolean;
  /** How the section runs on PostgreSQL; absent: it does not yet, and `--engine postgres` says so. */
  postgres?: PostgresSupport;
}

export interface PostgresSupport {
  /**
   * The parts of Clipscope whose stores the PostgreSQL run uses (src/database-engine.ts): while one is not yet on
   * PostgreSQL, the harness says so instead of running the section.
   */
  needs: readonly PostgresPart[];
  /** The run on ctx.postgresUrl; absent while the section's PostgreSQL variant is not written. */
  run?(ctx: BenchContext): Promise<Figure[]>;
}
