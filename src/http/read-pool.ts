// A small pool of read workers for the HTTP thread on SQLite. The SQLite driver runs a query on the calling thread, so
// one guild's expensive uncached answer (an explicit range, compare, growth opportunities) used to stop every other
// request on the HTTP thread, cached answers included, until it finished. The pool computes uncached answers on
// their own threads and connections (WAL lets them read beside capture); the HTTP thread keeps serving the cache.
// Each call has a time limit: a worker past it is terminated and replaced (SQLite has no statement timeout), and the
// request gets a 503 query_timeout. PostgreSQL needs none of this: its queries do not block the thread, and the
// server's statement_timeout bounds them.
import type { Worker } from 'node:worker_threads';
import { InvalidPeriodError } from '../analytics/periods';
import type { Analytics } from '../analytics/service';
import type { DatabaseTarget } from '../db/open';
import type { Logger } from '../logger';
import { HttpError } from './errors';
import type { CarriedError, ReadCall, ReadReply, ReadWorkerData } from './read-worker';
import { startTsWorker } from './ts-worker';

export interface ReadPoolOptions {
  database: DatabaseTarget;
  /** Worker threads (HTTP_READ_WORKERS). */
  workers: number;
  /** A call running longer than this is abandoned with a 503 and its worker replaced (HTTP_QUERY_TIMEOUT_SECONDS). */
  timeoutMs: number;
  /** Calls waiting for a free worker beyond which new ones are refused with a 503 (the server is overloaded). */
  maxWaiting: number;
  logger: Logger;
  /** The worker entry (tests may point at another); src/http/read-worker.ts by default. */
  entry?: string;
}

export interface ReadPool {
  /** The analytics, each read computed on a worker (in a read snapshot of its own). `snapshot(fn)` calls fn with it. */
  analytics: Analytics;
  /** Calls running and waiting, and workers replaced after a time-out or a crash since the start. */
  stats(): { running: number; waiting: number; replaced: number };
  close(): Promise<void>;
}

