// One statement text for both engines. A store writes its SQL once, with `?` or `@name` placeholders, and runs it
// through `queries(db)`: on SQLite through the connection's statement cache (src/db/client.ts), at once when no other
// caller's transaction holds the connection; on PostgreSQL as a named prepared statement (`cs_<sha1 of the text>`,
// prepared once per pooled connection) with the placeholders rewritten as `$n`. The few statements that must differ
// (upsert syntax PostgreSQL lacks, engine-specific functions) pick their text with `dialect(db, …)`.
import { createHash } from 'node:crypto';
import type { Connection, SqliteDb } from './client';
import type { Db } from './database';
import type { PostgresDb } from './postgres/engine';
import { toPostgresPlaceholders } from './postgres/placeholders';

/** A value a statement binds. Booleans are bound as 1/0 on SQLite and as booleans on PostgreSQL. */
export type SqlValue = string | number | bigint | boolean | null | Buffer;

/** Positional values for `?` placeholders, or one object for `@name` placeholders (never both in one statement). */
export type SqlParams = readonly SqlValue[] | { readonly [name: string]: SqlValue | undefined };

export interface RunResult {
  /** Rows inserted, updated or deleted by the statement. */
  changes: number;
}

/** The statements of one handle (the pool's or a transaction's), the same on both engines. */
export interface Queries {
  /** Every row, as objects keyed by column name. */
  all<R>(sql: string, params?: SqlParams): Promise<R[]>;
  /** The first row, or undefined. */
  get<R>(sql: string, params?: SqlParams): Promise<R | undefined>;
  /** Every row as an array of values in column order (cheaper than objects for wide, hot reads). */
  values<R extends unknown[]>(sql: string, params?: SqlParams): Promise<R[]>;
  /** A statement run for its effect; resolves with how many rows it changed. */
  run(sql: string, params?: SqlParams): Promise<RunResult>;
}

const byHandle = new WeakMap<Db, Queries>();

/** The statements of `db`, made once per handle. */
export function queries(db: Db): Queries {
  let q = byHandle.get(db);
  if (q === undefined) {
    q = db.engine === 'postgres' ? new PostgresQueries(db as PostgresDb) : new SqliteQueries(db as SqliteDb);
    byHandle.set(db, q);
  }
  return q;
}

/**
 * `column <this>` with one JSON array parameter of integer keys: "is one of them". PostgreSQL's form is an array, not
 * `IN (SELECT …)`: the planner takes a set-returning function for 100 rows and then reads every row of the guild and
 * period type (a sequential scan: 64–82 ms for three days at L), but an array for 10 elements, and probes the index.
 */
export const KEYS_IN_JSON_LIST = {
  sqlite: 'IN (SELECT value FROM json_each(?))',
  postgres: '= ANY (ARRAY(SELECT (jsonb_array_elements_text(?::jsonb))::bigint))',
} as const;

/** The choice for `db`'s engine, for the few statements (or fragments) that cannot be written once for both. */
export function dialect<T>(db: Db, choices: { sqlite: T; postgres: T }): T {
  return db.engine === 'postgres' ? choices.postgres : choices.sqlite;
}

// SQLite: the connection's statement cache, no per-call allocation beyond what better-sqlite3 makes itself.

const ALL = 0;
const GET = 1;
const VALUES = 2;
const RUN = 3;
type Mode = typeof ALL | typeof GET | typeof VALUES | typeof RUN;

class SqliteQueries implements Queries {
  constructor(private readonly db: SqliteDb) {}

  all<R>(sql: string, params?: SqlParams): Promise<R[]> {
    return this.execute(ALL, sql, params) as Promise<R[]>;
  }

  get<R>(sql: string, params?: SqlParams): Promise<R | undefined> {
    return this.execute(GET, sql, params) as Promise<R | undefined>;
  }

  values<R extends unknown[]>(sql: string, params?: SqlParams): Promise<R[]> {
    return this.execute(VALUES, sql, params) as Promise<R[]>;
  }

  run(sql: string, params?: SqlParams): Promise<RunResult> {
    return this.execute(RUN, sql, params) as Promise<RunResult>;
  }

