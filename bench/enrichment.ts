// Enrichment throughput: clips enriched per minute through the real Twurple client against the fake Helix with
// a Twitch-like token bucket (800 points per window, refilled continuously, Ratelimit-Reset = when it is full
// again), compared with the theoretical 100 clips × 800 calls per window, and a check that no clip is lost. The
// fake's bucket level is sampled through the run and logged: without our pacer (`--no-pacing`) it shows Twurple's
// limiter letting the bucket refill for a whole minute after it read Ratelimit-Remaining 0, then a burst.
// Run alone: `node --import tsx bench/enrichment.ts [--window-ms 60000] [--windows 3] [--concurrency 8]
// [--guilds 1] [--no-pacing]`. The fake serves from a worker thread, as Twitch's servers would
// not share the client's CPU; the bucket starts empty, so the budget bound is exactly 800 calls per window elapsed.
//
// Honest time compression: with --window-ms below 60 000 the bucket refills 800 points per that window instead
// of per minute, and the fake sends Ratelimit-Reset with millisecond decimals (Twitch sends whole seconds) so that
// Twurple's limiter can wait precisely. Rates are then reported per *budget window* ("per simulated minute").
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { ManualClock } from '../src/clock';
import { closeDatabase, openDatabase } from '../src/db/client';
import { silentLogger } from '../src/logger';
import { createTwitchApi } from '../src/twitch/client';
import { enrichPending } from '../src/twitch/enrich';
import { useFakeHelixPort } from '../test/fakes/helix';
import { BUCKET_SAMPLE_MS, benchClipId, type FakeHelixWorkerData, type WorkerReply, type WorkerRequest } from './enrichment-data';
import { figure, single, summarise } from './measure';
import type { BenchSection, Figure } from './types';

export interface EnrichmentBenchOptions {
  /** Budget windows worth of clips to enqueue (clips = windows × 80 000). */
  windows?: number;
  /** Length of the 800-point budget window in ms (60 000 = Twitch's real minute). */
  windowMs?: number;
  points?: number;
  /** Get Clips calls in flight at once. */
  concurrency?: number;
  /** Guilds sharing each clip (each clip is still fetched once). */
  guildsPerClip?: number;
  /** false: Twurple's limiter alone, without our pacing (to compare). */
  pacing?: boolean;
  log?: (message: string) => void;
}

export interface EnrichmentBenchResult {
  clips: number;
  windowMs: number;
  points: number;
  elapsedMs: number;
  /** Clips enriched per budget window (per minute when windowMs = 60 000). */
  clipsPerWindow: number;
  /** 100 clips per call × 800 calls per window. */
  theoreticalClipsPerWindow: number;
  /** End-to-end rate over theoretical; includes the first wait for a full bucket and a final part-used window. */
  ratio: number;
  /**
   * Share of the rate-limit budget used: Get Clips calls made from the empty bucket to the last call, over the most
   * any client could have made in that time (the refill: points × time / window).
   */
  budgetUse: number | null;
  /** budgetUse × 80 000: the clips per window the queue was enriched at, up to its last call. */
  sustainedClipsPerWindow: number | null;
  getClipsCalls: number;
  getGamesCalls: number;
  rateLimited429: number;
  clipsLost: number;
  /**
   * Share of the run the client's thread was busy (event-loop utilisation). Near 1 means the client, not the
   * rate limit, set the pace: on a machine shared with other work it waits for CPU.
   */
  clientBusy: number;
  /** The machine's 1-minute load average at the end, to read the figures by. */
  loadAverage: number;
  /** CPU time of this process (client thread, fake's thread included) over the enrichment, in ms. */
  cpuMs: number;
  /**
   * Seconds the fake's bucket sat full during the run: refill that no client could spend any more (Twitch caps the
   * bucket). A client that spends points as they refill keeps this near 0 once its queue is longer than a bucket.
   */
  secondsBucketFull: number;
  /** Seconds the bucket sat below one point (calls then get 429 or wait in Twurple's limiter). */
  secondsBucketEmpty: number;
}

