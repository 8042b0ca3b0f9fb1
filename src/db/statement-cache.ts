// A view of a Db whose raw client reuses prepared statements by SQL text. The capture storage functions prepare
// their statements at every call, which is fine for live events but dominated bulk imports (about 60% of the time
// went into compiling the same SQL again). Only for callers that use get/all/run (no iterate, raw or pluck modes).
import type Database from 'better-sqlite3';
import type { Db } from './client';

export function withStatementCache(db: Db): Db {
  const client = db.$client;
  const statements = new Map<string, Database.Statement>();
  const bound = new Map<PropertyKey, unknown>();
  const prepare = (source: string): Database.Statement => {
    let statement = statements.get(source);
    if (!statement) {
      statement = client.prepare(source);
      statements.set(source, statement);
    }
    return statement;
  };
  const cachedClient = new Proxy(client, {
    get(target, property) {
      if (property === 'prepare') return prepare;
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      let fn = bound.get(property);
      if (!fn) {
        fn = (value as (...args: unknown[]) => unknown).bind(target);
        bound.set(property, fn);
      }
      return fn;
    },
  });
  // The drizzle half keeps its own client; only raw-SQL callers (the capture functions) see the cache.
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property === '$client') return cachedClient;
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}
