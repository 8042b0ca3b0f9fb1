// A view of a database whose raw client prepares each distinct SQL text once and reuses the statement.
// The capture functions prepare their statements on every call; for a bulk build of millions of rows that
// compile step is half the time. Same code paths, same SQL, same rows: only the compiling is shared.
import type Database from 'better-sqlite3';
import type { Db } from '../db/client';

/**
 * Returns a Db that behaves like `db` but caches prepared statements by SQL text. Safe for code that does not
 * keep a statement iterating while running the same SQL again (the capture layer never iterates).
 */
export function withStatementCache(db: Db): Db {
  const raw = db.$client;
  const cache = new Map<string, Database.Statement>();
  const client = new Proxy(raw, {
    get(target, property) {
      if (property === 'prepare') {
        return (sql: string) => {
          let statement = cache.get(sql);
          if (!statement) {
            statement = target.prepare(sql);
            cache.set(sql, statement);
          }
          return statement;
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  const view = Object.create(db) as Db;
  Object.defineProperty(view, '$client', { value: client, enumerable: true });
  return view;
}