/** Starts the fake Helix in a worker thread and returns a way to talk to it. */
async function startFakeHelixWorker(data: FakeHelixWorkerData): Promise<{
  ready: Extract<WorkerReply, { type: 'ready' }>;
  ask<T extends WorkerReply['type']>(request: WorkerRequest, answer: T): Promise<Extract<WorkerReply, { type: T }>>;
}> {
  // Workers do not inherit tsx's loader for their entry file: register it first, as bin/clipscope.js does.
  const entry = new URL('./fake-helix-worker.ts', import.meta.url).href;
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
  const worker = new Worker(bootstrap, { eval: true, workerData: data });
  const replies: WorkerReply[] = [];
  const waiters: (() => void)[] = [];
  worker.on('message', (reply: WorkerReply) => {
    replies.push(reply);
    for (const wake of waiters.splice(0)) wake();
  });
  const errored = new Promise<never>((_, reject) => worker.once('error', reject));
  const next = async <T extends WorkerReply['type']>(type: T): Promise<Extract<WorkerReply, { type: T }>> => {
    for (;;) {
      const index = replies.findIndex((r) => r.type === type);
      if (index >= 0) return replies.splice(index, 1)[0] as Extract<WorkerReply, { type: T }>;
      await Promise.race([new Promise<void>((resolve) => waiters.push(resolve)), errored]);
    }
  };
  const ready = await next('ready');
  return {
    ready,
    async ask(request, answer) {
      worker.postMessage(request);
      return next(answer);
    },
  };
}

export async function measureEnrichment(options: EnrichmentBenchOptions = {}): Promise<EnrichmentBenchResult> {
  const windows = options.windows ?? 3;
  const windowMs = options.windowMs ?? 60_000;
  const points = options.points ?? 800;
  const clips = Math.round(windows * points * 100);
  const guildsPerClip = options.guildsPerClip ?? 1;
  const log = options.log ?? (() => undefined);
  const created = Date.UTC(2024, 0, 1);

  // The bucket starts empty; the fake serves Twitch's side from its own thread.
  log(`starting the fake Helix with ${clips.toLocaleString('en-US')} clips`);
  const fake = await startFakeHelixWorker({ points, windowMs, clips, games: 40, createdFrom: created });
  const restoreEnv = useFakeHelixPort(fake.ready.port);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-bench-enrich-'));
  const db = openDatabase({ path: path.join(dir, 'bench.db') });
  try {
    log(`enqueueing ${clips.toLocaleString('en-US')} clips (${guildsPerClip} guild(s) each)`);
    db.$client.transaction(() => {
      const insertClip = db.$client.prepare(
        'INSERT INTO clips (guild_id, clip_id, url, first_seen_at, last_updated_at, discord_shares) VALUES (?, ?, ?, ?, ?, 1)',
      );
      const insertShare = db.$client.prepare(
        `INSERT INTO shares (guild_id, channel_id, message_id, clip_id, author_id, author_name, posted_at)
         VALUES (?, 'c', ?, ?, 'u', 'user', ?)`,
      );
      for (let i = 0; i < clips; i++) {
        const id = benchClipId(i);
        for (let g = 0; g < guildsPerClip; g++) {
          insertClip.run(`guild${g}`, id, `https://clips.twitch.tv/${id}`, created, created);
          insertShare.run(`guild${g}`, `m${g}-${i}`, id, created + i * 1000 + 60_000);
        }
      }
    })();

    // The production client; only the pacer's window follows a compressed benchmark window (Twitch's is a minute).
    const twitch = createTwitchApi({
      clientId: fake.ready.clientId,
      clientSecret: fake.ready.clientSecret,
      logger: silentLogger(),
      pacing: options.pacing === false ? false : { points, windowMs },
    });
    const clock = new ManualClock(Date.UTC(2024, 6, 1));
    // Setup took a while and the bucket refilled meanwhile: empty it so the run starts from an empty budget.
    const drained = await fake.ask({ type: 'drain' }, 'drained');
    log(`enriching with an ${points}-point bucket per ${windowMs} ms window (starts empty)`);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const eluBefore = performance.eventLoopUtilization();
    let lastLog = started;
    const summary = await enrichPending(
      { db, clock, logger: silentLogger(), twitch, maxAttempts: 8 },
      {
        concurrency: options.concurrency ?? 8,
        onProgress: (p) => {
          if (performance.now() - lastLog > 10_000) {
            lastLog = performance.now();
            log(`  ${p.processed.toLocaleString('en-US')} / ${p.total.toLocaleString('en-US')} clips`);
          }
        },
      },
    );
    const elapsedMs = performance.now() - started;
    const clientBusy = performance.eventLoopUtilization(eluBefore).utilization;
    const cpu = process.cpuUsage(cpuBefore);
    const done = db.$client
      .prepare<[], { n: number }>("SELECT count(DISTINCT clip_id) AS n FROM clips WHERE enrichment_state = 'done'")
      .get()!.n;
    const report = await fake.ask({ type: 'report' }, 'report');
    const finishedAt = drained.at + elapsedMs;
    const levels = report.bucketLevels.filter(([at]) => at <= finishedAt);
    const sampleSeconds = BUCKET_SAMPLE_MS / 1000;
    const secondsBucketFull = levels.filter(([, level]) => level >= points - 1).length * sampleSeconds;
    const secondsBucketEmpty = levels.filter(([, level]) => level < 1).length * sampleSeconds;
    const every = Math.max(1, Math.round(5000 / BUCKET_SAMPLE_MS));
    log(
      `bucket level every ${(every * BUCKET_SAMPLE_MS) / 1000} s: ` +
        levels
          .filter((_, i) => i % every === 0)
          .map(([, level]) => Math.floor(level))
          .join(' '),
    );
    const clipsPerWindow = (done / elapsedMs) * windowMs;
    const theoreticalClipsPerWindow = points * 100;
    // Budget use: the bucket was empty at `drained.at`, so by the last call no client could have made more than
    // the refill of that time, points × elapsed / window (the bucket's capacity only lowers that bound).
    const times = [...report.clipsServedAt].sort((a, b) => a - b);
    let budgetUse: number | null = null;
    if (times.length > 0) {
      const possible = (points * (times[times.length - 1]! - drained.at)) / windowMs;
      budgetUse = times.length / possible;
    }
    return {
      clips,
      windowMs,
      points,
      elapsedMs,
      clipsPerWindow,
      theoreticalClipsPerWindow,
      ratio: clipsPerWindow / theoreticalClipsPerWindow,
      budgetUse,
      sustainedClipsPerWindow: budgetUse === null ? null : budgetUse * theoreticalClipsPerWindow,
      getClipsCalls: times.length,
      getGamesCalls: report.gamesServed,
      rateLimited429: report.rateLimited,
      clipsLost: clips - done + summary.failed,
      clientBusy,
      loadAverage: os.loadavg()[0]!,
      cpuMs: (cpu.user + cpu.system) / 1000,
      secondsBucketFull,
      secondsBucketEmpty,
    };
  } finally {
    closeDatabase(db);
    fs.rmSync(dir, { recursive: true, force: true });
    await fake.ask({ type: 'stop' }, 'stopped');
    restoreEnv();
  }
}

