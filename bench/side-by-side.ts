// `node --import tsx bench/side-by-side.ts --before DIR [--after DIR] [--size S] [--only a,b] [--rounds 3] [--runs 5]
// [--timeout-minutes 90]`:
// runs the bench of another checkout (DIR, e.g. a worktree of main before a change) and this one's (or --after's)
// alternately, before, after, before, after …, on SQLite, and prints one table of the figures both have: median over
// the rounds of each side's medians, the change and a verdict. Alternation is what makes the comparison fair on a
// shared, loaded machine.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { summarise } from './measure';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** A figure more than this much worse than before is a regression (issue #15). */
const TOLERANCE = 0.1;
/**
 * One bench run of one side, by default: an S run takes minutes. An L analytics run of the code before #15 took more
 * than 82 minutes on a quiet machine, so give L runs more with --timeout-minutes.
 */
const DEFAULT_RUN_TIMEOUT_MINUTES = 90;

/** Figures renamed between the two benches: before-name → after-name (none so far; add here when one is). */
const RENAMED: Readonly<Record<string, string>> = {};

const argsSchema = z.object({
  before: z.string().min(1, '--before (the other checkout) is required'),
  /** The checkout measured as "after"; this one by default (another, e.g. the commit a change landed at). */
  after: z.string().min(1, '--after must name a checkout').optional(),
  size: z.string().regex(/^(S|M|L|\d+)$/i, '--size must be S, M, L or a clip count'),
  only: z.string().optional(),
  rounds: z.coerce.number().int('--rounds must be a whole number').min(1, '--rounds must be ≥ 1').max(20, '--rounds must be ≤ 20'),
  runs: z.coerce.number().int('--runs must be a whole number').min(1, '--runs must be ≥ 1').max(50, '--runs must be ≤ 50'),
  timeoutMinutes: z.coerce
    .number()
    .int('--timeout-minutes must be a whole number')
    .min(1, '--timeout-minutes must be ≥ 1')
    .max(24 * 60, '--timeout-minutes must be ≤ 1440'),
  out: z.string().optional(),
});

const resultsSchema = z.object({
  git: z.object({ commit: z.string(), dirty: z.boolean() }),
  machine: z.object({ loadAverageStart: z.array(z.number()), loadAverageEnd: z.array(z.number()) }),
  sections: z.array(z.object({ name: z.string(), error: z.string().nullable() })),
  figures: z.array(
    z.object({
      name: z.string(),
      value: z.number(),
      unit: z.string(),
      runs: z.number(),
      better: z.enum(['higher', 'lower']).optional(),
    }),
  ),
});
type Results = z.infer<typeof resultsSchema>;

