// The HTTP server's own thread: its own database handle (a SQLite connection, or a PostgreSQL pool of its own:
// docs/adr/0011), logger and event loop, so a capture burst or an aggregation run on the main thread cannot starve
// API requests. Started by src/app.ts through startHttpWorker.
import { createMoodAdmin } from '../analytics/mood-overrides';
import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '../clock';
import type { Db } from '../db/database';
import { closeDb, openDb } from '../db/open';
import { guildSettingsStore } from '../db/guild-settings';
import { digestStore } from '../db/stores/digests';
import { createTwitchLinks } from '../auth/twitch-links';
import { createLogger } from '../logger';
import { startReadPool, type ReadPool } from './read-pool';
import { createDashboardFeedAdmin } from '../feed/dashboard-admin';
import { createHttpServer, type HttpServer } from './server';
import { remoteBotView } from './bot-bridge';
import { httpServices, sessionService } from './services';
import type { HttpWorkerData, HttpWorkerMessage } from './worker-thread';

async function run(port: NonNullable<typeof parentPort>, data: HttpWorkerData): Promise<void> {
  // Log lines go to the main thread, which writes them through its own logger: one destination for the whole process.
  const logger = createLogger({ level: data.logLevel, destination: { write: (line: string) => port.postMessage({ type: 'log', line }) } });
  // The main thread has already migrated. On SQLite, WAL lets this connection read while capture writes; on
  // PostgreSQL the pool is this thread's share of DATABASE_POOL_SIZE.
  let db: Db;
  try {
    db = await openDb(data.database, { migrate: false, poolSize: Math.max(1, data.poolSize), applicationName: 'clipscope-http' });
  } catch (error) {
    port.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) } satisfies HttpWorkerMessage);
    port.close();
    return;
  }
  let server: HttpServer | null = null;
  // On SQLite a query runs on the calling thread: uncached answers go to read workers so that cached ones never wait.
  const readWorkers = data.options.readWorkers ?? 0;
  const pool: ReadPool | null =
    data.database.engine === 'sqlite' && readWorkers > 0
      ? startReadPool({
          database: data.database,
          workers: readWorkers,
          timeoutMs: data.options.queryTimeoutMs ?? 15_000,
          maxWaiting: 1_000,
          logger,
        })
      : null;
  const post = (message: HttpWorkerMessage) => port.postMessage(message);

  port.on('message', (message: { type?: string }) => {
    if (message?.type !== 'stop') return;
    void (async () => {
      try {
        await server?.close();
      } catch (error) {
        logger.error({ err: error }, 'HTTP server failed to close cleanly');
      }
      await pool?.close();
      await closeDb(db).catch((error: unknown) => logger.error({ err: error }, 'HTTP database failed to close cleanly'));
      port.close();
      process.exit(0);
    })();
  });

  try {
    // One bridge to the main thread for both sign-in access checks and /healthz's shard status (one id sequence).
    const bot = remoteBotView(port);
    const signIn = data.signIn
      ? {
          settings: data.signIn,
          sessions: sessionService(db, data.signIn),
          bot,
          guildSettings: guildSettingsStore(db),
          digests: digestStore(db),
          twitchLinks: createTwitchLinks(db),
          // Clip feeds from the dashboard's settings: the slash command's service, with this thread's Twitch client
          // spending the client id's shared Helix bucket.
          feeds: createDashboardFeedAdmin({ db, clock: systemClock, logger, twitch: data.twitch }),
          moods: createMoodAdmin({ db, clock: systemClock }),
        }
      : null;
    server = await createHttpServer({
      ...httpServices(db),
      reads: pool?.analytics ?? null,
      clock: systemClock,
      logger,
      options: data.options,
      signIn,
      gateway: bot,
    });
    const url = await server.listen(data.host, data.port);
    post({ type: 'listening', url });
  } catch (error) {
    post({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    await server?.close().catch(() => undefined);
    await pool?.close();
    await closeDb(db).catch(() => undefined);
    port.close();
  }
}

if (!parentPort) throw new Error('src/http/worker.ts is a worker thread entry; start it with startHttpWorker');
void run(parentPort, workerData as HttpWorkerData);