/** One figure in the shape of bench/types.ts's Figure (measured once: min = max = value). */
export interface EnrichmentFigure {
  name: string;
  value: number;
  unit: string;
  min: number;
  max: number;
  runs: number;
  better: 'higher' | 'lower';
  note: string;
}

/** The result as the benchmark table's figures. */
export function enrichmentFigures(result: EnrichmentBenchResult): EnrichmentFigure[] {
  const per = result.windowMs === 60_000 ? 'minute' : `simulated minute (${result.windowMs / 1000} s budget window)`;
  const once = (name: string, value: number, unit: string, better: 'higher' | 'lower', note: string): EnrichmentFigure => ({
    name,
    value,
    unit,
    min: value,
    max: value,
    runs: 1,
    better,
    note,
  });
  const context = `${result.clips} clips, client thread busy ${(result.clientBusy * 100).toFixed(0)}%, load average ${result.loadAverage.toFixed(1)}`;
  const figures = [
    once(
      'enrichment.clips_per_minute',
      Math.round(result.sustainedClipsPerWindow ?? result.clipsPerWindow),
      'clips/min',
      'higher',
      `per ${per}; ${context}`,
    ),
    once(
      'enrichment.ratio_to_theoretical',
      result.budgetUse ?? result.ratio,
      '×',
      'higher',
      'Get Clips calls made / most the 800-per-minute budget allowed from an empty bucket (100 clips per call: 80,000/min)',
    ),
    once('enrichment.clips_lost', result.clipsLost, 'clips', 'lower', 'clips not enriched at the end (must be 0)'),
  ];
  return figures;
}