  /** Like `run` in client.ts: at once when the handle may use the connection, else in its turn when it is released. */
  private execute(mode: Mode, sql: string, params: SqlParams | undefined): Promise<unknown> {
    const db = this.db;
    try {
      if (db.mayRun()) return Promise.resolve(runOnSqlite(db.state, mode, sql, params));
    } catch (error) {
      return Promise.reject(error);
    }
    return db.state.whenFree(() => runOnSqlite(db.state, mode, sql, params));
  }
}

function runOnSqlite(c: Connection, mode: Mode, sql: string, params: SqlParams | undefined): unknown {
  const statement = mode === VALUES ? c.rawStatement(sql) : c.statement(sql);
  // better-sqlite3 takes an array for `?` and an object for `@name`, as SqlParams are.
  const bound = params === undefined ? undefined : (sqliteParams(params) as unknown[]);
  switch (mode) {
    case ALL:
    case VALUES:
      return bound === undefined ? statement.all() : statement.all(bound);
    case GET:
      return bound === undefined ? statement.get() : statement.get(bound);
    case RUN:
      // better-sqlite3's own result object, whose `changes` is the RunResult.
      return bound === undefined ? statement.run() : statement.run(bound);
  }
}

const sqliteBoolean = (v: unknown): unknown => (typeof v === 'boolean' ? (v ? 1 : 0) : v);

/** SQLite cannot bind booleans: 1/0 instead. The params themselves (no copy) when they hold no boolean. */
function sqliteParams(params: SqlParams): SqlParams {
  if (Array.isArray(params)) {
    for (let i = 0; i < params.length; i++) if (typeof params[i] === 'boolean') return params.map(sqliteBoolean) as SqlValue[];
    return params;
  }
  const named = params as { readonly [name: string]: SqlValue | undefined };
  for (const key in named) {
    if (typeof named[key] === 'boolean') {
      const copy: Record<string, unknown> = {};
      for (const k in named) copy[k] = sqliteBoolean(named[k]);
      return copy as SqlParams;
    }
  }
  return params;
}

// PostgreSQL: named prepared statements with `$n` placeholders.

interface PreparedText {
  /** The prepared statement's name: cs_ and the SHA-1 of its text. */
  name: string;
  text: string;
  names: readonly string[] | null;
}

const prepared = new Map<string, PreparedText>();

/** The PostgreSQL form of a statement text, rewritten and named once per distinct text. */
export function postgresStatement(sql: string): PreparedText {
  let p = prepared.get(sql);
  if (p === undefined) {
    const converted = toPostgresPlaceholders(sql);
    p = { name: `cs_${createHash('sha1').update(converted.text).digest('hex')}`, text: converted.text, names: converted.names };
    prepared.set(sql, p);
  }
  return p;
}

function postgresValues(p: PreparedText, params: SqlParams | undefined): unknown[] | undefined {
  if (params === undefined) return undefined;
  if (p.names === null) {
    if (!Array.isArray(params)) throw new Error(`a statement with ? placeholders takes an array of values, not an object: ${p.text}`);
    return params as unknown[];
  }
  if (Array.isArray(params)) throw new Error(`a statement with @name placeholders takes one object of values: ${p.text}`);
  const named = params as { readonly [name: string]: SqlValue | undefined };
  return p.names.map((name) => {
    if (!(name in named)) throw new Error(`Missing named parameter "${name}"`);
    return named[name] ?? null;
  });
}

class PostgresQueries implements Queries {
  constructor(private readonly db: PostgresDb) {}

  async all<R>(sql: string, params?: SqlParams): Promise<R[]> {
    const p = postgresStatement(sql);
    return (await this.db.query({ name: p.name, text: p.text, values: postgresValues(p, params) })).rows as R[];
  }

  async get<R>(sql: string, params?: SqlParams): Promise<R | undefined> {
    return (await this.all<R>(sql, params))[0];
  }

  async values<R extends unknown[]>(sql: string, params?: SqlParams): Promise<R[]> {
    const p = postgresStatement(sql);
    return (await this.db.query({ name: p.name, text: p.text, values: postgresValues(p, params), rowMode: 'array' }))
      .rows as unknown as R[];
  }

  async run(sql: string, params?: SqlParams): Promise<RunResult> {
    const p = postgresStatement(sql);
    const result = await this.db.query({ name: p.name, text: p.text, values: postgresValues(p, params) });
    return { changes: result.rowCount ?? 0 };
  }
}
