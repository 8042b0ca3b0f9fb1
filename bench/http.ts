// HTTP benchmark: requests/second and p99 latency of GET /analytics/api/top-creators through the real fastify
// server (auth, rate limits, validation, cache) with the answer cache on and off, beside a bare node:http server
// doing the same read (topCreators in one read transaction → JSON bytes) with and without a Map cache, all in the
// same run and on the same data. Each load also records the server process's CPU time per request: on a shared
// machine autocannon itself can be the bottleneck, and CPU per request says what a CPU-bound server would reach.
//
// The servers run in a child process and autocannon in this one, so the load generator does not share the
// servers' event loop. Run alone: node --import tsx bench/http.ts --database PATH [--duration 10] [--connections 50]
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { aggregateAll } from '../src/analytics/aggregate';
import { topCreators } from '../src/analytics/top-creators';
import { systemClock } from '../src/clock';
import { closeDb, databaseTarget, openDb } from '../src/db/open';
import { queries } from '../src/db/sql';
import { createHttpServer } from '../src/http/server';
import { httpServices } from '../src/http/services';
import { createApiToken } from '../src/auth/tokens';
import { silentLogger } from '../src/logger';
import { figure as benchFigure, ratio, summarise } from './measure';
import type { BenchContext, BenchSection, Figure } from './types';
import fs from 'node:fs';
import path from 'node:path';

export interface HttpBenchOptions {
  /**
   * A generated community database (e.g. `clipscope generate --size L --out bench/.data/L.db`), or a postgres:// URL
   * of a copy of one (`--engine postgres`).
   */
  databasePath: string;
  connections?: number;
  /** Seconds of measurement per server, after a warm-up of a fifth of that. */
  durationSec?: number;
  /** Measured loads per server (each after the server's warm-up); the figures are their medians. */
  runs?: number;
  onLine?: (line: string) => void;
}

export interface HttpBenchFigure {
  name: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  /** Answers by status code per load, as autocannon counts them (what the non-2xx were). */
  statuses?: string;
  errors: number;
  /** Server process CPU time (user + system) per answered request, in µs: steadier than req/s on a shared machine. */
  cpuUsPerRequest: number;
  /** Each measured load's req/s, p99 (ms) and server CPU µs/request; the figure's values are their medians. */
  samples: { requestsPerSecond: number[]; p99Ms: number[]; cpuUsPerRequest: number[] };
}

export interface HttpBenchResult {
  guildId: string;
  guildClips: number;
  connections: number;
  durationSec: number;
  figures: HttpBenchFigure[];
  /** fastify ÷ bare req/s, for the uncached and the cached pair. */
  ratios: { uncached: number; cached: number };
  /** bare ÷ fastify server CPU per request (the same ratio measured by CPU time instead of wall-clock throughput). */
  cpuRatios: { uncached: number; cached: number };
}

interface ServeMessage {
  ports: { fastifyCached: number; fastifyUncached: number; bareCached: number; bareUncached: number };
  token: string;
  guildId: string;
  guildClips: number;
}

const PATH = '/analytics/api/top-creators?period=all_time&limit=10&sort=clip_count';

/**
 * Child side: opens the database (a SQLite file, or a PostgreSQL URL with a pool of 10 that the four servers share),
 * brings the summaries up to date, and starts the four servers.
 */