/**
 * Clips per run by dataset size, in budget windows of Twitch's real minute (1 = 80,000 clips, about a minute from an
 * empty bucket). The budget, not the machine, is meant to bind; smaller sizes make shorter runs, nothing is compressed.
 */
const ENRICHMENT_WINDOWS: Record<string, number> = { S: 0.25, M: 0.5, L: 1 };

/** The harness section: from an empty bucket to an empty queue, `runs` times after a warm-up. */
export const enrichmentSection: BenchSection = {
  name: 'enrichment',
  title: 'Enrichment: clips/minute through Twurple against a loopback fake Helix with an 800/minute budget',
  async run(ctx) {
    const windowMs = 60_000;
    const windows = ENRICHMENT_WINDOWS[ctx.size] ?? 1;
    const results: EnrichmentBenchResult[] = [];
    for (let run = -1; run < ctx.runs; run++) {
      const result = await measureEnrichment({ windows, windowMs, log: (m) => ctx.log(m) });
      if (result.clipsLost !== 0) throw new Error(`run ${run + 1}: ${result.clipsLost} clips lost`);
      if (run >= 0) results.push(result);
    }
    const per = `per minute (800 points per real minute), ${(windows * 80_000).toLocaleString('en-US')} clips per run`;
    const sustained = results.map((r) => r.sustainedClipsPerWindow).filter((v): v is number => v !== null);
    const figures: Figure[] = [];
    if (sustained.length === results.length) {
      const f = figure('enrichment.clips_per_min', summarise(sustained), 'clips/min', {
        better: 'higher',
        note: `${per}: Get Clips calls made / calls the budget allowed since the bucket was empty, × 100 clips`,
      });
      figures.push(f, {
        ...figure('enrichment.ratio_to_80000', summarise(sustained.map((v) => v / 80_000)), '×', {
          better: 'higher',
          note: 'clips/min ÷ the theoretical 80,000 (100 clips × 800 calls)',
        }),
      });
    }
    figures.push(
      figure('enrichment.clips_per_min_end_to_end', summarise(results.map((r) => r.clipsPerWindow)), 'clips/min', {
        better: 'higher',
        note: `${per}; from an empty bucket to an empty queue, including the first wait for tokens and the final part-used window`,
      }),
      single(
        'enrichment.clips_lost',
        results.reduce((sum, r) => sum + r.clipsLost, 0),
        'clips',
        { better: 'lower', note: `over all ${results.length} runs; must be 0` },
      ),
      single(
        'enrichment.rate_limited_429',
        results.reduce((sum, r) => sum + r.rateLimited429, 0),
        'answers',
        { better: 'lower', note: `429s from the fake Helix over all ${results.length} runs` },
      ),
      figure('enrichment.bucket_full_s', summarise(results.map((r) => r.secondsBucketFull)), 's', {
        better: 'lower',
        note: "seconds per run the fake's bucket sat full (refill lost: Twitch caps the bucket); 0 when points are spent as they refill",
      }),
      figure('enrichment.cpu_ms_per_1000_clips', summarise(results.map((r) => (r.cpuMs / r.clips) * 1000)), 'ms', {
        better: 'lower',
        note: "CPU time of the bench process (client and the fake's thread) per 1,000 clips enriched; the budget, not the CPU, sets the pace",
      }),
    );
    return figures;
  },
};

const isMain = process.argv[1] !== undefined && /bench[\\/]enrichment\.ts$/.test(process.argv[1]);
if (isMain) {
  const arg = (name: string): number | undefined => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : undefined;
  };
  measureEnrichment({
    windowMs: arg('--window-ms'),
    windows: arg('--windows'),
    concurrency: arg('--concurrency'),
    guildsPerClip: arg('--guilds'),
    pacing: !process.argv.includes('--no-pacing'),
    log: (m) => process.stderr.write(`${m}\n`),
  }).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      for (const f of enrichmentFigures(result)) process.stdout.write(`${f.name}: ${f.value} ${f.unit} (${f.note})\n`);
      if (result.clipsLost !== 0) process.exitCode = 1;
    },
    (error: unknown) => {
      process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
