// Flood benchmark (issue #24): one guild's cached answer latency (p50/p99 of GET /overview?period=week) while the
// server is idle, and again while another guild floods it with uncached explicit-range questions (compare,
// growth-opportunities, top-creators, overview; `from` moved by a millisecond each time, so none is ever cached).
// The flooding guild's answered and refused (429) requests are counted too.
//
// The server (the real fastify server over the database, as the HTTP worker builds it: read workers on SQLite) runs in
// a child process and the load in this one. In `npm run bench` as the `flood` section (on SQLite with read workers and
// without, side by side; on PostgreSQL as it runs there), or alone:
//   node --import tsx bench/flood.ts --database PATH|URL [--duration 10] [--connections 10] [--flooders 30] [--read-workers 2]
// (make a database with: npx clipscope generate --size S --out /tmp/S.db)
import fs from 'node:fs';
import path from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { createAnalytics } from '../src/analytics/service';
import { createApiToken } from '../src/auth/tokens';
import { systemClock } from '../src/clock';
import { closeDb, databaseTarget, openDb, type DatabaseTarget } from '../src/db/open';
import { startReadPool } from '../src/http/read-pool';
import { createHttpServer } from '../src/http/server';
import { httpServices } from '../src/http/services';
import { silentLogger } from '../src/logger';
import { figure, summarise } from './measure';
import type { BenchContext, BenchSection, Figure } from './types';

const targetOf = (database: string): DatabaseTarget =>
  databaseTarget(
    { DATABASE_PATH: database, DATABASE_POOL_SIZE: 10, DATABASE_STATEMENT_TIMEOUT_MS: 30_000, DATABASE_ACQUIRE_TIMEOUT_MS: 10_000 },
    database,
  );

async function serve(database: string, readWorkers: number): Promise<void> {
  const target = targetOf(database);
  const db = await openDb(target, { migrate: false, poolSize: 5 });
  // As the HTTP worker does: read workers on SQLite only.
  const pool =
    target.engine === 'sqlite' && readWorkers > 0
      ? startReadPool({ database: target, workers: readWorkers, timeoutMs: 15_000, maxWaiting: 1_000, logger: silentLogger() })
      : null;
  if (pool) await pool.analytics.largestGuild(); // the workers are up before the load starts
  const server = await createHttpServer({
    ...httpServices(db),
    reads: pool?.analytics ?? null,
    clock: systemClock,
    logger: silentLogger(),
    options: {
      corsOrigins: [],
      // Far above the load: this measures query time, not the request-count limits.
      rateLimitPerMinute: 10_000_000,
      rateLimitPerIpPerMinute: 10_000_000,
      cacheSeconds: 600,
      changeCheckMs: 1000,
      trustProxy: false,
    },
  });
  // The delay of the thread that serves cached answers: what a cached answer waits for before it is even looked at.
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  process.on('message', (message: { type: string }) => {
    if (message.type === 'delay-reset') delay.reset();
    if (message.type === 'delay-read') process.send?.({ type: 'delay', p99Ms: delay.percentile(99) / 1e6, maxMs: delay.max / 1e6 });
  });
  process.send?.({ type: 'url', url: await server.listen('127.0.0.1', 0) });
  void closeDb; // the process is killed when the measurement ends
}

interface LoopDelay {
  p99Ms: number;
  maxMs: number;
}

/** The server's event-loop delay since the last reset, read over IPC. */
function readDelay(child: ChildProcess): Promise<LoopDelay> {
  return new Promise((resolve) => {
    const onMessage = (m: { type: string } & LoopDelay) => {
      if (m.type !== 'delay') return;
      child.off('message', onMessage);
      resolve({ p99Ms: m.p99Ms, maxMs: m.maxMs });
    };
    child.on('message', onMessage);
    child.send({ type: 'delay-read' });
  });
}

interface Latency {
  /** null when not one request was answered during the measurement (the server never got to them). */
  p50Ms: number | null;
  p99Ms: number | null;
  requestsPerSecond: number;
  answered: number;
  non2xx: number;
}

async function measureCached(url: string, token: string, connections: number, duration: number): Promise<Latency> {
  const result = await autocannon({ url, connections, duration, headers: { authorization: `Bearer ${token}` } });
  const answered = result['2xx'];
  return {
    // autocannon reports 0 ms when nothing was answered; that is a stall, not a fast answer.
    p50Ms: answered > 0 ? result.latency.p50 : null,
    p99Ms: answered > 0 ? result.latency.p99 : null,
    requestsPerSecond: Math.round(result.requests.average),
    answered,
    non2xx: result.non2xx,
  };
}

