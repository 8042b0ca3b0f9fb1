// The PostgreSQL text of an analytics read written for SQLite's planner: SQLite's hints removed, nothing else changed.
// The reads are written once in the subset both engines understand (greatest/least are not used, casts name types
// both know); what SQLite alone needs to be steered to the right index has no meaning to PostgreSQL, whose planner
// chooses by cost: a unary + on a column (it rules out the column's indexes), INDEXED BY, and CROSS JOIN … ON (SQLite
// keeps the left table outer; PostgreSQL allows no ON after CROSS JOIN).
import { run, type Db } from '../client';
import { queries, type SqlParams } from '../sql';

const cache = new Map<string, string>();

/** `sql` as PostgreSQL runs it; memoised per text (the texts are a fixed set, built from sorts and filters). */
export function postgresText(sql: string): string {
  let text = cache.get(sql);
  if (text === undefined) {
    text = sql
      .replace(/(^|[\s(,=<>])\+(?=[a-z_]+\.)/g, '$1')
      .replace(/\s+INDEXED BY \w+/g, '')
      .replace(/\bCROSS JOIN (\w+ \w+)(?=\s+ON\b)/g, 'JOIN $1');
    cache.set(sql, text);
  }
  return text;
}

/** A PostgreSQL array literal of texts ({"a","b"}) to bind as one text[] parameter: every element quoted and escaped. */
export function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/**
 * Every row of a read written for SQLite, on either engine: through the connection's cached statement on SQLite, as
 * postgresText on PostgreSQL. For reads whose SQLite path is one statement per call (the hot leaderboard reads keep
 * their own raw-mode path).
 */
export function readRows<R>(db: Db, sql: string, params?: SqlParams): Promise<R[]> {
  if (db.engine === 'postgres') return queries(db).all<R>(postgresText(sql), params);
  return run(db, (c) =>
    params === undefined
      ? c.statement<[], R>(sql).all()
      : c.statement<Record<string, unknown>, R>(sql).all(params as Record<string, unknown>),
  );
}

/** The first row of readRows, or undefined. */
export function readRow<R>(db: Db, sql: string, params?: SqlParams): Promise<R | undefined> {
  if (db.engine === 'postgres') return queries(db).get<R>(postgresText(sql), params);
  return run(db, (c) =>
    params === undefined
      ? c.statement<[], R>(sql).get()
      : c.statement<Record<string, unknown>, R>(sql).get(params as Record<string, unknown>),
  );
}