async function serve(databasePath: string): Promise<void> {
  const target = databaseTarget(
    { DATABASE_PATH: databasePath, DATABASE_POOL_SIZE: 10, DATABASE_STATEMENT_TIMEOUT_MS: 30_000, DATABASE_ACQUIRE_TIMEOUT_MS: 30_000 },
    databasePath,
  );
  const db = await openDb(target, { applicationName: 'clipscope-bench-http' });
  await aggregateAll(db, { clock: systemClock });
  const largest = await queries(db).get<{ guild_id: string; n: number }>(
    'SELECT guild_id, count(*) AS n FROM clips GROUP BY guild_id ORDER BY n DESC LIMIT 1',
  );
  if (!largest) throw new Error(`${databasePath} has no clips; generate a community first`);
  const token = (await createApiToken(db, { guildId: largest.guild_id, name: 'http benchmark' }, systemClock.now())).token;
  const timezone =
    (await queries(db).get<{ timezone: string }>('SELECT timezone FROM guild_settings WHERE guild_id = ?', [largest.guild_id]))?.timezone ??
    'UTC';

  const fastify = async (cacheSeconds: number): Promise<number> => {
    const server = await createHttpServer({
      ...httpServices(db),
      clock: systemClock,
      logger: silentLogger(),
      options: {
        corsOrigins: [],
        // The limits stay on (their cost is part of the product); high enough that the load never trips them
        // (a cached L run answers ~400,000 requests a minute, and a 429 would be a cheaper answer than the real one).
        rateLimitPerMinute: 1_000_000_000,
        rateLimitPerIpPerMinute: 1_000_000_000,
        // The per-token query-time budget likewise (its queue, one uncached answer at a time per token, stays): on
        // PostgreSQL the uncached load spends more than the default 20 s a minute and would be measured as 429s. Its
        // queue bound too: the load's connections all use one token, and on PostgreSQL more than 64 of its uncached
        // answers can be waiting at once.
        querySecondsPerMinute: 1_000_000,
        maxQueuedQueries: 1_000_000,
        cacheSeconds,
        changeCheckMs: 1000,
        trustProxy: false,
      },
    });
    const url = await server.listen('127.0.0.1', 0);
    return Number(new URL(url).port);
  };

  // The same read as the API's: one analytics call in one read transaction, serialised.
  const read = (): Promise<string> =>
    db.transaction(
      async (tx) =>
        JSON.stringify(
          await topCreators(
            tx,
            { guildId: largest.guild_id, timezone, now: Date.now() },
            { period: { type: 'all_time' }, limit: 10, sort: 'clip_count' },
          ),
        ),
      { readOnly: true },
    );
  const bare = (cached: boolean): Promise<number> => {
    const cache = new Map<string, Buffer>();
    const server = http.createServer((req, res) => {
      if (!req.url?.startsWith('/analytics/api/top-creators')) {
        res.writeHead(404).end();
        return;
      }
      const url = req.url;
      const send = (body: Buffer): void => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body);
      };
      const body = cached ? cache.get(url) : undefined;
      if (body !== undefined) return send(body);
      // Stored as bytes, as the API's cache does.
      read().then(
        (text) => {
          const bytes = Buffer.from(text, 'utf8');
          if (cached) cache.set(url, bytes);
          send(bytes);
        },
        () => res.writeHead(500).end(),
      );
    });
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  };

  const message: ServeMessage = {
    ports: {
      fastifyCached: await fastify(60),
      fastifyUncached: await fastify(0),
      bareCached: await bare(true),
      bareUncached: await bare(false),
    },
    token,
    guildId: largest.guild_id,
    guildClips: Number(largest.n),
  };
  process.send?.(message);
  // The servers share this process, and only the one under load is busy: CPU time per load is that server's.
  process.on('message', (m) => {
    if (m === 'cpu') process.send?.({ cpu: process.cpuUsage() });
  });
  process.on('disconnect', () => {
    void closeDb(db).finally(() => process.exit(0));
  });
}

function load(url: string, token: string, connections: number, duration: number): Promise<autocannon.Result> {
  return autocannon({ url, connections, duration, headers: { authorization: `Bearer ${token}` } });
}