type Side = 'before' | 'after';
interface Sample {
  value: number;
  unit: string;
  runs: number;
  better?: 'higher' | 'lower';
}
interface Run {
  side: Side;
  round: number;
  commit: string;
  durationS: number;
  loadAverage: [number, number];
  /** Every figure of the run, those only one side has too (the table shows the shared ones). */
  figures: Results['figures'];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      before: { type: 'string' },
      after: { type: 'string' },
      size: { type: 'string', default: 'S' },
      only: { type: 'string' },
      rounds: { type: 'string', default: '3' },
      runs: { type: 'string', default: '5' },
      'timeout-minutes': { type: 'string', default: String(DEFAULT_RUN_TIMEOUT_MINUTES) },
      out: { type: 'string' },
    },
    strict: true,
  });
  const parsed = argsSchema.safeParse({ ...values, timeoutMinutes: values['timeout-minutes'] });
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${String(i.path[0] ?? '')}: ${i.message}`).join('; '));
  const args = parsed.data;
  const dirs: Record<Side, string> = { before: path.resolve(args.before), after: args.after ? path.resolve(args.after) : ROOT };
  if (!fs.existsSync(path.join(dirs.before, 'bench', 'run.ts'))) throw new Error(`--before: ${dirs.before} has no bench/run.ts`);
  const size = args.size.toUpperCase();

  const samples: Record<Side, Map<string, Sample[]>> = { before: new Map(), after: new Map() };
  const runs: Run[] = [];
  let rows: Row[] = [];
  for (let round = 1; round <= args.rounds; round++) {
    for (const side of ['before', 'after'] as const) {
      log(`round ${round}/${args.rounds}: ${side} (${dirs[side]})`);
      const t0 = performance.now();
      const results = await benchOnce(dirs[side], size, args.only, args.runs, args.timeoutMinutes * 60_000);
      const failed = results.sections.filter((s) => s.error !== null);
      if (failed.length > 0) throw new Error(`${side}: section(s) ${failed.map((s) => s.name).join(', ')} failed`);
      runs.push({
        side,
        round,
        commit: results.git.commit + (results.git.dirty ? '+dirty' : ''),
        durationS: (performance.now() - t0) / 1000,
        loadAverage: [results.machine.loadAverageStart[0] ?? 0, results.machine.loadAverageEnd[0] ?? 0],
        figures: results.figures,
      });
      for (const f of results.figures) {
        const name = side === 'before' ? (RENAMED[f.name] ?? f.name) : f.name;
        const list = samples[side].get(name) ?? [];
        list.push({ value: f.value, unit: f.unit, runs: f.runs, ...(f.better ? { better: f.better } : {}) });
        samples[side].set(name, list);
      }
    }
    // Written after every round, so a run cut short (a deadline, a loaded machine) still leaves its table.
    rows = report(args, size, samples, runs, round);
  }

  if (rows.some((r) => r.verdict.startsWith('WORSE'))) process.exitCode = 2;
}

function report(
  args: z.infer<typeof argsSchema>,
  size: string,
  samples: Record<Side, Map<string, Sample[]>>,
  runs: Run[],
  round: number,
): Row[] {
  const rows = compare(samples);
  const title = `Side by side, size ${size}${args.only ? ` (${args.only})` : ''}, SQLite, ${round} of ${args.rounds} rounds × ${args.runs} runs, before ${runs.find((r) => r.side === 'before')?.commit} vs after ${runs.find((r) => r.side === 'after')?.commit}`;
  const loads = runs.map((r) => `${r.side[0]}${r.round} ${r.loadAverage[0].toFixed(1)}→${r.loadAverage[1].toFixed(1)}`).join(', ');
  const onlyBefore = [...samples.before.keys()].filter((n) => !samples.after.has(n));
  const onlyAfter = [...samples.after.keys()].filter((n) => !samples.before.has(n));
  const text = [
    title,
    `load average (1 min) at start→end of each run: ${loads} (${os.cpus().length} cores)`,
    '',
    formatTable(rows),
    '',
    `Only before: ${onlyBefore.join(', ') || '—'}`,
    `Only after: ${onlyAfter.join(', ') || '—'}`,
  ].join('\n');
  process.stdout.write(`${text}\n`);
  const out =
    args.out ?? path.join(ROOT, 'bench', 'results', `side-by-side-${size}${args.only ? `-${args.only.replaceAll(',', '-')}` : ''}.json`);
  fs.writeFileSync(
    out,
    `${JSON.stringify({ size, only: args.only ?? null, rounds: args.rounds, runsPerFigure: args.runs, runs, rows }, null, 2)}\n`,
  );
  fs.writeFileSync(out.replace(/\.json$/, '.md'), `${text}\n`);
  log(`wrote ${path.relative(ROOT, out)} and its .md`);
  return rows;
}

interface Row {
  name: string;
  unit: string;
  before: number;
  after: number;
  changePct: number;
  verdict: string;
  beforeValues: number[];
  afterValues: number[];
}

function compare(samples: Record<Side, Map<string, Sample[]>>): Row[] {
  const rows: Row[] = [];
  for (const [name, after] of samples.after) {
    const before = samples.before.get(name);
    if (!before) continue;
    const b = summarise(before.map((s) => s.value)).median;
    const a = summarise(after.map((s) => s.value)).median;
    const changePct = b === 0 ? (a === 0 ? 0 : Number.POSITIVE_INFINITY) : ((a - b) / Math.abs(b)) * 100;
    const better = after[0]?.better ?? before[0]?.better;
    // The dataset is built once per checkout and cached, so generate.* is one measurement whatever the rounds.
    const once = name.startsWith('generate.');
    rows.push({
      name,
      unit: after[0]?.unit ?? '',
      before: b,
      after: a,
      changePct,
      verdict: verdict(changePct, better) + (once ? ' (one build, cached)' : ''),
      beforeValues: before.map((s) => s.value),
      afterValues: after.map((s) => s.value),
    });
  }
  return rows;
}

function verdict(changePct: number, better: 'higher' | 'lower' | undefined): string {
  if (better === undefined) return 'informational';
  const worsePct = better === 'higher' ? -changePct : changePct;
  if (worsePct > TOLERANCE * 100) return `WORSE (${worsePct.toFixed(1)} %)`;
  if (worsePct < 0) return 'better';
  return 'ok (≤ 10 % worse)';
}

/** Runs `npm run bench` of one checkout and returns its results, leaving its committed results files as they were. */
async function benchOnce(dir: string, size: string, only: string | undefined, runs: number, timeoutMs: number): Promise<Results> {
  const resultsDir = path.join(dir, 'bench', 'results');
  const kept = new Map<string, string | null>();
  for (const file of [`${size}.json`, 'latest.json']) {
    const full = path.join(resultsDir, file);
    kept.set(full, fs.existsSync(full) ? fs.readFileSync(full, 'utf8') : null);
  }
  try {
    const argv = ['--import', 'tsx', 'bench/run.ts', '--size', size, '--runs', String(runs), ...(only ? ['--only', only] : [])];
    await new Promise<void>((resolve, reject) => {
      // Its own process group, so a timeout stops the section children too (a killed run.ts alone left them running).
      const child = spawn(process.execPath, argv, { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], detached: true });
      const stopGroup = (): void => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
        } catch {
          child.kill('SIGTERM');
        }
      };
      // Out of the terminal's process group, the run no longer gets Ctrl-C by itself: pass it on.
      const onSignal = (): void => {
        stopGroup();
        process.exit(130);
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        stopGroup();
      }, timeoutMs);
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
        if (code === 0) resolve();
        else if (timedOut) reject(new Error(`bench in ${dir} stopped at its ${timeoutMs / 60_000}-minute limit (--timeout-minutes)`));
        else reject(new Error(`bench in ${dir} exited with ${signal ?? `code ${code}`}`));
      });
    });
    return resultsSchema.parse(JSON.parse(fs.readFileSync(path.join(resultsDir, `${size}.json`), 'utf8')));
  } finally {
    for (const [file, text] of kept) {
      if (text === null) fs.rmSync(file, { force: true });
      else fs.writeFileSync(file, text);
    }
  }
}

function formatTable(rows: Row[]): string {
  const header = ['Figure', 'Before (median)', 'After (median)', 'Unit', 'Change', 'Verdict'];
  const cells = rows.map((r) => [
    r.name,
    formatNumber(r.before),
    formatNumber(r.after),
    r.unit,
    `${r.changePct >= 0 ? '+' : ''}${r.changePct.toFixed(1)} %`,
    r.verdict,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const left = (i: number): boolean => i === 0 || i === 3 || i === 5;
  const line = (c: string[]): string => `| ${c.map((x, i) => (left(i) ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (left(i) ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...cells.map(line)].join('\n');
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

function log(message: string): void {
  process.stderr.write(`[side-by-side] ${message}\n`);
}

main().catch((error: unknown) => {
  log(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