/** Explicit ranges of about three months ending at the data's end, each `from` a millisecond later than the last. */
function floodUrl(base: string, n: number, endAt: number): string {
  const paths = ['compare', 'growth-opportunities', 'top-creators', 'overview'];
  const from = new Date(endAt - 90 * 86_400_000 + n).toISOString();
  const to = new Date(endAt).toISOString();
  return `${base}/analytics/api/${paths[n % paths.length]}?from=${from}&to=${to}`;
}

/** `flooders` loops asking uncached questions until stop(); counts answers by status. */
function flood(base: string, token: string, flooders: number, endAt: number) {
  let stopped = false;
  let n = 0;
  const statuses = new Map<number, number>();
  const loops = Array.from({ length: flooders }, async () => {
    while (!stopped) {
      const response = await fetch(floodUrl(base, n++, endAt), { headers: { authorization: `Bearer ${token}` } });
      await response.arrayBuffer();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      // A refused client backs off briefly, as a script honouring 429 would (without it this measures a busy loop).
      if (response.status === 429) await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  return {
    statuses,
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

export interface FloodOptions {
  /** A SQLite file or a postgres:// URL of a generated community; tokens are added to it. */
  databasePath: string;
  durationSec: number;
  connections: number;
  flooders: number;
  /** Read workers on SQLite (the product's HTTP_READ_WORKERS); 0 = answers computed on the HTTP thread. */
  readWorkers?: number;
}

export async function benchFlood(options: FloodOptions) {
  const db = await openDb(targetOf(options.databasePath), { migrate: false, poolSize: 2 });
  let victim: string;
  let flooder: string;
  let victimToken: string;
  let flooderToken: string;
  let endAt: number;
  try {
    const guilds = await createAnalytics(db).guilds();
    if (guilds.length < 2) throw new Error(`${options.databasePath} holds fewer than two guilds`);
    [flooder, victim] = [guilds[0]!.guildId, guilds[1]!.guildId];
    flooderToken = (await createApiToken(db, { guildId: flooder, name: 'bench flood' }, Date.now())).token;
    victimToken = (await createApiToken(db, { guildId: victim, name: 'bench victim' }, Date.now())).token;
    endAt = Date.now();
  } finally {
    await closeDb(db);
  }
  const child = fork(
    fileURLToPath(import.meta.url),
    ['--serve', options.databasePath, '--read-workers', String(options.readWorkers ?? 2)],
    {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  try {
    const { url } = await new Promise<{ url: string }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { url: string }));
      child.once('exit', (code) => reject(new Error(`benchmark server exited early (code ${code})`)));
    });
    const cached = `${url}/analytics/api/overview?period=week`;
    // Warm: the victim's answer is cached, and a first explicit range has been planned by SQLite.
    await fetch(cached, { headers: { authorization: `Bearer ${victimToken}` } });
    await fetch(floodUrl(url, -1, endAt), { headers: { authorization: `Bearer ${flooderToken}` } });
    // And a second of the cached load, unmeasured: the idle figure is then not the server's first connections (a
    // PostgreSQL pool opening its connections, the JIT) but the steady state it is compared with.
    await measureCached(cached, victimToken, options.connections, 1);
    child.send({ type: 'delay-reset' });
    const idle = await measureCached(cached, victimToken, options.connections, options.durationSec);
    const idleDelay = await readDelay(child);
    const load = flood(url, flooderToken, options.flooders, endAt);
    // Measured once the flood is in its steady state (every flooder has a request in the server).
    await new Promise((resolve) => setTimeout(resolve, 3000));
    child.send({ type: 'delay-reset' });
    const flooded = await measureCached(cached, victimToken, options.connections, options.durationSec);
    const floodedDelay = await readDelay(child);
    await load.stop();
    return {
      victim,
      flooder,
      connections: options.connections,
      flooders: options.flooders,
      durationSec: options.durationSec,
      idle,
      flooded,
      /** The server thread's event-loop delay while each was measured (how long a cached answer waited to start). */
      loopDelay: { idle: idleDelay, flooded: floodedDelay },
      flooderStatuses: Object.fromEntries(load.statuses),
    };
  } finally {
    child.kill();
  }
}

/** Seconds of each measurement in `npm run bench` (idle, then flooded). */
const SECTION_DURATION_SEC = 5;

function floodFigures(prefix: string, result: Awaited<ReturnType<typeof benchFlood>>, label: string): Figure[] {
  const p99 = (latency: Latency, what: string): Figure[] =>
    latency.p99Ms === null
      ? []
      : [
          figure(`${prefix}_p99_ms`.replace('{}', what), summarise([latency.p99Ms]), 'ms', {
            better: 'lower',
            note: `another guild's cached /overview, ${what === 'idle' ? 'nothing else running' : `while one guild floods uncached ranges (${label})`}`,
          }),
        ];
  const answered = (result.flooderStatuses[200] ?? 0) / (result.durationSec + 3);
  const loop = (delay: LoopDelay, what: string): Figure =>
    figure(`${prefix}_loop_delay_p99_ms`.replace('{}', what), summarise([delay.p99Ms]), 'ms', {
      better: 'lower',
      note: `event-loop delay p99 of the server thread that serves cached answers, ${what === 'idle' ? 'nothing else running' : `during the flood (${label})`}`,
    });
  return [
    ...p99(result.idle, 'idle'),
    ...p99(result.flooded, 'flooded'),
    loop(result.loopDelay.idle, 'idle'),
    loop(result.loopDelay.flooded, 'flooded'),
    figure(`${prefix}_answered`.replace('{}', 'flooded'), summarise([result.flooded.answered]), 'answers', {
      better: 'higher',
      note: `cached answers given to the other guild in ${result.durationSec} s of flood (${label}); 0 = starved`,
    }),
    figure(`${prefix}_flooder_per_s`.replace('{}', 'flooded'), summarise([answered]), 'answers/s', {
      note: `the flooding guild's uncached answers per second (${label}); its refused ones are 429s`,
    }),
  ];
}

async function runFlood(ctx: BenchContext, database: string, variants: { prefix: string; readWorkers: number; label: string }[]) {
  const figures: Figure[] = [];
  for (const variant of variants) {
    ctx.log(`flood: ${variant.label}`);
    const result = await benchFlood({
      databasePath: database,
      durationSec: SECTION_DURATION_SEC,
      connections: 10,
      flooders: 30,
      readWorkers: variant.readWorkers,
    });
    figures.push(...floodFigures(variant.prefix, result, variant.label));
  }
  return figures;
}

export const floodSection: BenchSection = {
  name: 'flood',
  title: "another guild's cached answer latency while one guild floods uncached ranges, idle beside flooded",
  async run(ctx) {
    // Tokens are written to the database: a copy, as sections must leave the dataset alone.
    const copy = path.join(ctx.workDir, 'flood.db');
    fs.copyFileSync(ctx.databasePath, copy);
    return runFlood(ctx, copy, [
      { prefix: 'flood.cached_{}', readWorkers: 2, label: 'read workers, the default' },
      { prefix: 'flood.cached_{}_in_thread', readWorkers: 0, label: 'HTTP_READ_WORKERS=0' },
    ]);
  },
  postgres: {
    needs: [],
    run: (ctx) => runFlood(ctx, ctx.postgresUrl!, [{ prefix: 'flood.cached_{}', readWorkers: 0, label: 'PostgreSQL' }]),
  },
};

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const { values } = parseArgs({
    options: {
      serve: { type: 'string' },
      database: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      flooders: { type: 'string' },
      'read-workers': { type: 'string' },
    },
  });
  if (values.serve) {
    serve(values.serve, Number(values['read-workers'] ?? 2)).catch((error: unknown) => {
      process.stderr.write(`benchmark server failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
  } else if (!values.database) {
    process.stderr.write(
      'usage: node --import tsx bench/flood.ts --database PATH|URL [--duration 10] [--connections 10] [--flooders 30] [--read-workers 2]\n',
    );
    process.exit(2);
  } else {
    benchFlood({
      databasePath: values.database,
      durationSec: Number(values.duration ?? 10),
      connections: Number(values.connections ?? 10),
      flooders: Number(values.flooders ?? 30),
      readWorkers: Number(values['read-workers'] ?? 2),
    }).then(
      (result) => process.stdout.write(`${JSON.stringify(result, null, 2)}\n`),
      (error: unknown) => {
        process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  }
}
