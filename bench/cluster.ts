// Issue #17's cluster figures: the same gateway stream (many guilds over 4 shards) through 1, 2 and 4 `npm start`
// processes with ROLES=bot and their DISCORD_SHARD_IDS, side by side in one run: events/s, events per CPU-second of
// the bots, lock waits and one job lease timed while they write; and a bot's RSS per 1,000 guilds after GUILD_CREATE.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { closeDatabase, openDatabase } from '../src/db/client';
import type { Db } from '../src/db/database';
import { closePostgres, openPostgres } from '../src/db/postgres/engine';
import { queries } from '../src/db/sql';
import { member, startFakeDiscord, textChannel, user, type FakeDiscord, type FakeGuild } from '../test/fakes/discord';
import { guildsOnEveryShard } from '../test/helpers/shard-guilds';
import { gatewayStream, type StreamExpectation } from './capture-client';
import { startBot, startLeaseAndLockProbe, type BotProcess, type DatabaseEnv, type LeaseAndLockReport } from './cluster-processes';
import { figure, ratio, single, summarise } from './measure';
import type { BenchContext, BenchSection, Figure } from './types';

const SHARDS = 4;
/** The splits measured: every shard in one process, two each in two, one each in four. */
export const SPLITS: Record<number, number[][]> = {
  1: [[0, 1, 2, 3]],
  2: [
    [0, 1],
    [2, 3],
  ],
  4: [[0], [1], [2], [3]],
};
/** How long a run may take to commit its stream before it fails. */
const COMMIT_TIMEOUT_MS = 10 * 60_000;
const PROBE_INTERVAL_MS = 20;

export interface ClusterOptions {
  /** Events per run over all guilds (default by size: S 8,000, M 20,000, L 40,000). */
  events?: number;
  /** Guilds per shard in the stream (default by size: S 10, M 20, L 40). */
  guildsPerShard?: number;
  /** Guilds of the memory run (default 5,000; 0 leaves the memory figures out). */
  memoryGuilds?: number;
  /** Measured rounds of 1, 2 and 4 processes (default min(runs, 3)), after one warm-up round of a quarter of the events. */
  rounds?: number;
  /** The warm-up round (default true). */
  warmup?: boolean;
  /** The splits measured (default 1, 2 and 4 processes; a test takes fewer). */
  splits?: number[];
}

const EVENTS: Record<string, number> = { S: 8_000, M: 20_000, L: 40_000 };
const GUILDS_PER_SHARD: Record<string, number> = { S: 10, M: 20, L: 40 };

interface RunResult {
  events: number;
  seconds: number;
  cpuSeconds: number;
  probe: LeaseAndLockReport;
  warnings: number;
}

const count = async (db: Db, sql: string, ids: string[]): Promise<number> =>
  Number((await queries(db).get<{ n: number | string }>(sql.replace('?', ids.map(() => '?').join(', ')), ids))?.n ?? 0);

async function stopAll(bots: BotProcess[], discord: FakeDiscord | null): Promise<void> {
  await Promise.allSettled(bots.map((b) => b.stop()));
  await discord?.stop();
}

/** Starts the processes of a split; if one fails, the others are stopped. */
async function startBots(split: number[][], database: DatabaseEnv, discord: FakeDiscord): Promise<BotProcess[]> {
  const started = await Promise.allSettled(
    split.map((shards) => startBot({ database, token: discord.token, apiBaseUrl: discord.apiBaseUrl, shardCount: SHARDS, shards })),
  );
  const bots = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.allSettled(bots.map((b) => b.stop()));
    throw failed.reason;
  }
  return bots;
}

/** The bot processes of one split on a fake gateway of their own, logged in and idle. */
export interface Cluster {
  processes: number;
  guilds: FakeGuild[];
  discord: FakeDiscord;
  bots: BotProcess[];
  stop(): Promise<void>;
}

