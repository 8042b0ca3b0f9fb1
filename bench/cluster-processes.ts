// The processes of the cluster section (bench/cluster.ts): real `npm start` bots (src/main.ts with ROLES=bot and
// their DISCORD_SHARD_IDS), probed over IPC for CPU time and memory, and a probe process that times job leases and
// samples PostgreSQL's lock waits while the bots write, so that neither adds to the section process's event loop.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = path.join(ROOT, 'src', 'main.ts');
const PROBE = path.join(ROOT, 'bench', 'cluster-probe.ts');

/** Bounded waits: a bot that does not log in, or does not stop, fails the run instead of hanging it. */
const READY_TIMEOUT_MS = 300_000;
const STOP_TIMEOUT_MS = 20_000;
const PROBE_TIMEOUT_MS = 30_000;

// Loaded before src/main.ts in each bot: answers a probe with its CPU time and memory (after a full GC if asked), and
// shuts the bot down (SIGTERM, as a supervisor would) when the section process is gone, so no bot outlives a failed run.
const PRELOAD = `process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
process.on('message', (m) => {
  if (!m || m.type !== 'cluster-probe') return;
  if (m.gc) globalThis.gc?.();
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  process.send({ type: 'cluster-probe', id: m.id, cpuS: (cpu.user + cpu.system) / 1e6, rssMb: mem.rss / 2 ** 20, heapMb: mem.heapUsed / 2 ** 20 });
});`;

const probeAnswer = z.object({ type: z.literal('cluster-probe'), id: z.number(), cpuS: z.number(), rssMb: z.number(), heapMb: z.number() });
export type ProbeAnswer = z.infer<typeof probeAnswer>;

/** Where the bots' database is: the environment `npm start` reads. */
export type DatabaseEnv = { DATABASE_PATH: string } | { DATABASE_URL: string };

export interface BotProcess {
  readonly pid: number;
  readonly shards: number[];
  /** Log lines at warn or above, and the first few of them. */
  readonly warnings: { count: number; first: string[] };
  probe(gc?: boolean): Promise<ProbeAnswer>;
  stop(): Promise<void>;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  try {
    await withTimeout(exited, STOP_TIMEOUT_MS, `process ${child.pid} stopping`);
  } catch {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Starts `npm start` as one bot process of `shardCount` running `shards`; resolves once it logs "clipscope running". */
export async function startBot(options: {
  database: DatabaseEnv;
  token: string;
  apiBaseUrl: string;
  shardCount: number;
  shards: number[];
}): Promise<BotProcess> {
  const child = fork(MAIN, [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx', '--expose-gc', '--import', `data:text/javascript,${encodeURIComponent(PRELOAD)}`],
    // A clean environment: only what this bot is, never the caller's DATABASE_URL or token.
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? ROOT,
      ROLES: 'bot',
      HTTP_ENABLED: 'false',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      DISCORD_TOKEN: options.token,
      DISCORD_API_BASE_URL: options.apiBaseUrl,
      DISCORD_SHARD_COUNT: String(options.shardCount),
      DISCORD_SHARD_IDS: options.shards.join(','),
      ...options.database,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const warnings = { count: 0, first: [] as string[] };
  let stderr = '';
  let buffered = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      let parsed: { level?: number; msg?: string } | null = null;
      try {
        parsed = JSON.parse(line) as { level?: number; msg?: string };
      } catch {
        continue;
      }
      if (parsed.msg === 'clipscope running') markReady();
      if ((parsed.level ?? 0) >= 40) {
        warnings.count++;
        if (warnings.first.length < 3) warnings.first.push(parsed.msg ?? line.slice(0, 200));
      }
    }
  });
  child.on('error', (error) => {
    stderr += `\n${error.message}`;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2_000);
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) =>
      reject(new Error(`bot process (shards ${options.shards}) exited (${code ?? signal}): ${stderr.trim()}`)),
    ),
  );
  exited.catch(() => undefined);
  const pending = new Map<number, (answer: ProbeAnswer) => void>();
  child.on('message', (message) => {
    const answer = probeAnswer.safeParse(message);
    if (answer.success) pending.get(answer.data.id)?.(answer.data);
  });
  let nextId = 0;
  const bot: BotProcess = {
    pid: child.pid ?? -1,
    shards: options.shards,
    warnings,
    probe(gc = false) {
      const id = nextId++;
      const answered = new Promise<ProbeAnswer>((resolve) => pending.set(id, resolve));
      child.send({ type: 'cluster-probe', id, gc });
      return withTimeout(Promise.race([answered, exited]), PROBE_TIMEOUT_MS, `bot ${child.pid} probe`).finally(() => pending.delete(id));
    },
    stop: () => stopChild(child),
  };
  try {
    await withTimeout(Promise.race([ready, exited]), READY_TIMEOUT_MS, `bot process (shards ${options.shards}) start`);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return bot;
}

