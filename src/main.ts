// `npm start`: loads the configuration, starts every configured service, and shuts down cleanly on a signal. With
// DISCORD_PROCESSES > 1 it also forks itself as the bot children (`--bot-process=N`, src/discord/bot-processes.ts).
import { fork } from 'node:child_process';
import type { Config } from './config';
import { createApp } from './app';
import { systemClock } from './clock';
import { ConfigError, loadConfig, loadDotEnvFile } from './config';
import { describeDatabase, poolSizes, postgresRefusal } from './database-engine';
import type { Db } from './db/database';
import { closeDb, databaseTarget, openDb } from './db/open';
import { PostgresError } from './db/postgres/errors';
import { botProcessIndex, BOT_PROCESS_ARG, FATAL_CLOSE_EXIT_CODE, serveParent } from './discord/bot-process-ipc';
import { createBotProcesses } from './discord/bot-processes';
import { FatalCloseError } from './discord/fatal-close';
import { createLogger, prettyDestination, usePrettyLogs } from './logger';

/** Set in a bot child: its index among this host's bot processes. */
const childIndex = botProcessIndex(process.argv);

async function main(): Promise<void> {
  let config: Config;
  try {
    loadDotEnvFile();
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`clipscope: invalid configuration, not starting:\n  ${error.problems.join('\n  ')}\n`);
      process.exit(1);
    }
    throw error;
  }
  // Readable lines in a terminal, JSON lines for files and log shippers (LOG_FORMAT chooses).
  const rootLogger = createLogger({
    level: config.LOG_LEVEL,
    ...(usePrettyLogs(config.LOG_FORMAT, process.stdout.isTTY) ? { destination: prettyDestination(process.stdout) } : {}),
  });
  // A child's lines carry its index, so the one log of the host tells the bot processes apart.
  const logger = childIndex === null ? rootLogger : rootLogger.child({ botProcess: childIndex });
  const db = await openConfiguredDatabase(config, logger);
  let shuttingDown = false;
  /** Ends the process after a failure that a restart cannot mend: stop cleanly (captures committed), then exit. */
  const failAndExit = (line: string, code: number): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    process.stderr.write(`clipscope: ${line}\n`);
    setTimeout(() => process.exit(code), 20_000).unref();
    app.stop().finally(() => process.exit(code));
  };
  const botProcesses =
    childIndex === null && config.DISCORD_PROCESSES > 1 && config.DISCORD_TOKEN && config.ROLES.includes('bot')
      ? createBotProcesses({
          logger,
          token: config.DISCORD_TOKEN,
          apiBaseUrl: config.DISCORD_API_BASE_URL,
          shards: { count: config.DISCORD_SHARD_COUNT, ids: config.DISCORD_SHARD_IDS },
          processes: config.DISCORD_PROCESSES,
          // The same entry point and loader (tsx under `npm start`), with the bot role only and its share of the shards.
          spawn: ({ index, shardIds, shardCount }) =>
            fork(process.argv[1]!, [`${BOT_PROCESS_ARG}${index}`], {
              execArgv: process.execArgv,
              stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
              env: {
                ...process.env,
                ROLES: 'bot',
                DISCORD_PROCESSES: '1',
                DISCORD_SHARD_COUNT: String(shardCount),
                DISCORD_SHARD_IDS: shardIds.join(','),
              },
            }),
          onFailure: (message) => failAndExit(message, 1),
        })
      : undefined;
  // A bot child answers its parent's questions and logs in only when the parent says it is its turn.
  const parent = childIndex === null ? null : serveParent(process, () => app.gatewayStatus());
  const app = createApp({
    config,
    logger,
    clock: systemClock,
    db,
    ...(botProcesses ? { botProcesses } : {}),
    ...(parent ? { beforeLogin: parent.turn } : {}),
    // Discord will not take the shard back (bad token, wrong shard count, refused intent): stop and exit 1, so a
    // supervisor shows the failure instead of a process that runs without capturing.
    // A child exits with its own status so that its parent does not restart it.
    onFatalClose: (close) => failAndExit(close.message, childIndex === null ? 1 : FATAL_CLOSE_EXIT_CODE),
  });
  const shutdown = (signal: string): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // Ctrl-C reaches a child too (same process group): it waits for its parent's SIGTERM instead, so that the parent
  // does not take the child's exit for a crash and restart it.
  process.on('SIGINT', () => (childIndex === null ? shutdown('SIGINT') : undefined));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // A child whose parent is gone (killed with -9) stops too, rather than capture unsupervised.
  if (childIndex !== null) process.on('disconnect', () => shutdown('parent exited'));
  try {
    await app.start();
  } catch (error) {
    if (childIndex !== null && error instanceof FatalCloseError) {
      process.stderr.write(`clipscope: ${error.message}\n`);
      process.exit(FATAL_CLOSE_EXIT_CODE);
    }
    throw error;
  }
  parent?.ready();
  if (app.services.every((service) => service.name === 'scheduler')) {
    if (!config.ROLES.every((role) => role === 'jobs'))
      logger.warn('nothing to serve: set DISCORD_TOKEN, or leave HTTP_ENABLED=true for the API; waiting for a signal');
    // Keep the process alive so that `npm start` behaves like a service with no gateway or HTTP server (a jobs-only process).
    setInterval(() => undefined, 1 << 30);
  }
  logger.info('clipscope running');
}

/**
 * The configured database, opened and migrated (src/db/open.ts). On PostgreSQL the line naming it comes first; a
 * server that cannot be reached ends the process with one line and status 1, and so does a start while parts of
 * Clipscope are not yet available there (the server is checked first, nothing is migrated).
 */
async function openConfiguredDatabase(config: Config, logger: ReturnType<typeof createLogger>): Promise<Db> {
  const target = databaseTarget(config);
  if (target.engine === 'sqlite') return openDb(target);
  const { engine, database, line } = describeDatabase(config);
  logger.info({ engine, database, poolSize: config.DATABASE_POOL_SIZE, statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS }, line);
  const refusal = postgresRefusal(database);
  let db: Db;
  try {
    db = await openDb(target, { migrate: refusal === null, poolSize: poolSizes(config).main });
  } catch (error) {
    if (!(error instanceof PostgresError)) throw error;
    process.stderr.write(`clipscope: PostgreSQL is unreachable, not starting: ${error.message}\n`);
    process.exit(1);
  }
  if (refusal !== null) {
    await closeDb(db);
    process.stderr.write(`clipscope: ${refusal}\n`);
    process.exit(1);
  }
  return db;
}

main().catch((error: unknown) => {
  process.stderr.write(`clipscope: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