/** Starts the processes of a split (1, 2 or 4) on a gateway of 4 shards with `guildsPerShard` guilds each. */
export async function startCluster(options: {
  processes: number;
  database: DatabaseEnv;
  guildsPerShard: number;
  name: string;
}): Promise<Cluster> {
  const split = SPLITS[options.processes];
  if (!split) throw new Error(`cluster: processes must be one of ${Object.keys(SPLITS).join(', ')}, not ${options.processes}`);
  const guilds = guildsOnEveryShard(SHARDS, options.guildsPerShard, options.name);
  // max_concurrency 16 (Discord grants large bots that): every shard identifies at once, no 5 s waves between processes.
  const discord = await startFakeDiscord({ guilds, shards: SHARDS, maxConcurrency: 16, replayLimit: 10_000 });
  let bots: BotProcess[];
  try {
    bots = await startBots(split, options.database, discord);
  } catch (error) {
    await discord.stop();
    throw error;
  }
  return { processes: options.processes, guilds, discord, bots, stop: () => stopAll(bots, discord) };
}

/** One run: a fresh stream through the cluster, timed from the first dispatch until every guild's last message is committed. */
export async function measureCluster(
  cluster: Cluster,
  options: { database: DatabaseEnv; db: Db; events: number; seed: number },
): Promise<RunResult> {
  const { guilds, discord, bots } = cluster;
  const expected: StreamExpectation = { shares: 0, reactions: 0, counts: {} };
  const perGuild = Math.max(1, Math.floor(options.events / guilds.length) - 1);
  const streams = guilds.map((g, i) =>
    gatewayStream(
      {
        guildId: g.id,
        events: perGuild,
        seed: options.seed * 1_000 + i,
        startAt: Date.now(),
        channels: g.channels ?? [],
        olderClipMessages: [],
      },
      expected,
    ),
  );
  // Interleaved round-robin, generated ahead so the timed part is dispatching; each guild's last message marks its end.
  const stream: { t: string; d: unknown }[] = [];
  const sentinels: string[] = [];
  for (let live = streams.length; live > 0; ) {
    live = 0;
    for (const s of streams) {
      const next = s.next();
      if (next.done) continue;
      live++;
      stream.push(next.value);
      if (next.value.sentinel) sentinels.push(next.value.sentinel);
    }
  }
  const ids = guilds.map((g) => g.id);
  const sharesSql = 'SELECT count(*) AS n FROM shares WHERE deleted_at IS NULL AND guild_id IN (?)';
  const reactionsSql = 'SELECT count(*) AS n FROM reactions WHERE guild_id IN (?)';
  const before = { shares: await count(options.db, sharesSql, ids), reactions: await count(options.db, reactionsSql, ids) };
  const warnings = bots.reduce((sum, b) => sum + b.warnings.count, 0);
  const cpu0 = await Promise.all(bots.map((b) => b.probe()));
  const probe = await startLeaseAndLockProbe(options.database, PROBE_INTERVAL_MS);
  let report: LeaseAndLockReport | null = null;
  try {
    const startedAt = performance.now();
    // In windows: at most 500 dispatches wait on the sockets, so the gateway sends as fast as the bots read.
    let window: Promise<void>[] = [];
    for (const { t, d } of stream) {
      window.push(discord.dispatch(t, d));
      if (window.length >= 500) {
        await Promise.all(window);
        window = [];
      }
    }
    await Promise.all(window);
    const sentinelSql = 'SELECT count(*) AS n FROM shares WHERE message_id IN (?)';
    while ((await count(options.db, sentinelSql, sentinels)) < sentinels.length) {
      if (performance.now() - startedAt > COMMIT_TIMEOUT_MS)
        throw new Error(`cluster: the stream was not committed within ${COMMIT_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const seconds = (performance.now() - startedAt) / 1000;
    const cpu1 = await Promise.all(bots.map((b) => b.probe()));
    report = await probe.finish();
    const shares = (await count(options.db, sharesSql, ids)) - before.shares;
    const reactions = (await count(options.db, reactionsSql, ids)) - before.reactions;
    if (shares !== expected.shares || reactions !== expected.reactions)
      throw new Error(
        `cluster: capture lost or invented rows with ${cluster.processes} processes: active shares ${shares} (expected ${expected.shares}), reactions ${reactions} (expected ${expected.reactions})`,
      );
    return {
      events: stream.length,
      seconds,
      cpuSeconds: cpu1.reduce((sum, c, i) => sum + c.cpuS - (cpu0[i]?.cpuS ?? 0), 0),
      probe: report,
      warnings: bots.reduce((sum, b) => sum + b.warnings.count, 0) - warnings,
    };
  } finally {
    if (!report) await probe.finish().catch(() => undefined);
  }
}

/** A bot process (all 4 shards) after READY and every GUILD_CREATE, after a full GC: RSS and heap in MB. */
export async function measureGatewayMemory(database: DatabaseEnv, guildCount: number): Promise<{ rssMb: number; heapMb: number }> {
  const guilds: FakeGuild[] = guildCount === 0 ? [] : guildsOnEveryShard(SHARDS, Math.ceil(guildCount / SHARDS), 'Memory');
  // A few members and channels each, as most small communities look at login (members beyond the bot are not cached
  // past MEMBERS_PER_GUILD, channels are kept whole).
  for (const g of guilds) {
    g.members = Array.from({ length: 3 }, (_, i) => member(user({ username: `m${i}-${g.id.slice(-6)}` })));
    g.channels = Array.from({ length: 3 }, (_, i) => textChannel({ guild_id: g.id, name: `channel-${i}`, position: i }));
  }
  const discord = await startFakeDiscord({ guilds, shards: SHARDS, maxConcurrency: 16 });
  let bots: BotProcess[] = [];
  try {
    bots = await startBots(SPLITS[1]!, database, discord);
    const bot = bots[0]!;
    await bot.probe(true);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const { rssMb, heapMb } = await bot.probe(true);
    return { rssMb, heapMb };
  } finally {
    await stopAll(bots, discord);
  }
}

const mean = (values: number[]): number => (values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length);

async function runSection(ctx: BenchContext, options: ClusterOptions, database: DatabaseEnv, db: Db, label: string): Promise<Figure[]> {
  const events = options.events ?? EVENTS[ctx.size] ?? EVENTS.M!;
  const guildsPerShard = options.guildsPerShard ?? GUILDS_PER_SHARD[ctx.size] ?? GUILDS_PER_SHARD.M!;
  const rounds = options.rounds ?? Math.min(ctx.runs, 3);
  const memoryGuilds = options.memoryGuilds ?? 5_000;
  const byProcesses = new Map<number, RunResult[]>();
  // Every split's processes are started once, side by side (each on a gateway of its own, idle while another split
  // runs), and the rounds take turns between them, so that a change of load on the machine touches all three.
  const clusters: Cluster[] = [];
  try {
    for (const processes of options.splits ?? [1, 2, 4])
      clusters.push(await startCluster({ processes, database, guildsPerShard, name: `Cluster ${processes}p` }));
    for (let round = options.warmup === false ? 0 : -1; round < rounds; round++) {
      for (const cluster of clusters) {
        const run = await measureCluster(cluster, {
          database,
          db,
          events: round < 0 ? Math.ceil(events / 4) : events,
          seed: ctx.seed * 100 + round + 2,
        });
        ctx.log(
          `${round < 0 ? 'warm-up' : `round ${round + 1}`}, ${cluster.processes} process(es): ${Math.round(run.events / run.seconds)} events/s, ${Math.round(run.events / run.cpuSeconds)} per bot CPU-s, ${run.probe.waits} lock waits, lease ${mean(run.probe.leaseMs).toFixed(2)} ms`,
        );
        if (round >= 0) byProcesses.set(cluster.processes, [...(byProcesses.get(cluster.processes) ?? []), run]);
      }
    }
  } finally {
    await Promise.allSettled(clusters.map((c) => c.stop()));
  }
  const figures: Figure[] = [];
  const stream = `${events.toLocaleString('en-US')} events over ${guildsPerShard * SHARDS} guilds on ${SHARDS} shards (capture-client's mix), ${label}`;
  let cpuOfOne: Figure | null = null;
  for (const [processes, runs] of byProcesses) {
    const p = `cluster.p${processes}`;
    const split = SPLITS[processes]!.map((s) => s.join(',')).join(' | ');
    figures.push(
      figure(`${p}_events_per_s`, summarise(runs.map((r) => r.events / r.seconds)), 'events/s', {
        better: 'higher',
        note: `${processes} ROLES=bot process(es), DISCORD_SHARD_IDS ${split}; ${stream}; first dispatch → last message committed`,
      }),
    );
    const cpu = figure(`${p}_events_per_cpu_s`, summarise(runs.map((r) => r.events / r.cpuSeconds)), 'events/CPU-s', {
      better: 'higher',
      note: `the same runs per CPU-second of all ${processes} bot process(es) (process.cpuUsage over IPC; the database server's CPU is not counted)`,
    });
    figures.push(cpu);
    if (processes === 1) cpuOfOne = cpu;
    else if (cpuOfOne)
      figures.push(ratio(`${p}_cpu_vs_p1`, cpu, cpuOfOne, `events per bot CPU-second, ${processes} processes ÷ 1 process; goal ≥ 0.85`));
    const probes = runs.map((r) => r.probe);
    figures.push(
      figure(`${p}_lease_ms`, summarise(probes.map((r) => mean(r.leaseMs))), 'ms', {
        better: 'lower',
        note: `one job lease taken and released (mean of ${probes[0]?.leaseMs.length ?? 0}+ cycles, one every ${PROBE_INTERVAL_MS} ms from a probe process) while the bots write; goal ≤ 5 ms`,
      }),
    );
    if ('DATABASE_URL' in database) {
      const events = [...new Set(probes.flatMap((r) => Object.keys(r.waitEvents)))].join(', ') || 'none';
      figures.push(
        figure(`${p}_lock_waits`, summarise(probes.map((r) => r.waits)), 'waits', {
          better: 'lower',
          note: `distinct backends seen waiting on a lock (pg_stat_activity wait_event_type = 'Lock', sampled every ${PROBE_INTERVAL_MS} ms; a wait shorter than that can be missed); wait events: ${events}`,
        }),
        figure(`${p}_lock_wait_ms`, summarise(probes.map((r) => r.waitMs)), 'ms', {
          better: 'lower',
          note: `lock waits summed over the run, each sample's waiting backends × the time since the previous sample (an estimate); ungranted pg_locks rows seen: ${probes.map((r) => r.ungranted).join(', ')}`,
        }),
      );
    }
    const warnings = runs.reduce((sum, r) => sum + r.warnings, 0);
    if (warnings > 0) ctx.log(`${processes} process(es): ${warnings} log lines at warn or above`);
  }
  // The memory run, unless turned off (memoryGuilds 0: a test that has measured it on the other engine).
  if (memoryGuilds > 0) {
    ctx.log(`memory: a bot with all ${SHARDS} shards, without guilds, then with ${memoryGuilds.toLocaleString('en-US')}`);
    const empty = await measureGatewayMemory(database, 0);
    const full = await measureGatewayMemory(database, memoryGuilds);
    const per = 1_000 / memoryGuilds;
    figures.push(
      single('cluster.gateway_rss_mb_per_1000_guilds', (full.rssMb - empty.rssMb) * per, 'MB', {
        better: 'lower',
        note: `RSS after READY and ${memoryGuilds.toLocaleString('en-US')} GUILD_CREATEs (3 channels, 3 members each) minus a bot without guilds (${empty.rssMb.toFixed(0)} MB), after a full GC, per 1,000 guilds; caches bounded in src/discord/client.ts`,
      }),
      single('cluster.gateway_heap_mb_per_1000_guilds', (full.heapMb - empty.heapMb) * per, 'MB', {
        better: 'lower',
        note: `V8 heap alive, the same way (${empty.heapMb.toFixed(0)} MB without guilds, ${full.heapMb.toFixed(0)} MB with)`,
      }),
    );
  }
  return figures;
}

export function clusterSection(options: ClusterOptions = {}): BenchSection {
  return {
    name: 'cluster',
    title: 'Capture through 1, 2 and 4 ROLES=bot processes over 4 shards; lock waits, a lease under load, gateway RSS per 1,000 guilds',
    async run(ctx) {
      const file = path.join(ctx.workDir, 'cluster.db');
      fs.copyFileSync(ctx.databasePath, file);
      const db = openDatabase({ path: file });
      try {
        return await runSection(ctx, options, { DATABASE_PATH: file }, db, 'SQLite: every process on one file on one host');
      } finally {
        closeDatabase(db);
      }
    },
    postgres: {
      needs: ['capture'],
      async run(ctx) {
        if (!ctx.postgresUrl) throw new Error('no PostgreSQL database for the cluster section');
        const db = openPostgres({ url: ctx.postgresUrl, poolSize: 1 });
        try {
          return await runSection(ctx, options, { DATABASE_URL: ctx.postgresUrl }, db, 'PostgreSQL');
        } finally {
          await closePostgres(db);
        }
      },
    },
  };
}