export async function benchHttp(options: HttpBenchOptions): Promise<HttpBenchResult> {
  const connections = options.connections ?? 50;
  const durationSec = options.durationSec ?? 10;
  const say = options.onLine ?? ((line: string) => process.stdout.write(`${line}\n`));
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--serve', options.databasePath], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const ready = await new Promise<ServeMessage>((resolve, reject) => {
      child.once('message', (m) => resolve(m as ServeMessage));
      child.once('exit', (code) => reject(new Error(`benchmark server exited early (code ${code})`)));
    });
    const runs: Array<[string, number]> = [
      ['bare node:http, uncached', ready.ports.bareUncached],
      ['fastify API, uncached', ready.ports.fastifyUncached],
      ['bare node:http, cached', ready.ports.bareCached],
      ['fastify API, cached', ready.ports.fastifyCached],
    ];
    const figures: HttpBenchFigure[] = [];
    const measuredRuns = options.runs ?? 1;
    const median = (values: number[]): number => {
      const sorted = [...values].sort((a, b) => a - b);
      const mid = sorted.length >> 1;
      return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
    };
    const serverCpu = (): Promise<NodeJS.CpuUsage> =>
      new Promise((resolve) => {
        const onMessage = (m: unknown) => {
          if (typeof m !== 'object' || m === null || !('cpu' in m)) return;
          child.off('message', onMessage);
          resolve((m as { cpu: NodeJS.CpuUsage }).cpu);
        };
        child.on('message', onMessage);
        child.send('cpu');
      });
    for (const [name, port] of runs) {
      const url = `http://127.0.0.1:${port}${PATH}`;
      await load(url, ready.token, connections, Math.max(1, Math.round(durationSec / 5)));
      const results: autocannon.Result[] = [];
      const cpuPerRequest: number[] = [];
      for (let run = 0; run < measuredRuns; run++) {
        const before = await serverCpu();
        const result = await load(url, ready.token, connections, durationSec);
        const after = await serverCpu();
        results.push(result);
        cpuPerRequest.push((after.user - before.user + after.system - before.system) / Math.max(1, result.requests.total));
      }
      const samples = {
        requestsPerSecond: results.map((r) => r.requests.average),
        p99Ms: results.map((r) => r.latency.p99),
        cpuUsPerRequest: cpuPerRequest,
      };
      const figure: HttpBenchFigure = {
        name,
        requestsPerSecond: Math.round(median(samples.requestsPerSecond)),
        p50Ms: median(results.map((r) => r.latency.p50)),
        p99Ms: median(samples.p99Ms),
        cpuUsPerRequest: median(samples.cpuUsPerRequest),
        non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
        errors: results.reduce((sum, r) => sum + r.errors, 0),
        statuses: results.map((r) => JSON.stringify(r.statusCodeStats)).join(' '),
        samples,
      };
      figures.push(figure);
      say(
        `${name.padEnd(26)} ${String(figure.requestsPerSecond).padStart(7)} req/s   p50 ${figure.p50Ms} ms   p99 ${figure.p99Ms} ms   server CPU ${figure.cpuUsPerRequest.toFixed(1)} µs/request${figure.non2xx || figure.errors ? `   (${figure.non2xx} non-2xx, ${figure.errors} errors)` : ''}`,
      );
    }
    const rps = (name: string): number => figures.find((f) => f.name === name)?.requestsPerSecond ?? 0;
    const ratios = {
      uncached: rps('fastify API, uncached') / Math.max(1, rps('bare node:http, uncached')),
      cached: rps('fastify API, cached') / Math.max(1, rps('bare node:http, cached')),
    };
    const cpu = (name: string): number => figures.find((f) => f.name === name)?.cpuUsPerRequest ?? 0;
    const cpuRatios = {
      uncached: cpu('bare node:http, uncached') / Math.max(1e-9, cpu('fastify API, uncached')),
      cached: cpu('bare node:http, cached') / Math.max(1e-9, cpu('fastify API, cached')),
    };
    say(
      `fastify ÷ bare: uncached ${ratios.uncached.toFixed(2)}×, cached ${ratios.cached.toFixed(2)}× by req/s; by server CPU per request ${cpuRatios.uncached.toFixed(2)}× and ${cpuRatios.cached.toFixed(2)}× (guild of ${ready.guildClips} clips, ${connections} connections, ${os.cpus().length} CPUs, load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')})`,
    );
    return { guildId: ready.guildId, guildClips: ready.guildClips, connections, durationSec, figures, ratios, cpuRatios };
  } finally {
    child.disconnect?.();
    child.kill();
  }
}

/** Seconds per measured load, by dataset size (the whole section makes 4 servers × (runs + a warm-up) loads). */
const HTTP_DURATION_S: Record<string, number> = { S: 2, M: 5, L: 10 };

/**
 * The harness section: the four servers on a copy of the dataset (the server process aggregates and adds a token); on
 * PostgreSQL, on the section's fresh clone, the bare server doing the same PostgreSQL read.
 */
export const httpSection: BenchSection = {
  name: 'http',
  title: 'HTTP: top-creators req/s and p99, fastify vs bare node:http, cached and uncached (autocannon, 50 connections)',
  async run(ctx) {
    const copy = path.join(ctx.workDir, 'http.db');
    fs.copyFileSync(ctx.databasePath, copy);
    return httpFigures(ctx, copy);
  },
  postgres: {
    needs: ['reads', 'dataVersion', 'aggregation'],
    run: (ctx) => {
      if (!ctx.postgresUrl) throw new Error('the PostgreSQL run needs ctx.postgresUrl');
      return httpFigures(ctx, ctx.postgresUrl);
    },
  },
};

