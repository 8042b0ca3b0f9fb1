// `npm run bench [-- --size S|M|L] [--runs N] [--only a,b] [--seed N] [--rebuild] [--engine sqlite|postgres|both]
// [--postgres URL] [--postgres-template DB]`: builds (or reuses) the synthetic community, runs every section of
// bench/sections.ts in its own process on each engine asked for (on PostgreSQL, in a fresh database holding a copy of
// the community), prints a table and the goals, and writes bench/results/latest.json (and bench/results/<size>.json).
import { execFileSync, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createProgress } from '../src/cli/progress';
import { missingOnPostgres } from '../src/database-engine';
import type { Engine } from '../src/db/database';
import { resolveSize } from '../src/demo/community';
import { buildDataset, cachedDataset, BENCH_END_AT, type DatasetInfo } from './dataset';
import { goalLines } from './goals';
import { single } from './measure';
import {
  DEFAULT_BENCH_POSTGRES_URL,
  freshPostgresDatabase,
  keptPostgresDataset,
  preparePostgresDataset,
  type PostgresDataset,
} from './postgres';
import { SECTIONS } from './sections';
import type { BenchContext, BenchSection, Figure } from './types';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS_DIR = path.join(ROOT, 'bench', 'results');
const SELF = fileURLToPath(import.meta.url);

interface ChildTask {
  kind: 'section' | 'generate';
  section?: string;
  context: Omit<BenchContext, 'log'>;
}

type ChildReply = { ok: true; figures: Figure[]; dataset?: DatasetInfo; peakRssMb: number } | { ok: false; error: string };

interface SectionResult {
  name: string;
  title: string;
  engine: Engine;
  /** Why the section did not run on this engine (not yet on PostgreSQL), or null when it ran. */
  notRun: string | null;
  durationS: number;
  peakRssMb: number | null;
  error: string | null;
}

