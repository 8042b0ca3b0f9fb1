// A read worker: one thread with its own read-only SQLite connection that computes uncached analytics answers for the
// HTTP thread (read-pool.ts), so a long query never holds up the cached answers that thread serves.
import { parentPort, workerData } from 'node:worker_threads';
import { createAnalytics, type Analytics } from '../analytics/service';
import { InvalidPeriodError } from '../analytics/periods';
import type { Db } from '../db/database';
import { closeDb, openDb, type DatabaseTarget } from '../db/open';

export interface ReadWorkerData {
  database: DatabaseTarget;
}

export interface ReadCall {
  id: number;
  method: string;
  args: unknown[];
}

/** An error as it crosses the thread: enough to rebuild what the HTTP error handler looks at. */
export interface CarriedError {
  name: string;
  message: string;
  code: string | null;
  stack: string | undefined;
  invalidPeriod: boolean;
}

export type ReadReply =
  | { type: 'ready' }
  | { type: 'open_failed'; message: string }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: CarriedError };

function carry(error: unknown): CarriedError {
  const e = error instanceof Error ? error : new Error(String(error));
  const code = (e as { code?: unknown }).code;
  return {
    name: e.name,
    message: e.message,
    code: typeof code === 'string' ? code : null,
    stack: e.stack,
    invalidPeriod: e instanceof InvalidPeriodError,
  };
}

async function run(port: NonNullable<typeof parentPort>, data: ReadWorkerData): Promise<void> {
  let db: Db;
  try {
    db = await openDb(data.database, { migrate: false, poolSize: 1, applicationName: 'clipscope-read' });
  } catch (error) {
    port.postMessage({ type: 'open_failed', message: error instanceof Error ? error.message : String(error) } satisfies ReadReply);
    return;
  }
  const analytics = createAnalytics(db);
  port.on('message', (message: ReadCall | { type: 'stop' }) => {
    if ('type' in message) {
      void closeDb(db).finally(() => port.close());
      return;
    }
    const { id, method, args } = message;
    void (async () => {
      try {
        const value = await analytics.snapshot((a) => {
          const fn = (a as unknown as Record<string, unknown>)[method];
          if (method === 'snapshot' || typeof fn !== 'function') throw new Error(`no analytics read named "${method}"`);
          return (fn as (...a: unknown[]) => Promise<unknown>).apply(a, args) as ReturnType<Analytics['health']>;
        });
        port.postMessage({ type: 'result', id, ok: true, value } satisfies ReadReply);
      } catch (error) {
        port.postMessage({ type: 'result', id, ok: false, error: carry(error) } satisfies ReadReply);
      }
    })();
  });
  port.postMessage({ type: 'ready' } satisfies ReadReply);
}

if (!parentPort) throw new Error('src/http/read-worker.ts is a worker thread entry; start it with startReadPool');
void run(parentPort, workerData as ReadWorkerData);
