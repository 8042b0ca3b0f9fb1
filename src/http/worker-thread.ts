// Runs the HTTP server (src/http/worker.ts) in a worker thread and reports back its URL, a startup failure, or
// its exit. The main thread keeps capture, enrichment and aggregation; the API answers from its own event loop.
import type { SignInSettings } from '../config';
import type { DatabaseTarget } from '../db/open';
import { writeLogLine, type Logger } from '../logger';
import { answerBotCalls, type BridgedBot } from './bot-bridge';
import type { HttpOptions } from './route-context';
import { startTsWorker } from './ts-worker';

/** What the worker receives (structured-cloned, so plain data only). */
export interface HttpWorkerData {
  /** The configured database (either engine); the worker opens its own handle on it without migrating. */
  database: DatabaseTarget;
  /** The worker's own PostgreSQL pool size (its share of DATABASE_POOL_SIZE; unused on SQLite). */
  poolSize: number;
  logLevel: string;
  host: string;
  port: number;
  options: HttpOptions;
  /** Sign in with Discord's settings; null = tokens only. The worker asks the bot on this thread for access checks. */
  signIn?: SignInSettings | null;
  /** Twitch credentials for clip feeds added from the dashboard (a login is resolved through Get Users); null = none. */
  twitch?: { clientId: string; clientSecret: string } | null;
}

export type HttpWorkerMessage = { type: 'listening'; url: string } | { type: 'error'; message: string } | { type: 'log'; line: string };

export interface HttpWorker {
  /** The base URL the server listens on, e.g. http://127.0.0.1:3000 (the actual port when 0 was asked). */
  url: string;
  /** Closes the server and its database connection; terminates the thread if that takes longer than stopTimeoutMs. */
  stop(): Promise<void>;
}

export class HttpStartError extends Error {}

const WORKER_ENTRY = new URL('./worker.ts', import.meta.url).href;

export function startHttpWorker(
  data: HttpWorkerData,
  deps: { logger: Logger; stopTimeoutMs?: number /** Answers the worker's sign-in access checks. */; botView?: BridgedBot | null },
): Promise<HttpWorker> {
  const stopTimeoutMs = deps.stopTimeoutMs ?? 10_000;
  const worker = startTsWorker(WORKER_ENTRY, { workerData: data });
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));

  return new Promise<HttpWorker>((resolve, reject) => {
    let started = false;
    const fail = (message: string) => {
      if (started) return;
      started = true;
      void worker.terminate();
      reject(new HttpStartError(`HTTP server failed to start on ${data.host}:${data.port}: ${message}`));
    };
    worker.on('message', (message: HttpWorkerMessage) => {
      if (message.type === 'log') return writeLogLine(deps.logger, message.line);
      if (answerBotCalls(message, deps.botView ?? null, (result) => worker.postMessage(result))) return;
      if (message.type === 'error') return fail(message.message);
      if (message.type !== 'listening' || started) return;
      started = true;
      resolve({
        url: message.url,
        stop: async () => {
          worker.postMessage({ type: 'stop' });
          let timer: NodeJS.Timeout | undefined;
          const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), stopTimeoutMs)));
          const outcome = await Promise.race([exited, timedOut]);
          clearTimeout(timer);
          if (outcome === 'timeout') {
            deps.logger.warn({ stopTimeoutMs }, 'HTTP worker did not stop in time; terminating it');
            await worker.terminate();
          }
        },
      });
    });
    worker.on('error', (error) => {
      if (!started) return fail(error.message);
      deps.logger.error({ err: error }, 'HTTP worker crashed; the API and dashboard are down');
    });
    void exited.then((code) => fail(`the worker exited with code ${code} before listening`));
  });
}