export interface LeaseAndLockReport {
  /** Milliseconds of each lease cycle (taken and released) made during the stream. */
  leaseMs: number[];
  /** PostgreSQL only: samples of pg_stat_activity taken, and those that saw a backend waiting on a lock. */
  samples: number;
  samplesWaiting: number;
  /** Distinct waits seen (backend and statement start), and their summed sampled duration. */
  waits: number;
  waitMs: number;
  /** Ungranted pg_locks rows seen, summed over samples. */
  ungranted: number;
  waitEvents: Record<string, number>;
}

const probeReport = z.object({
  type: z.literal('report'),
  leaseMs: z.array(z.number()),
  samples: z.number(),
  samplesWaiting: z.number(),
  waits: z.number(),
  waitMs: z.number(),
  ungranted: z.number(),
  waitEvents: z.record(z.string(), z.number()),
});
const probeMessage = z.union([
  z.object({ type: z.literal('started') }),
  probeReport,
  z.object({ type: z.literal('error'), error: z.string() }),
]);

export interface LeaseAndLockProbe {
  /** Stops sampling and returns what it saw. */
  finish(): Promise<LeaseAndLockReport>;
}

/** Starts the probe process (bench/cluster-probe.ts) on the bots' database; sampling begins when this resolves. */
export async function startLeaseAndLockProbe(database: DatabaseEnv, intervalMs: number): Promise<LeaseAndLockProbe> {
  const child = fork(PROBE, [JSON.stringify({ database, intervalMs })], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const messages: z.infer<typeof probeMessage>[] = [];
  let wake: () => void = () => undefined;
  child.on('message', (m) => {
    const parsed = probeMessage.safeParse(m);
    if (parsed.success) messages.push(parsed.data);
    wake();
  });
  child.on('exit', () => wake());
  // A send on a channel the probe has closed: the probe's own message says why.
  child.on('error', () => wake());
  const next = async <T extends z.infer<typeof probeMessage>['type']>(
    type: T,
  ): Promise<Extract<z.infer<typeof probeMessage>, { type: T }>> => {
    for (;;) {
      const found = messages.find((m) => m.type === type || m.type === 'error');
      if (found?.type === 'error') throw new Error(`lease and lock probe: ${found.error}`);
      if (found) return found as Extract<z.infer<typeof probeMessage>, { type: T }>;
      if (child.exitCode !== null) throw new Error('lease and lock probe exited before reporting');
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  try {
    await withTimeout(next('started'), READY_TIMEOUT_MS, 'lease and lock probe start');
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return {
    async finish() {
      try {
        // A probe that failed has already said why (and closed its channel): next() reports that.
        if (child.connected) child.send({ type: 'finish' });
        const { type: _type, ...report } = await withTimeout(next('report'), PROBE_TIMEOUT_MS, 'lease and lock probe report');
        return report;
      } finally {
        await stopChild(child);
      }
    },
  };
}
