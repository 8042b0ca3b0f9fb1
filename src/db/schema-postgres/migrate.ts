// Applies drizzle/postgres to a PostgreSQL database, once, however many processes start together: every migrator
// takes the same session-level advisory lock on a connection of its own first, so a second process waits for the
// first and then finds nothing left to apply (drizzle's migrator reads what was applied before it starts).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type pg from 'pg';

export const POSTGRES_MIGRATIONS_FOLDER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../drizzle/postgres');

/**
 * The advisory lock every Clipscope migrator takes: a fixed 64-bit key (the first 8 bytes of sha256
 * "clipscope:migrations"), so that no other application's lock on the same database collides with it by accident.
 * Advisory locks are per database: migrators of different databases never wait for each other.
 */
export const MIGRATION_LOCK_KEY = '5323151144331004612';

/**
 * Creates or upgrades the schema of the pool's database. Waits, with no statement timeout, for any other process
 * that migrates the same database. Needs a session of its own: behind PgBouncer in transaction pooling mode, point
 * the pool at PostgreSQL itself (or at a session-mode pool) for this call.
 */
export async function migratePostgres(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  let failure: Error | undefined;
  try {
    // A pool's statement_timeout would cut a long migration, or the wait for another process's, short.
    await client.query('SET statement_timeout = 0');
    await client.query('SET lock_timeout = 0');
    await client.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    try {
      await migrate(drizzle(client), { migrationsFolder: POSTGRES_MIGRATIONS_FOLDER });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
    }
    await client.query('RESET statement_timeout');
    await client.query('RESET lock_timeout');
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    // After a failure the connection is closed, not pooled: whatever state it is in (an aborted transaction, the
    // lock still held, the timeouts unset) ends with its session.
    client.release(failure ?? false);
  }
}