export interface BenchResults {
  size: string;
  clips: number;
  seed: number;
  date: string;
  git: { commit: string; dirty: boolean };
  engines: Engine[];
  machine: { node: string; cpu: string; cores: number; memoryGb: number; os: string; loadAverageStart: number[]; loadAverageEnd: number[] };
  dataset: Omit<DatasetInfo, 'path'> & { cached: boolean };
  sections: SectionResult[];
  figures: Array<Figure & { size: string; commit: string; node: string; cpu: string; date: string }>;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: 'M' },
      runs: { type: 'string', default: '5' },
      seed: { type: 'string', default: '1' },
      only: { type: 'string' },
      rebuild: { type: 'boolean', default: false },
      engine: { type: 'string', default: 'sqlite' },
      postgres: { type: 'string' },
      'postgres-template': { type: 'string' },
      child: { type: 'string' },
    },
    strict: true,
  });
  if (values.child !== undefined) return runChild();

  const size = values.size.toUpperCase();
  const clips = resolveSize(size);
  const runs = Number(values.runs);
  const seed = Number(values.seed);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a whole number ≥ 1');
  if (!Number.isInteger(seed) || seed < 0) throw new Error('--seed must be a whole number ≥ 0');
  const only = values.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only?.filter((name) => !SECTIONS.some((s) => s.name === name)) ?? [];
  if (unknown.length > 0) throw new Error(`unknown section(s) ${unknown.join(', ')}; known: ${SECTIONS.map((s) => s.name).join(', ')}`);
  const sections = only ? SECTIONS.filter((s) => only.includes(s.name)) : SECTIONS;
  const engines: Engine[] =
    values.engine === 'both' ? ['sqlite', 'postgres'] : values.engine === 'sqlite' || values.engine === 'postgres' ? [values.engine] : [];
  if (engines.length === 0) throw new Error(`--engine must be sqlite, postgres or both (got "${values.engine}")`);
  const postgresServer = values.postgres ?? process.env.BENCH_DATABASE_URL ?? DEFAULT_BENCH_POSTGRES_URL;

  const started = Date.now();
  const loadAverageStart = os.loadavg();
  // The code being measured is the code at the start (a commit made during the run must not be credited).
  const git = gitState();
  const baseContext: Omit<BenchContext, 'log'> = {
    size,
    clips,
    seed,
    endAt: BENCH_END_AT,
    databasePath: '',
    runs,
    workDir: '',
  };

  // The dataset: reuse a build by the same code, or generate it in a child (its time and RSS are figures too).
  let dataset = values.rebuild ? null : cachedDataset(size, seed);
  const cached = dataset !== null;
  if (!dataset) {
    log(`generating the ${size} community (${clips.toLocaleString('en-US')} clips) …`);
    const reply = await inChild({ kind: 'generate', context: baseContext });
    if (!reply.ok || !reply.dataset) throw new Error(`generating the dataset failed: ${reply.ok ? 'no dataset' : reply.error}`);
    dataset = reply.dataset;
  } else {
    log(`reusing ${path.relative(ROOT, dataset.path)} (built ${dataset.generatedAt} by the same code)`);
  }
  const generationNote = cached ? `measured when the cached dataset was built (${dataset.generatedAt})` : 'measured in this run';
  const figures: Figure[] = [
    single('generate.duration_s', dataset.durationMs / 1000, 's', {
      better: 'lower',
      note: `${dataset.summary.writes.toLocaleString('en-US')} product writes, ${dataset.jobs} worker process(es); ${generationNote}`,
    }),
    single('generate.clips_per_s', dataset.clips / (dataset.durationMs / 1000), 'clips/s', { better: 'higher', note: generationNote }),
    single('generate.peak_rss_mb', dataset.peakRssMb, 'MiB', { better: 'lower', note: generationNote }),
  ];

  const sectionResults: SectionResult[] = [];
  // PostgreSQL: the community copied once into a template database, cloned for each section that runs there.
  let postgresDataset: PostgresDataset | null = null;
  if (engines.includes('postgres') && sections.some((s) => postgresRefusal(s) === null)) {
    const kept = values['postgres-template'];
    postgresDataset = kept
      ? await keptPostgresDataset(postgresServer, kept, dataset.clips, log)
      : await preparePostgresDataset(postgresServer, dataset.path, log);
    if (!kept)
      figures.push(
        tagged(
          single('copy.dataset_s', postgresDataset.copySeconds, 's', {
            better: 'lower',
            note: `clipscope copy of the community into PostgreSQL (${postgresDataset.rows.toLocaleString('en-US')} rows), verified`,
          }),
          'postgres',
        ),
      );
  }
  try {
    for (const section of sections) {
      for (const engine of engines) {
        if (engine === 'sqlite' && section.sqlite === false) continue;
        const label = `${section.name}${engines.length > 1 ? ` (${engine})` : ''}`;
        const refusal = engine === 'postgres' ? postgresRefusal(section) : null;
        if (refusal !== null) {
          log(`${label}: not run on PostgreSQL: ${refusal}`);
          sectionResults.push({
            name: section.name,
            title: section.title,
            engine,
            notRun: refusal,
            durationS: 0,
            peakRssMb: null,
            error: null,
          });
          continue;
        }
        sectionResults.push(await runSection(section, engine, label, baseContext, dataset.path, postgresServer, postgresDataset, figures));
      }
    }
  } finally {
    await postgresDataset?.drop();
  }

  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown';
  const date = new Date().toISOString();
  const { path: _ignored, ...datasetInfo } = dataset;
  const results: BenchResults = {
    size,
    clips,
    seed,
    date,
    git,
    engines,
    machine: {
      node: process.version,
      cpu,
      cores: os.cpus().length,
      memoryGb: Math.round(os.totalmem() / 1e9),
      os: `${os.type()} ${os.release()}`,
      loadAverageStart,
      loadAverageEnd: os.loadavg(),
    },
    dataset: { ...datasetInfo, cached },
    sections: sectionResults,
    figures: figures.map((f) => ({ ...f, size, commit: git.commit, node: process.version, cpu, date })),
  };
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const json = `${JSON.stringify(results, null, 2)}\n`;
  writeAtomically(path.join(RESULTS_DIR, 'latest.json'), json);
  writeAtomically(path.join(RESULTS_DIR, `${size}.json`), json);
  process.stdout.write(`\n${formatTable(results)}\n\n${formatGoals(results)}\n`);
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s; wrote bench/results/latest.json and bench/results/${size}.json`);
  if (loadAverageStart[0]! > os.cpus().length * 0.5) {
    log(
      `note: the machine was busy (load average ${loadAverageStart[0]!.toFixed(1)} on ${os.cpus().length} cores); figures are noisier than usual`,
    );
  }
  if (sectionResults.some((s) => s.error !== null)) process.exitCode = 1;
}

/** Why `section` cannot run on PostgreSQL yet, or null when it can. */
function postgresRefusal(section: BenchSection): string | null {
  if (!section.postgres) return 'no PostgreSQL variant of this section';
  const missing = missingOnPostgres(section.postgres.needs);
  if (missing.length > 0) return `needs ${missing.join('; ')}, not yet on PostgreSQL on main`;
  if (!section.postgres.run) return 'its PostgreSQL variant is not written yet';
  return null;
}

/** A figure measured on `engine`: PostgreSQL's are named pg.… so both engines sit side by side in one table. */
function tagged(figure: Figure, engine: Engine): Figure {
  return engine === 'postgres' ? { ...figure, name: `pg.${figure.name}`, engine } : { ...figure, engine };
}

/** Runs one section on one engine in its own process (on PostgreSQL, in a fresh clone of the dataset). */
async function runSection(
  section: BenchSection,
  engine: Engine,
  label: string,
  baseContext: Omit<BenchContext, 'log'>,
  datasetPath: string,
  postgresServer: string,
  postgresDataset: PostgresDataset | null,
  figures: Figure[],
): Promise<SectionResult> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `clipscope-bench-${section.name}-`));
  log(`${label}: ${section.title}`);
  const database = engine === 'postgres' ? await freshPostgresDatabase(postgresServer, postgresDataset!.template, section.name) : null;
  const t0 = performance.now();
  try {
    const reply = await inChild({
      kind: 'section',
      section: section.name,
      context: { ...baseContext, databasePath: datasetPath, workDir, engine, ...(database ? { postgresUrl: database.url } : {}) },
    });
    const durationS = (performance.now() - t0) / 1000;
    const result = { name: section.name, title: section.title, engine, notRun: null, durationS };
    if (!reply.ok) {
      log(`${label} FAILED: ${reply.error}`);
      return { ...result, peakRssMb: null, error: reply.error };
    }
    const sectionFigures = [
      ...reply.figures.map((f) => tagged(f, engine)),
      tagged(
        single(`${section.name}.peak_rss_mb`, reply.peakRssMb, 'MiB', { better: 'lower', note: 'peak RSS of the section process' }),
        engine,
      ),
    ];
    figures.push(...sectionFigures);
    // Each section's figures as it ends: a long run stopped later (or a later section failing) keeps what it measured.
    for (const f of sectionFigures) log(`${label}: ${f.name} = ${formatNumber(f.value)} ${f.unit}`);
    return { ...result, peakRssMb: reply.peakRssMb, error: null };
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
    await database?.drop();
  }
}

/** The goals of issue #16 per engine, and the sections that did not run on an engine with the reason. */
export function formatGoals(results: BenchResults): string {
  const notRun = results.sections.filter((s) => s.notRun !== null);
  const reasons = new Map(notRun.map((s) => [`${s.engine}:${s.name}`, s.notRun!]));
  const lines = ['Goals:', ...goalLines(results.figures, results.engines, reasons)];
  if (notRun.length > 0) {
    lines.push('', 'Not run:');
    for (const s of notRun) lines.push(`- ${s.name} on ${s.engine === 'postgres' ? 'PostgreSQL' : 'SQLite'}: ${s.notRun}`);
  }
  return lines.join('\n');
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** Runs a section (or the dataset build) in a fresh Node process, so its memory is its own. */
function inChild(task: ChildTask): Promise<ChildReply> {
  return new Promise((resolve) => {
    const child = fork(SELF, ['--child', task.kind], { execArgv: process.execArgv, stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
    let reply: ChildReply | null = null;
    child.on('message', (message) => {
      reply = message as ChildReply;
    });
    child.once('spawn', () => child.send(task));
    child.on('exit', (code, signal) => {
      resolve(reply ?? { ok: false, error: `child process exited with ${signal ?? `code ${code}`} before reporting` });
    });
  });
}

function runChild(): Promise<void> {
  return new Promise((resolve) => {
    process.once('message', (message) => {
      const task = message as ChildTask;
      void (async () => {
        let reply: ChildReply;
        try {
          const ctx: BenchContext = { ...task.context, log: (m) => log(`  ${task.section ?? task.kind}: ${m}`) };
          if (task.kind === 'generate') {
            const progress = createProgress({ label: '[bench] generating', total: ctx.clips, unit: 'clips' });
            const dataset = await buildDataset(ctx.size, ctx.clips, ctx.seed, (done, total) => progress.update(done, total));
            progress.finish();
            reply = { ok: true, figures: [], dataset, peakRssMb: dataset.peakRssMb };
          } else {
            const section = SECTIONS.find((s) => s.name === task.section);
            if (!section) throw new Error(`no section ${task.section}`);
            const run = ctx.engine === 'postgres' ? section.postgres?.run : section.run;
            if (!run) throw new Error(`the ${section.name} section has no ${ctx.engine} run`);
            const figures = await run(ctx);
            reply = { ok: true, figures, peakRssMb: process.resourceUsage().maxRSS / 1024 };
          }
        } catch (error) {
          reply = { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
        }
        process.send?.(reply, () => {
          process.disconnect?.();
          resolve();
        });
      })();
    });
  });
}

function gitState(): { commit: string; dirty: boolean } {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return { commit, dirty };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** A plain-text table (also valid Markdown) of every figure. */
export function formatTable(results: BenchResults): string {
  const header = ['Figure', 'Median', 'Min', 'Max', 'Unit', 'Runs'];
  const rows = results.figures.map((f) => [
    f.name,
    formatNumber(f.value),
    formatNumber(f.min),
    formatNumber(f.max),
    f.unit,
    String(f.runs),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const title = `Clipscope benchmark — size ${results.size} (${results.clips.toLocaleString('en-US')} clips), ${results.date.slice(0, 16)}Z, commit ${results.git.commit}${results.git.dirty ? '+dirty' : ''}, Node ${results.machine.node}, ${results.machine.cpu} × ${results.machine.cores}`;
  return [
    title,
    '',
    line(header),
    `|${widths.map((w, i) => (i === 0 || i === 4 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(2);
}

const isEntryPoint = process.argv[1] !== undefined && path.resolve(process.argv[1]) === SELF;
if (isEntryPoint) {
  main().catch((error: unknown) => {
    log(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