async function httpFigures(ctx: BenchContext, database: string): Promise<Figure[]> {
  const durationSec = HTTP_DURATION_S[ctx.size] ?? 5;
  const result = await benchHttp({ databasePath: database, durationSec, runs: ctx.runs, onLine: (line) => ctx.log(line) });
  const byName = new Map(result.figures.map((f) => [f.name, f]));
  const figures: Figure[] = [];
  const keys: Array<[string, string]> = [
    ['bare node:http, uncached', 'bare_uncached'],
    ['fastify API, uncached', 'fastify_uncached'],
    ['bare node:http, cached', 'bare_cached'],
    ['fastify API, cached', 'fastify_cached'],
  ];
  const rps = new Map<string, Figure>();
  const cpu = new Map<string, Figure>();
  for (const [name, key] of keys) {
    const f = byName.get(name);
    if (!f) throw new Error(`no result for ${name}`);
    if (f.non2xx > 0 || f.errors > 0)
      throw new Error(`${name}: ${f.non2xx} non-2xx answers and ${f.errors} errors (by status: ${f.statuses})`);
    const note = `GET top-creators (all time, top 10) for the largest guild (${result.guildClips.toLocaleString('en-US')} clips); ${result.connections} connections, ${durationSec} s per load, load generator on the same machine`;
    const r = benchFigure(`http.${key}_req_per_s`, summarise(f.samples.requestsPerSecond), 'req/s', {
      better: 'higher',
      note: `${name}; ${note}`,
    });
    rps.set(key, r);
    const c = benchFigure(`http.${key}_cpu_us_per_request`, summarise(f.samples.cpuUsPerRequest), 'µs', {
      better: 'lower',
      note: `${name}; server process CPU time (user + system) per answered request, steadier than req/s on a shared machine`,
    });
    cpu.set(key, c);
    figures.push(
      r,
      benchFigure(`http.${key}_p99_ms`, summarise(f.samples.p99Ms), 'ms', { better: 'lower', note: `${name}; goal ≤ 10 ms` }),
      c,
    );
  }
  figures.push(
    ratio(
      'http.fastify_vs_bare_uncached',
      rps.get('fastify_uncached')!,
      rps.get('bare_uncached')!,
      'fastify / bare node:http req/s, uncached; goal ≥ 0.6×',
    ),
    ratio(
      'http.fastify_vs_bare_cached',
      rps.get('fastify_cached')!,
      rps.get('bare_cached')!,
      'fastify / bare node:http req/s, cached; goal ≥ 0.5×',
    ),
    ratio(
      'http.fastify_vs_bare_uncached_by_cpu',
      cpu.get('bare_uncached')!,
      cpu.get('fastify_uncached')!,
      'bare / fastify server CPU per request, uncached (the req/s ratio a CPU-bound server would reach); goal ≥ 0.6×',
    ),
    ratio(
      'http.fastify_vs_bare_cached_by_cpu',
      cpu.get('bare_cached')!,
      cpu.get('fastify_cached')!,
      'bare / fastify server CPU per request, cached; goal ≥ 0.5×',
    ),
  );
  return figures;
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const { values } = parseArgs({
    options: {
      serve: { type: 'string' },
      database: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      runs: { type: 'string' },
    },
  });
  if (values.serve) {
    serve(values.serve).catch((error: unknown) => {
      process.stderr.write(`benchmark server failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
  } else if (!values.database) {
    process.stderr.write(
      'usage: node --import tsx bench/http.ts --database PATH [--duration 10] [--connections 50]\n  (make one with: npx clipscope generate --size M --out bench/.data/M.db)\n',
    );
    process.exit(2);
  } else {
    benchHttp({
      databasePath: values.database,
      durationSec: values.duration ? Number(values.duration) : undefined,
      runs: values.runs ? Number(values.runs) : undefined,
      connections: values.connections ? Number(values.connections) : undefined,
    }).catch((error: unknown) => {
      process.stderr.write(`http benchmark failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
  }
}