interface Pending {
  call: ReadCall;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Slot {
  worker: Worker | null;
  ready: boolean;
  current: Pending | null;
  timer: NodeJS.Timeout | null;
  /** Consecutive failed starts: the next start waits longer (bounded), so a broken database does not spin. */
  failures: number;
}

const ENTRY = new URL('./read-worker.ts', import.meta.url).href;
const MAX_RESTART_DELAY_MS = 30_000;

/** Rebuilds an error from a worker so the HTTP error handler treats it as it would the original. */
function rebuild(carried: CarriedError): Error {
  if (carried.invalidPeriod) return new InvalidPeriodError(carried.message);
  const error = new Error(carried.message) as Error & { code?: string };
  error.name = carried.name;
  if (carried.code !== null) error.code = carried.code;
  if (carried.stack) error.stack = carried.stack;
  return error;
}

export function startReadPool(options: ReadPoolOptions): ReadPool {
  const entry = options.entry ?? ENTRY;
  const waiting: Pending[] = [];
  const slots: Slot[] = Array.from({ length: Math.max(1, options.workers) }, () => ({
    worker: null,
    ready: false,
    current: null,
    timer: null,
    failures: 0,
  }));
  let nextId = 1;
  let replaced = 0;
  let closed = false;

  const finish = (slot: Slot): Pending | null => {
    const pending = slot.current;
    slot.current = null;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    return pending;
  };

  const spawn = (slot: Slot): void => {
    if (closed) return;
    const worker = startTsWorker(entry, { workerData: { database: options.database } satisfies ReadWorkerData });
    slot.worker = worker;
    slot.ready = false;
    worker.on('message', (reply: ReadReply) => {
      if (slot.worker !== worker) return;
      if (reply.type === 'ready') {
        slot.ready = true;
        slot.failures = 0;
        return dispatch();
      }
      if (reply.type === 'open_failed') {
        options.logger.error({ detail: reply.message }, 'a read worker could not open the database; retrying');
        return replace(slot, worker, null);
      }
      const pending = slot.current?.call.id === reply.id ? finish(slot) : null;
      if (pending) {
        if (reply.ok) pending.resolve(reply.value);
        else pending.reject(rebuild(reply.error));
      }
      dispatch();
    });
    worker.on('error', (error) => {
      if (slot.worker !== worker) return;
      options.logger.error({ err: error }, 'a read worker crashed; replacing it');
      replace(slot, worker, new Error(`the read worker crashed: ${error.message}`));
    });
    worker.on('exit', () => {
      if (slot.worker === worker && !closed) replace(slot, worker, new Error('the read worker exited'));
    });
  };

  /** Ends `worker` (its call, if any, fails with `error`) and starts another after a delay that grows with failures. */
  const replace = (slot: Slot, worker: Worker, error: Error | null): void => {
    slot.worker = null;
    slot.ready = false;
    const pending = finish(slot);
    if (pending && error) pending.reject(error);
    else if (pending) waiting.unshift(pending);
    void worker.terminate();
    replaced += 1;
    const delay = slot.failures === 0 ? 0 : Math.min(MAX_RESTART_DELAY_MS, 100 * 2 ** slot.failures);
    slot.failures += 1;
    const timer = setTimeout(() => spawn(slot), delay);
    timer.unref();
    dispatch();
  };

  const dispatch = (): void => {
    for (const slot of slots) {
      if (waiting.length === 0) return;
      if (!slot.ready || slot.current || !slot.worker) continue;
      const pending = waiting.shift()!;
      slot.current = pending;
      const worker = slot.worker;
      slot.timer = setTimeout(() => {
        options.logger.warn(
          { method: pending.call.method, timeoutMs: options.timeoutMs },
          'an analytics query ran past HTTP_QUERY_TIMEOUT_SECONDS; its worker is replaced',
        );
        // A fresh worker starts at once: a time-out is the query's fault, not the worker's.
        slot.failures = 0;
        replace(slot, worker, queryTimeout(options.timeoutMs));
      }, options.timeoutMs);
      worker.postMessage(pending.call);
    }
  };

  const call = (method: string, args: unknown[]): Promise<unknown> => {
    if (closed) return Promise.reject(new HttpError(503, 'shutting_down', 'The server is shutting down; retry shortly.'));
    if (waiting.length >= options.maxWaiting) {
      return Promise.reject(
        new HttpError(
          503,
          'server_busy',
          'The server has too many answers to compute right now; retry in a few seconds.',
          { retry_after: 5 },
          { 'retry-after': '5' },
        ),
      );
    }
    return new Promise((resolve, reject) => {
      waiting.push({ call: { id: nextId++, method, args }, resolve, reject });
      dispatch();
    });
  };

  const analytics: Analytics = new Proxy({} as Analytics, {
    get(_target, property) {
      if (property === 'snapshot') return (fn: (a: Analytics) => Promise<unknown>) => fn(analytics);
      if (typeof property !== 'string' || property === 'then') return undefined;
      return (...args: unknown[]) => call(property, args);
    },
  });

  for (const slot of slots) spawn(slot);

  return {
    analytics,
    stats: () => ({ running: slots.filter((s) => s.current).length, waiting: waiting.length, replaced }),
    async close() {
      closed = true;
      for (const pending of waiting.splice(0)) pending.reject(new HttpError(503, 'shutting_down', 'The server is shutting down.'));
      await Promise.all(
        slots.map(async (slot) => {
          const worker = slot.worker;
          slot.worker = null;
          finish(slot)?.reject(new HttpError(503, 'shutting_down', 'The server is shutting down.'));
          if (worker) await worker.terminate();
        }),
      );
    },
  };
}

function queryTimeout(timeoutMs: number): HttpError {
  return new HttpError(
    503,
    'query_timeout',
    `This answer took longer than ${Math.round(timeoutMs / 1000)} s to compute and was stopped; ask for a shorter range or retry later.`,
    { retry_after: 5 },
    { 'retry-after': '5' },
  );
}
