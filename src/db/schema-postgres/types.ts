// The column types the PostgreSQL schema is written in, so that every table says the same thing the same way
// (docs/adr/0007-postgresql-schema.md).
import { bigint, customType } from 'drizzle-orm/pg-core';

/**
 * Text compared and ordered byte by byte (COLLATE "C"), as SQLite's BINARY collation does: ids ordered for keyset
 * pagination and tie-breaks (clip_id, creator_id, game_id, snowflakes) sort the same on both engines whatever the
 * database's default locale, lower() folds ASCII only (as SQLite's does), and b-tree comparisons are memcmp.
 * Every text column uses it. Narrow an enum column with `.$type<…>()`.
 */
export const text = customType<{ data: string; driverData: string }>({
  dataType: () => 'text COLLATE "C"',
});

/** UTC epoch milliseconds, the same integers the SQLite schema stores; read back as a JS number. */
export const millis = (name: string) => bigint(name, { mode: 'number' });

/** A count that can pass 2^31 (views and their sums, byte sizes); read back as a JS number (exact below 2^53). */
export const bigCount = (name: string) => bigint(name, { mode: 'number' });

/** The surrogate row id of a table whose SQLite twin has `INTEGER PRIMARY KEY AUTOINCREMENT`. */
export const identity = (name: string) => bigint(name, { mode: 'number' }).generatedAlwaysAsIdentity();
