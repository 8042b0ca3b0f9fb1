// Builds a large synthetic community on several cores: each worker process writes a share of the guilds into its
// own database through the product's code (guilds are independent), then the parts are copied into one file.
// The result has the same content (and content hash) as a single-process build.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { closeDatabase, openDatabase } from '../db/client';
import { resolveCommunity } from './community';
import { generateCommunity, type GenerateOptions, type GenerateSummary } from './generator';
import { mergeDatabaseParts } from '../db/bulk';

export interface ParallelBuildOptions extends Omit<GenerateOptions, 'onlyGuilds' | 'bulk'> {
  /** The database file to create (must not exist). */
  path: string;
  /** Worker processes. */
  jobs: number;
}

/** Tables the generator writes, copied from each part in order; surrogate ids are renumbered. */
const MERGED_TABLES = [
  'guild_settings',
  'clips',
  'shares',
  'reactions',
  'reaction_baselines',
  'clip_view_history',
  'dirty_hours',
  'engagement_changes',
];

type WorkerMessage =
  | { type: 'progress'; done: number }
  | { type: 'done'; summary: GenerateSummary; peakRssMb: number }
  | { type: 'error'; message: string };

export interface ParallelBuildSummary extends GenerateSummary {
  /** The largest peak RSS of the worker processes. */
  workerPeakRssMb: number;
}

/** Splits guilds between workers, largest first onto the least loaded, so they finish together. */
export function planParts(guildSizes: readonly number[], jobs: number): number[][] {
  const parts = Array.from({ length: Math.max(1, Math.min(jobs, guildSizes.length)) }, () => ({ load: 0, guilds: [] as number[] }));
  const order = guildSizes.map((size, index) => ({ size, index })).sort((a, b) => b.size - a.size || a.index - b.index);
  for (const { size, index } of order) {
    const target = parts.reduce((best, part) => (part.load < best.load ? part : best));
    target.guilds.push(index);
    target.load += size;
  }
  return parts.map((p) => p.guilds.sort((a, b) => a - b)).filter((g) => g.length > 0);
}

export async function buildCommunityInParallel(options: ParallelBuildOptions): Promise<ParallelBuildSummary> {
  const started = performance.now();
  if (fs.existsSync(options.path)) throw new Error(`${options.path} already exists`);
  const resolved = resolveCommunity(options);
  const plan = planParts(resolved.guildSizes, options.jobs);
  const partPaths = plan.map((_, i) => `${options.path}.part${i}`);
  const done = plan.map(() => 0);
  const total = resolved.clips;
  options.onProgress?.(0, total);
  try {
    const summaries = await Promise.all(
      plan.map((guilds, i) =>
        runWorker(
          partPaths[i] as string,
          { clips: options.clips, seed: options.seed, endAt: options.endAt, guilds: options.guilds, onlyGuilds: guilds },
          (n) => {
            done[i] = n;
            options.onProgress?.(
              done.reduce((a, b) => a + b, 0),
              total,
            );
          },
        ),
      ),
    );
    const db = openDatabase({ path: options.path });
    try {
      mergeDatabaseParts(db, partPaths, MERGED_TABLES);
    } finally {
      closeDatabase(db);
    }
    const summary = summaries
      .map((s) => s.summary)
      .reduce((sum, s) => {
        for (const key of Object.keys(sum) as Array<keyof GenerateSummary>) sum[key] += s[key];
        return sum;
      });
    summary.durationMs = performance.now() - started;
    return { ...summary, workerPeakRssMb: Math.max(...summaries.map((s) => s.peakRssMb)) };
  } finally {
    for (const part of partPaths) for (const f of [part, `${part}-wal`, `${part}-shm`]) fs.rmSync(f, { force: true });
  }
}

function runWorker(
  partPath: string,
  options: Omit<GenerateOptions, 'onProgress'>,
  onProgress: (done: number) => void,
): Promise<{ summary: GenerateSummary; peakRssMb: number }> {
  for (const f of [partPath, `${partPath}-wal`, `${partPath}-shm`]) fs.rmSync(f, { force: true });
  return new Promise((resolve, reject) => {
    const worker = fork(fileURLToPath(new URL('./build-worker.ts', import.meta.url)), [], {
      // The worker runs TypeScript through tsx, wherever the command was started from.
      execArgv: ['--import', import.meta.resolve('tsx')],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: { summary: GenerateSummary; peakRssMb: number } | null = null;
    let failure: string | null = null;
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') onProgress(message.done);
      else if (message.type === 'done') result = { summary: message.summary, peakRssMb: message.peakRssMb };
      else failure = message.message;
    });
    worker.once('spawn', () => worker.send({ path: partPath, options }));
    worker.on('error', reject);
    worker.on('exit', (code, signal) => {
      if (result) resolve(result);
      else reject(new Error(`building ${partPath} failed: ${failure ?? `worker exited with ${signal ?? `code ${code}`}`}`));
    });
  });
}

/** The worker's side: build the given guilds into the given file, reporting progress. */
export function runBuildWorker(): void {
  process.once('message', (message: { path: string; options: Omit<GenerateOptions, 'onProgress'> }) => {
    let reply: WorkerMessage;
    try {
      const db = openDatabase({ path: message.path });
      try {
        let last = 0;
        const parent = process.ppid;
        const summary = generateCommunity(db, {
          ...message.options,
          bulk: true,
          onProgress: (done) => {
            // The build is synchronous, so a disconnect event would never run: notice a dead parent here instead.
            if (process.ppid !== parent) throw new Error('the parent process exited; stopping this build worker');
            const now = Date.now();
            if (now - last > 200) {
              last = now;
              process.send?.({ type: 'progress', done } satisfies WorkerMessage);
            }
          },
        });
        process.send?.({ type: 'progress', done: summary.clips } satisfies WorkerMessage);
        reply = { type: 'done', summary, peakRssMb: process.resourceUsage().maxRSS / 1024 };
      } finally {
        closeDatabase(db);
      }
    } catch (error) {
      reply = { type: 'error', message: error instanceof Error ? error.message : String(error) };
    }
    process.send?.(reply, () => process.disconnect?.());
  });
}
