// The contract between the benchmark harness (bench/run.ts) and its sections.

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
  log(message: string): void;
}

export interface BenchSection {
  /** Short name, also the prefix of its figures and the value of `--only`. */
  name: string;
  /** What the section measures, one line. */
  title: string;
  run(ctx: BenchContext): Promise<Figure[]>;
}
