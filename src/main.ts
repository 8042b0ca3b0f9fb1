// `npm start`: loads the configuration, starts every configured service, and shuts down cleanly on a signal.
import type { Config } from './config';
import { createApp } from './app';
import { systemClock } from './clock';
import { ConfigError, loadConfig, loadDotEnvFile } from './config';
import { startOnPostgres } from './database-engine';
import { createLogger, prettyDestination, usePrettyLogs } from './logger';

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
  const logger = createLogger({
    level: config.LOG_LEVEL,
    ...(usePrettyLogs(config.LOG_FORMAT, process.stdout.isTTY) ? { destination: prettyDestination(process.stdout) } : {}),
  });
  if (config.DATABASE_URL) process.exit(await startOnPostgres(config, logger, (line) => process.stderr.write(`${line}\n`)));
  const app = createApp({ config, logger, clock: systemClock });
  let shuttingDown = false;
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
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  await app.start();
  if (app.services.length <= 1) {
    logger.warn('nothing to serve: set DISCORD_TOKEN, or leave HTTP_ENABLED=true for the API; waiting for a signal');
    // Keep the process alive so that `npm start` behaves like a service even with nothing enabled.
    setInterval(() => undefined, 1 << 30);
  }
  logger.info('clipscope running');
}

main().catch((error: unknown) => {
  process.stderr.write(`clipscope: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
