// `npm run demo`: a populated dashboard in one command, on a synthetic community built (once) into a separate
// database, with a ready API token for its largest guild. Never touches the real database.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { aggregateAll } from '../analytics/aggregate';
import { systemClock } from '../clock';
import { ConfigError, loadConfig } from '../config';
import { closeDatabase, openDatabase, type Db } from '../db/client';
import { createHttpServer } from '../http/server';
import { httpServices } from '../http/services';
import { createApiToken } from '../auth/tokens';
import { createLogger } from '../logger';

/** The part of src/demo/generator.ts (the synthetic community generator) the demo uses. */
interface GeneratorModule {
  generateCommunity(
    db: Db,
    options: { clips: number; seed: number; endAt: number; bulk?: boolean; onProgress?: (done: number, total: number) => void },
  ): { guilds: number; clips: number; shares: number; reactions: number; viewReadings: number; durationMs: number };
}

const HELP = `Usage: npm run demo [-- --database PATH] [--clips N] [--fresh]

Builds a synthetic community (two years of clips, shares and reactions; default 10,000 clips) into a
separate database, prints an API token for its largest guild and serves the dashboard on it.

Options:
  --database PATH   demo database (default ./data/demo.db); reused on the next run
  --clips N         clips to generate when building (default 10000)
  --fresh           rebuild the demo database even if it exists
Settings: HTTP_HOST and HTTP_PORT as for npm start.`;

async function loadGenerator(): Promise<GeneratorModule> {
  // Imported by path at run time: the generator is its own module (shared with the benchmarks).
  const modulePath = path.join(path.dirname(fileURLToPath(import.meta.url)), 'generator.ts');
  if (!fs.existsSync(modulePath)) {
    throw new Error(`the synthetic community generator (${path.relative(process.cwd(), modulePath)}) is not in this checkout`);
  }
  return (await import(modulePath)) as GeneratorModule;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { database: { type: 'string' }, clips: { type: 'string' }, fresh: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL });
  const databasePath = values.database ?? './data/demo.db';
  const clips = values.clips === undefined ? 10_000 : Number(values.clips);
  if (!Number.isInteger(clips) || clips < 100 || clips > 2_000_000) throw new Error('--clips: expected a whole number from 100 to 2000000');
  if (path.resolve(databasePath) === path.resolve(config.DATABASE_PATH)) {
    throw new Error(`--database must not be the real database (${config.DATABASE_PATH}); the demo writes a synthetic community into it`);
  }

  if (values.fresh) for (const file of [databasePath, `${databasePath}-wal`, `${databasePath}-shm`]) fs.rmSync(file, { force: true });
  const build = !fs.existsSync(databasePath);
  const db = openDatabase({ path: databasePath });
  if (build) {
    const generator = await loadGenerator();
    process.stderr.write(`Building the demo community (${clips.toLocaleString('en-US')} clips) into ${databasePath}…\n`);
    // The data ends at the hour it is generated, not at midnight UTC, so "Today" has today's clips too.
    const HOUR = 3_600_000;
    const summary = generator.generateCommunity(db, {
      clips,
      seed: 1,
      endAt: Math.floor(Date.now() / HOUR) * HOUR,
      bulk: true,
    });
    process.stderr.write(
      `  ${summary.guilds} guilds, ${summary.clips.toLocaleString('en-US')} clips, ${summary.shares.toLocaleString('en-US')} shares, ${summary.reactions.toLocaleString('en-US')} reactions, ${summary.viewReadings.toLocaleString('en-US')} view readings in ${(summary.durationMs / 1000).toFixed(1)} s\n`,
    );
  } else {
    process.stderr.write(`Using the existing demo database ${databasePath} (pass --fresh to rebuild it).\n`);
  }
  await aggregateAll(db, { clock: systemClock, logger });

  const services = httpServices(db);
  const largest = await services.analytics.largestGuild();
  if (!largest) throw new Error(`${databasePath} holds no clips; run again with --fresh`);
  const token = (await createApiToken(db, { guildId: largest.guildId, name: 'demo' }, systemClock.now())).token;

  const server = await createHttpServer({
    ...services,
    clock: systemClock,
    logger,
    options: {
      corsOrigins: config.HTTP_CORS_ORIGINS,
      rateLimitPerMinute: config.HTTP_RATE_LIMIT_PER_MINUTE,
      rateLimitPerIpPerMinute: config.HTTP_RATE_LIMIT_PER_IP_PER_MINUTE,
      cacheSeconds: config.HTTP_CACHE_SECONDS,
      changeCheckMs: config.HTTP_CHANGE_CHECK_MS,
      trustProxy: config.HTTP_TRUST_PROXY,
    },
  });
  const url = await server.listen(config.HTTP_HOST, config.HTTP_PORT);
  process.stdout.write(
    [
      '',
      `Clipscope demo: ${url}/`,
      `Guild ${largest.guildId} (${largest.clips.toLocaleString('en-US')} clips). Paste this API token into the sign-in form:`,
      '',
      `  ${token}`,
      '',
      `Or try the API: curl -H "Authorization: Bearer ${token}" "${url}/analytics/api/top-creators?period=month"`,
      'Ctrl+C to stop.',
      '',
    ].join('\n'),
  );

  const stop = (): void => {
    server.close().finally(() => {
      closeDatabase(db);
      process.exit(0);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.problems.join('; ') : error instanceof Error ? error.message : String(error);
  process.stderr.write(`clipscope demo: ${message}\n`);
  process.exit(1);
});
