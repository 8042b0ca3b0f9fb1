// DISCORD_PROCESSES > 1: this host's shards split among child processes that run only the bot role, started one after
// another within the identify limit, restarted with a bounded backoff, and asked over IPC for their shards
// (docs/adr/0032-bot-processes-per-host.md). The parent keeps this host's other roles.
import type { ChildProcess } from 'node:child_process';
import { REST } from 'discord.js';
import type { Logger } from '../logger';
import type { Service } from '../service';
import { childMessageSchema, FATAL_CLOSE_EXIT_CODE, type ParentMessage } from './bot-process-ipc';
import { fetchGatewayBot } from './gateway-bot';
import {
  IDENTIFY_INTERVAL_SECONDS,
  planShards,
  ShardPlanError,
  type GatewayStatus,
  type ShardCountSetting,
  type ShardIdsSetting,
  type ShardPlan,
  type ShardStatus,
} from './shard-plan';

export interface RestartPolicy {
  /** Deaths of one child within `windowMs` that are still restarted; one more ends the parent. */
  max: number;
  windowMs: number;
  /** The wait before the first restart, doubled for each further death in the window, at most `maxDelayMs`. */
  firstDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { max: 5, windowMs: 10 * 60_000, firstDelayMs: 1_000, maxDelayMs: 30_000 };

export interface BotProcessesOptions {
  logger: Logger;
  token: string;
  apiBaseUrl: string;
  shards: { count: ShardCountSetting; ids: ShardIdsSetting };
  processes: number;
  /** Starts child `index` with `shardIds` of `shardCount` (the entry point forks itself with --bot-process). */
  spawn(child: { index: number; shardIds: number[]; shardCount: number }): ChildProcess;
  /** A child failed for good after start (a fatal close, or more deaths than the policy allows): stop and exit 1. */
  onFailure(message: string): void;
  restarts?: RestartPolicy;
  /** How long a child may take from its start to its bot logged in, its wait for its turn included. */
  readyTimeoutMs?: number;
  /** How long stop() waits for a child to commit and exit after SIGTERM before it is killed. */
  stopTimeoutMs?: number;
  /** How long one child has to answer a status question (/healthz waits at most 2 s for all of them). */
  statusTimeoutMs?: number;
}

export interface BotProcesses extends Service {
  /** The shards decided at start (null before): count, this host's ids. */
  readonly plan: ShardPlan | null;
  /** Every child's shards, gathered over IPC; a child dead, starting or not answering shows its shards as such. */
  gatewayStatus(): Promise<GatewayStatus | null>;
}

interface Slot {
  index: number;
  shardIds: number[];
  child: ChildProcess | null;
  state: 'starting' | 'ready' | 'restarting' | 'stopped';
  /** When the child died, within the restart window. */
  deaths: number[];
  /** Whether a child of this slot was ready once: until then a death fails the start instead of being restarted. */
  wasReady: boolean;
  /** The child's progress: it loaded and waits for its turn to identify, then its bot logged in (false: it exited first). */
  loaded: Promise<boolean>;
  ready: Promise<boolean>;
  settle: { loaded(ok: boolean): void; ready(ok: boolean): void };
}

/** Splits a host's shards into `processes` contiguous groups, as even as possible (the first ones take the extra). */
export function splitShards(shardIds: readonly number[], processes: number): number[][] {
  const groups: number[][] = [];
  let at = 0;
  for (let i = 0; i < processes; i++) {
    const size = Math.floor(shardIds.length / processes) + (i < shardIds.length % processes ? 1 : 0);
    groups.push(shardIds.slice(at, at + size));
    at += size;
  }
  return groups;
}

export function createBotProcesses(options: BotProcessesOptions): BotProcesses {
  const logger = options.logger.child({ service: 'bot-processes' });
  const policy = options.restarts ?? DEFAULT_RESTART_POLICY;
  const stopTimeoutMs = options.stopTimeoutMs ?? 30_000;
  const statusTimeoutMs = options.statusTimeoutMs ?? 1_500;
  const readyTimeoutMs = options.readyTimeoutMs ?? 180_000;
  const identifyMs = IDENTIFY_INTERVAL_SECONDS * 1000;
  let plan: ShardPlan | null = null;
  let slots: Slot[] = [];
  let started = false;
  let stopping = false;
  let failed = false;
  /** Per rate-limit key, when the last child with a shard of that key became ready (its identifies were before). */
  const keyReadyAt = new Map<number, number>();
  /** Children start one at a time, so the identify limit only has to be kept between consecutive starts. */
  let queue: Promise<unknown> = Promise.resolve();
  const timers = new Set<NodeJS.Timeout>();
  let nextRequest = 0;
  const pending = new Map<number, { slot: Slot; resolve: (gateway: GatewayStatus | null | 'no-answer') => void }>();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const fail = (message: string): void => {
    if (failed || stopping) return;
    failed = true;
    logger.fatal(message);
    options.onFailure(message);
  };

  const describe = (slot: Slot) => `bot process ${slot.index} (shards ${slot.shardIds.join(',')})`;

  /** Forks the slot's child: it loads the app and opens the database, then waits for its turn to identify. */
  const spawn = (slot: Slot): void => {
    let loaded = (_ok: boolean): void => undefined;
    let ready = (_ok: boolean): void => undefined;
    slot.loaded = new Promise((resolve) => {
      loaded = resolve;
    });
    slot.ready = new Promise((resolve) => {
      ready = resolve;
    });
    slot.settle = { loaded, ready };
    slot.state = 'starting';
    const child = options.spawn({ index: slot.index, shardIds: slot.shardIds, shardCount: plan!.shardCount });
    slot.child = child;
    child.on('message', (raw) => onMessage(slot, child, raw));
    child.on('error', (error) => logger.warn({ err: error, botProcess: slot.index }, 'bot process: IPC error'));
    child.once('exit', (code, signal) => onExit(slot, child, code, signal));
    const timer = setTimeout(() => {
      if (slot.child !== child || slot.state === 'ready') return;
      logger.error(
        { botProcess: slot.index, timeoutMs: readyTimeoutMs },
        `${describe(slot)} not ready within ${readyTimeoutMs} ms; killing it`,
      );
      child.kill('SIGKILL');
    }, readyTimeoutMs);
    void slot.ready.then(() => clearTimeout(timer));
  };

  /**
   * The slot's turn to identify, one child at a time: once it has loaded and the identify limit allows (5 s after the
   * last child with a shard of the same rate-limit key was ready), it is told to log in. Resolves true when ready.
   */
  const turn = async (slot: Slot): Promise<boolean> => {
    if (!(await slot.loaded) || stopping) return false;
    const keys = new Set(slot.shardIds.map((id) => id % plan!.maxConcurrency));
    const waitMs = Math.max(0, ...[...keys].map((k) => (keyReadyAt.get(k) ?? Number.NEGATIVE_INFINITY) + identifyMs - Date.now()));
    if (waitMs > 0) await sleep(waitMs);
    if (stopping || !slot.child) return false;
    send(slot.child, { type: 'identify' });
    const ok = await slot.ready;
    if (ok) {
      const now = Date.now();
      for (const key of keys) keyReadyAt.set(key, now);
    }
    return ok;
  };

  const send = (child: ChildProcess, message: ParentMessage): boolean => {
    try {
      return child.connected && child.send(message);
    } catch {
      return false;
    }
  };

  const onMessage = (slot: Slot, child: ChildProcess, raw: unknown): void => {
    const parsed = childMessageSchema.safeParse(raw);
    if (!parsed.success) {
      logger.warn({ botProcess: slot.index }, 'bot process: unexpected IPC message ignored');
      return;
    }
    const message = parsed.data;
    if (message.type === 'loaded') {
      if (slot.child === child) slot.settle.loaded(true);
    } else if (message.type === 'ready') {
      if (slot.child !== child) return;
      slot.state = 'ready';
      slot.wasReady = true;
      logger.info({ botProcess: slot.index, pid: child.pid, shardIds: slot.shardIds, shards: message.shards }, `${describe(slot)} ready`);
      slot.settle.ready(true);
    } else {
      const request = pending.get(message.requestId);
      if (request?.slot === slot) {
        pending.delete(message.requestId);
        request.resolve(message.gateway);
      }
    }
  };

  const onExit = (slot: Slot, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void => {
    if (slot.child !== child) return;
    slot.child = null;
    for (const [id, request] of pending) {
      if (request.slot !== slot) continue;
      pending.delete(id);
      request.resolve('no-answer');
    }
    slot.settle.loaded(false);
    slot.settle.ready(false);
    if (stopping) {
      slot.state = 'stopped';
      return;
    }
    const how = signal ? `signal ${signal}` : `status ${code}`;
    // A child that never got ready fails the start itself (start() says why); only later deaths are restarted.
    if (!started && !slot.wasReady) {
      slot.state = 'stopped';
      return;
    }
    if (code === FATAL_CLOSE_EXIT_CODE) {
      slot.state = 'stopped';
      fail(`${describe(slot)} ended: Discord closed one of its shards for good (its fatal line above says what to change)`);
      return;
    }
    const now = Date.now();
    slot.deaths = [...slot.deaths.filter((at) => now - at < policy.windowMs), now];
    if (slot.deaths.length > policy.max) {
      slot.state = 'stopped';
      fail(
        `${describe(slot)} died ${slot.deaths.length} times within ${Math.round(policy.windowMs / 60_000)} min (last: ${how}); not restarting it again: see its log lines above`,
      );
      return;
    }
    const delayMs = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** (slot.deaths.length - 1));
    slot.state = 'restarting';
    logger.warn(
      { botProcess: slot.index, shardIds: slot.shardIds, code, signal, delayMs, deaths: slot.deaths.length, maxDeaths: policy.max },
      `${describe(slot)} exited (${how}); restarting in ${delayMs} ms`,
    );
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (stopping) return;
      spawn(slot);
      queue = queue.then(() => turn(slot));
    }, delayMs);
    timers.add(timer);
  };

  const askStatus = (slot: Slot): Promise<GatewayStatus | null | 'no-answer'> => {
    const child = slot.child;
    if (!child || slot.state !== 'ready' || !child.connected) return Promise.resolve('no-answer');
    const requestId = ++nextRequest;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(requestId);
        resolve('no-answer');
      }, statusTimeoutMs);
      pending.set(requestId, {
        slot,
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
      });
      if (!send(child, { type: 'status?', requestId })) {
        pending.get(requestId)?.resolve('no-answer');
        pending.delete(requestId);
      }
    });
  };

  const stopChild = async (slot: Slot): Promise<void> => {
    const child = slot.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      exited.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), stopTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (late) {
      logger.error({ botProcess: slot.index, stopTimeoutMs }, `${describe(slot)} did not stop within ${stopTimeoutMs} ms; killed`);
      child.kill('SIGKILL');
      await exited;
    }
  };

  return {
    name: 'bot-processes',
    get plan() {
      return plan;
    },
    async start() {
      const rest = new REST({ api: options.apiBaseUrl }).setToken(options.token);
      plan = planShards(options.shards, await fetchGatewayBot(rest));
      if (options.processes > plan.shardIds.length) {
        throw new ShardPlanError(
          `DISCORD_PROCESSES=${options.processes} is more than the ${plan.shardIds.length} shards this host runs (${plan.shardIds.join(',')} of ${plan.shardCount}): set DISCORD_PROCESSES to at most ${plan.shardIds.length}`,
          { processes: options.processes, shards: plan.shardIds.length },
        );
      }
      slots = splitShards(plan.shardIds, options.processes).map((shardIds, index) => ({
        index,
        shardIds,
        child: null,
        state: 'starting',
        deaths: [],
        wasReady: false,
        loaded: Promise.resolve(false),
        ready: Promise.resolve(false),
        settle: { loaded: () => undefined, ready: () => undefined },
      }));
      logger.info(
        { shardCount: plan.shardCount, shardIds: plan.shardIds, processes: slots.map((s) => s.shardIds) },
        `discord: running ${plan.shardIds.length} of ${plan.shardCount} shards in ${slots.length} bot processes (${slots.map((s) => s.shardIds.join(',')).join(' | ')}), started one after another`,
      );
      // Every child loads at once (the slow part); they identify one after another.
      for (const slot of slots) spawn(slot);
      for (const slot of slots) {
        // Through the queue: a child restarted meanwhile identifies before or after this one, never with it.
        const run = queue.then(() => turn(slot));
        queue = run;
        const ok = await run;
        if (ok) continue;
        if (stopping) return;
        const message = `${describe(slot)} exited before its shards were ready: see its log lines above`;
        await Promise.all(slots.map(stopChild));
        throw new Error(message);
      }
      started = true;
    },
    async stop() {
      stopping = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all(slots.map(stopChild));
      logger.info('bot processes stopped');
    },
    async gatewayStatus() {
      const current = plan;
      if (!current) return null;
      const answers = await Promise.all(slots.map(async (slot) => ({ slot, answer: await askStatus(slot) })));
      const shards: ShardStatus[] = answers.flatMap(({ slot, answer }) => {
        if (answer !== 'no-answer' && answer !== null) return answer.shards;
        const status = slot.child === null ? `process_${slot.state}` : slot.state === 'ready' ? 'not_responding' : 'process_starting';
        return slot.shardIds.map((id) => ({ id, status, pingMs: null, guilds: 0 }));
      });
      return { shardCount: current.shardCount, shards: shards.sort((a, b) => a.id - b.id) };
    },
  };
}
