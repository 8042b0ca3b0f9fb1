// One way to open the configured database, whichever engine: DATABASE_URL (or a postgres:// --database) gives a
// PostgreSQL pool, checked with one round trip and migrated; anything else is the SQLite file at DATABASE_PATH (or
// the --database path), migrated. Entry points (npm start, the HTTP worker, the CLI, the benchmarks) open through
// here and close with closeDb, so none of them knows which engine it runs on.
import { closeDatabase, openDatabase } from './client';
import type { Db } from './database';
import { checkPostgres, closePostgres, describePostgresUrl, isPostgresUrl, openPostgres, type PostgresDb } from './postgres/engine';
import { migratePostgres } from './schema-postgres/migrate';

/** The database settings of the configuration (src/config.ts), as plain values: src/db does not import config. */
export interface DatabaseSettings {
  DATABASE_PATH: string;
  DATABASE_URL?: string | undefined;
  DATABASE_POOL_SIZE: number;
  DATABASE_STATEMENT_TIMEOUT_MS: number;
  DATABASE_ACQUIRE_TIMEOUT_MS: number;
  /** SQLite's page cache per connection in MB; absent = DEFAULT_DATABASE_CACHE_MB. Unused on PostgreSQL. */
  DATABASE_CACHE_MB?: number | undefined;
}

/** Where a database is and how to reach it: plain data, so it can be handed to a worker thread. */
export type DatabaseTarget =
  | { engine: 'sqlite'; path: string; cacheMb?: number | undefined }
  | { engine: 'postgres'; url: string; poolSize: number; statementTimeoutMs: number; acquireTimeoutMs: number };

/**
 * The database the settings name: `location` (a --database option: a file path or a postgres:// URL) when given,
 * else DATABASE_URL when set, else DATABASE_PATH.
 */
export function databaseTarget(settings: DatabaseSettings, location?: string): DatabaseTarget {
  const url = location === undefined ? settings.DATABASE_URL : isPostgresUrl(location) ? location : undefined;
  if (url !== undefined) {
    return {
      engine: 'postgres',
      url,
      poolSize: settings.DATABASE_POOL_SIZE,
      statementTimeoutMs: settings.DATABASE_STATEMENT_TIMEOUT_MS,
      acquireTimeoutMs: settings.DATABASE_ACQUIRE_TIMEOUT_MS,
    };
  }
  return { engine: 'sqlite', path: location ?? settings.DATABASE_PATH, cacheMb: settings.DATABASE_CACHE_MB };
}

/** Where the target's data lives, for logs and messages (never a password). */
export function describeTarget(target: DatabaseTarget): string {
  return target.engine === 'sqlite' ? target.path : describePostgresUrl(target.url);
}

export interface OpenDbOptions {
  /** Apply pending migrations (default true). A second handle in the same process (the HTTP worker) skips them. */
  migrate?: boolean;
  /** Overrides the target's pool size (PostgreSQL only). */
  poolSize?: number;
  /** application_name in pg_stat_activity (PostgreSQL only; default "clipscope"). */
  applicationName?: string;
}

/**
 * Opens the target and, unless `migrate: false`, brings its schema up to date. On PostgreSQL it first connects once
 * (an unreachable server throws the engine's named PostgresError, "cannot connect to PostgreSQL at …", and the pool
 * is closed again); SQLite creates the file and its folder when missing.
 */
export async function openDb(target: DatabaseTarget, options: OpenDbOptions = {}): Promise<Db> {
  if (target.engine === 'sqlite') {
    return openDatabase({ path: target.path, migrate: options.migrate ?? true, ...(target.cacheMb ? { cacheMb: target.cacheMb } : {}) });
  }
  const db = openPostgres({
    url: target.url,
    poolSize: options.poolSize ?? target.poolSize,
    statementTimeoutMs: target.statementTimeoutMs,
    acquireTimeoutMs: target.acquireTimeoutMs,
    ...(options.applicationName ? { applicationName: options.applicationName } : {}),
  });
  try {
    await checkPostgres(db);
    if (options.migrate ?? true) await migratePostgres(db.pool);
  } catch (error) {
    await closePostgres(db);
    throw error;
  }
  return db;
}

/** Closes a handle opened by openDb (either engine): SQLite checkpoints and closes, PostgreSQL ends its pool. */
export async function closeDb(db: Db): Promise<void> {
  if (db.engine === 'postgres') await closePostgres(db as PostgresDb);
  else closeDatabase(db);
}
