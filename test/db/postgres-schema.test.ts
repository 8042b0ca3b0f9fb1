// The PostgreSQL schema and its migrations (issue #16), on the real server (test/helpers/postgres.ts: a fresh database
// for this file, dropped afterwards; a clear failure when the server is unreachable). The migrations apply to an
// empty database, once however many processes start together; every key of guild data begins with guild_id; the
// tables, columns and indexes are SQLite's in PostgreSQL's types; and the PL/pgSQL triggers keep latest_names and
// the names in summary rows exactly as SQLite's triggers do, write for write.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as sqliteSchema from '../../src/db/schema';
import { citusSetupStatements, DISTRIBUTED_TABLES, REFERENCE_TABLES } from '../../src/db/schema-postgres/citus';
import { MIGRATION_LOCK_KEY, migratePostgres, POSTGRES_MIGRATIONS_FOLDER } from '../../src/db/schema-postgres/migrate';
import { mulberry32 } from '../analytics/community-model';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../helpers/postgres';
import { createTempDb, type TempDb } from '../helpers/temp-db';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');

function journalTags(): string[] {
  const journal = JSON.parse(fs.readFileSync(path.join(POSTGRES_MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
    entries: Array<{ tag: string }>;
  };
  return journal.entries.map((e) => e.tag);
}

async function appliedCount(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM drizzle.__drizzle_migrations');
  return Number(rows[0]!.n);
}

async function publicTables(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(
    "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1",
  );
  return rows.map((r) => r.name);
}

/** Everything the migrations create, as text: a second run must leave it identical. */
async function catalogFingerprint(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ line: string }>(
    `SELECT c.relkind::text || ' ' || c.relname::text AS line FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname IN ('public', 'drizzle')
     UNION ALL SELECT 'trigger ' || tgname::text FROM pg_trigger WHERE NOT tgisinternal
     UNION ALL SELECT 'function ' || p.proname::text || ' ' || md5(p.prosrc) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = 'public'
     UNION ALL SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
       FROM information_schema.columns WHERE table_schema = 'public'
     ORDER BY 1`,
  );
  return rows.map((r) => r.line).join('\n');
}

interface KeyRow {
  table: string;
  index: string;
  primary: boolean;
  unique: boolean;
  partial: boolean;
  columns: string[];
}

/** Every index of the public tables, with its key columns (`name DESC` for a descending one). */
async function pgIndexes(pool: pg.Pool): Promise<KeyRow[]> {
  const { rows } = await pool.query<KeyRow>(
    `SELECT t.relname AS table, i.relname AS index, x.indisprimary AS primary, x.indisunique AS unique,
            x.indpred IS NOT NULL AS partial,
            (SELECT array_agg(a.attname::text || CASE WHEN (x.indoption[k.ord - 1] & 1) = 1 THEN ' DESC' ELSE '' END ORDER BY k.ord)
               FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) AS columns
       FROM pg_index x
       JOIN pg_class t ON t.oid = x.indrelid
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = 'public'
      ORDER BY 1, 2`,
  );
  return rows;
}

/** SQLite's tables and columns, read from a database its migrations built. */
function sqliteColumns(temp: TempDb): Map<string, Array<{ name: string; type: string; notnull: number }>> {
  const raw = temp.db.$client;
  const tables = raw
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '__drizzle_migrations' ORDER BY name",
    )
    .all()
    .map((r) => r.name);
  return new Map(
    tables.map((table) => [
      table,
      raw
        .prepare<[], { name: string; type: string; notnull: number }>(
          `SELECT name, lower(type) AS type, "notnull" FROM pragma_table_info('${table}')`,
        )
        .all(),
    ]),
  );
}

/** SQLite columns drizzle maps as booleans (`integer` with mode boolean), as table.column. */
function sqliteBooleanColumns(): string[] {
  const found: string[] = [];
  for (const value of Object.values(sqliteSchema)) {
    if (!(value instanceof SQLiteTable)) continue;
    const config = getTableConfig(value);
    for (const column of config.columns) if (column.columnType === 'SQLiteBoolean') found.push(`${config.name}.${column.name}`);
  }
  return found.sort();
}

/** 0/1 flags SQLite stores as plain integers ("any 0 wins") that PostgreSQL stores as booleans. */
const SQLITE_INTEGER_FLAGS = ['aggregation_pending.engagement_only', 'dirty_hours.engagement_only'];
/** Columns that hold JSON text in SQLite and jsonb in PostgreSQL. */
const JSON_COLUMNS = ['clips.discord_reaction_types', 'guild_settings.capture_channel_ids'];
/** Epoch-millisecond columns, by name. */
const TIME_COLUMN = /(^at$|_at$|_start$|_end$|_ts$|_through$)/;

describeWithPostgres('PostgreSQL schema and migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('schema');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('apply on an empty database', async () => {
    expect(await publicTables(db.pool)).toEqual([]);
    await migratePostgres(db.pool);
    expect(await appliedCount(db.pool)).toBe(journalTags().length);
    expect(await publicTables(db.pool)).toEqual([...DISTRIBUTED_TABLES, ...REFERENCE_TABLES].sort());
    // The lock is released, and the pool's connections are usable afterwards.
    // Only this database's locks: other test files migrate their own databases on the same server meanwhile.
    const { rows } = await db.pool.query(
      "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    );
    expect(rows[0].n).toBe(0);
  });

  it('change nothing when applied again', async () => {
    await migratePostgres(db.pool);
    const before = await catalogFingerprint(db.pool);
    await db.pool.query("INSERT INTO clips (guild_id, clip_id, url, first_seen_at, last_updated_at) VALUES ('g', 'Slug', 'u', 1, 1)");
    await migratePostgres(db.pool);
    expect(await catalogFingerprint(db.pool)).toBe(before);
    expect(await appliedCount(db.pool)).toBe(journalTags().length);
    expect((await db.pool.query('SELECT clip_id FROM clips')).rows).toEqual([{ clip_id: 'Slug' }]);
    await db.pool.query('DELETE FROM clips');
  });

  it('run once when several processes start together', async () => {
    const target = await createTestDatabase('concurrent');
    const holder = new pg.Client({ connectionString: target.url });
    try {
      // Hold the migration lock until every migrator is waiting for it, then let them all go at once.
      await holder.connect();
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
      const child = path.join(ROOT, 'test/helpers/postgres-migrate-child.ts');
      const processes = [1, 2].map(() => run(process.execPath, ['--import', 'tsx', child, target.url], { cwd: ROOT, timeout: 60_000 }));
      const pools = [1, 2].map(() => new pg.Pool({ connectionString: target.url, max: 2 }));
      const inProcess = pools.map((pool) => migratePostgres(pool));
      const waiting = async (): Promise<number> =>
        (
          await holder.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
          )
        ).rows[0]!.n;
      const deadline = Date.now() + 30_000;
      while ((await waiting()) < 4) {
        if (Date.now() > deadline) throw new Error('the migrators never waited for the lock');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // Nothing was created while the lock was held.
      expect((await holder.query("SELECT to_regclass('public.clips') AS t")).rows[0].t).toBeNull();
      await holder.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
      await Promise.all([...processes, ...inProcess]);
      await Promise.all(pools.map((pool) => pool.end()));
      const { rows } = await holder.query<{ hash: string; n: number }>(
        'SELECT hash, count(*)::int AS n FROM drizzle.__drizzle_migrations GROUP BY hash',
      );
      expect(rows).toHaveLength(journalTags().length);
      for (const row of rows) expect(row.n).toBe(1);
      expect((await holder.query("SELECT to_regclass('public.clips') AS t")).rows[0].t).toBe('clips');
    } finally {
      await holder.end().catch(() => {});
      await target.drop();
    }
  });

  it('begin every primary and unique key of guild data with guild_id; the other tables are the reference tables', async () => {
    await migratePostgres(db.pool);
    const tables = await publicTables(db.pool);
    expect([...DISTRIBUTED_TABLES].filter((t) => (REFERENCE_TABLES as readonly string[]).includes(t))).toEqual([]);
    expect(tables).toEqual([...DISTRIBUTED_TABLES, ...REFERENCE_TABLES].sort());
    const keys = (await pgIndexes(db.pool)).filter((k) => k.unique);
    for (const table of DISTRIBUTED_TABLES) {
      const ofTable = keys.filter((k) => k.table === table);
      expect(
        ofTable.some((k) => k.primary),
        `${table} has a primary key`,
      ).toBe(true);
      for (const key of ofTable) expect(key.columns[0], `${table}: ${key.index} (${key.columns.join(', ')})`).toBe('guild_id');
    }
    // The same from the constraints' side (a unique constraint is also an index; this catches either kind).
    const { rows: constraints } = await db.pool.query<{ table: string; name: string; first: string }>(
      `SELECT t.relname AS table, c.conname AS name, a.attname::text AS first
         FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = c.conkey[1]
        WHERE n.nspname = 'public' AND c.contype IN ('p', 'u')`,
    );
    for (const constraint of constraints.filter((c) => (DISTRIBUTED_TABLES as readonly string[]).includes(c.table))) {
      expect(constraint.first, `${constraint.table}: ${constraint.name}`).toBe('guild_id');
    }
    // The explicit changes of issue #16 (SQLite keyed these by message or channel alone).
    const keyOf = (index: string): string[] | undefined => keys.find((k) => k.index === index)?.columns;
    expect(keyOf('shares_guild_message_clip_uq')).toEqual(['guild_id', 'message_id', 'clip_id']);
    expect(keyOf('reactions_pkey')).toEqual(['guild_id', 'message_id', 'emoji_key', 'user_id']);
    expect(keyOf('reaction_baselines_pkey')).toEqual(['guild_id', 'message_id', 'emoji_key']);
    expect(keyOf('message_observations_pkey')).toEqual(['guild_id', 'message_id']);
    expect(keyOf('backfill_checkpoints_pkey')).toEqual(['guild_id', 'channel_id']);
    // The documented Citus setup places every table exactly once.
    const placed = citusSetupStatements().flatMap((statement) => [...statement.matchAll(/_table\('(\w+)'/g)].map((m) => m[1]!));
    expect(placed.sort()).toEqual(tables);
    // No foreign keys (Citus allows them only between co-located tables, through guild_id).
    expect((await db.pool.query("SELECT conname FROM pg_constraint WHERE contype = 'f'")).rows).toEqual([]);
  });

  it('have the tables and columns of the SQLite schema, in PostgreSQL types', async () => {
    await migratePostgres(db.pool);
    const temp = createTempDb();
    try {
      const sqlite = sqliteColumns(temp);
      const { rows } = await db.pool.query<{
        table_name: string;
        column_name: string;
        data_type: string;
        is_nullable: string;
        is_identity: string;
        identity_generation: string | null;
        collation_name: string | null;
      }>(
        `SELECT table_name, column_name, data_type, is_nullable, is_identity, identity_generation, collation_name
           FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`,
      );
      const pgTables = new Map<string, typeof rows>();
      for (const row of rows) pgTables.set(row.table_name, [...(pgTables.get(row.table_name) ?? []), row]);
      expect([...pgTables.keys()].sort()).toEqual([...sqlite.keys()].sort());

      const booleans = [...sqliteBooleanColumns(), ...SQLITE_INTEGER_FLAGS].sort();
      const problems: string[] = [];
      for (const [table, columns] of sqlite) {
        const pgColumns = pgTables.get(table) ?? [];
        expect(pgColumns.map((c) => c.column_name).sort(), table).toEqual(columns.map((c) => c.name).sort());
        for (const column of columns) {
          const key = `${table}.${column.name}`;
          const pgColumn = pgColumns.find((c) => c.column_name === column.name)!;
          const expected =
            column.type === 'real'
              ? ['double precision']
              : column.type === 'text'
                ? [JSON_COLUMNS.includes(key) ? 'jsonb' : 'text']
                : booleans.includes(key)
                  ? ['boolean']
                  : TIME_COLUMN.test(column.name)
                    ? ['bigint']
                    : ['bigint', 'integer'];
          if (!expected.includes(pgColumn.data_type)) problems.push(`${key}: ${column.type} → ${pgColumn.data_type}, expected ${expected}`);
          if ((pgColumn.is_nullable === 'NO') !== (column.notnull === 1)) problems.push(`${key}: NOT NULL differs`);
          if (pgColumn.data_type === 'text' && pgColumn.collation_name !== 'C')
            problems.push(`${key}: collation ${pgColumn.collation_name}`);
          if (
            column.name === 'id' &&
            (pgColumn.is_identity !== 'YES' || pgColumn.identity_generation !== 'ALWAYS' || pgColumn.data_type !== 'bigint')
          )
            problems.push(`${key}: not a bigint GENERATED ALWAYS AS IDENTITY`);
        }
      }
      expect(problems).toEqual([]);
    } finally {
      temp.cleanup();
    }
  });

  it('have an index for each SQLite index (its key, led by guild_id where PostgreSQL adds it)', async () => {
    await migratePostgres(db.pool);
    const temp = createTempDb();
    try {
      const raw = temp.db.$client;
      const pgKeys = await pgIndexes(db.pool);
      const missing: string[] = [];
      for (const table of sqliteColumns(temp).keys()) {
        const list = raw
          .prepare<[], { name: string; unique: number; origin: string; partial: number }>(
            `SELECT name, "unique", origin, partial FROM pragma_index_list('${table}')`,
          )
          .all();
        for (const index of list) {
          const columns = raw
            .prepare<[], { name: string; desc: number; key: number }>(`SELECT name, "desc", "key" FROM pragma_index_xinfo('${index.name}')`)
            .all()
            .filter((c) => c.key === 1)
            .map((c) => (c.desc ? `${c.name} DESC` : c.name));
          const widened = columns[0] === 'guild_id' ? columns : ['guild_id', ...columns];
          const match = pgKeys.find(
            (k) =>
              k.table === table &&
              (k.columns.join() === columns.join() || k.columns.join() === widened.join()) &&
              k.unique === (index.unique === 1) &&
              k.partial === (index.partial === 1),
          );
          if (!match) missing.push(`${table} ${index.name} (${columns.join(', ')})${index.unique ? ' unique' : ''}`);
        }
      }
      expect(missing).toEqual([]);
    } finally {
      temp.cleanup();
    }
  });

  it("keep latest names and the names in summary rows exactly as SQLite's triggers do", async () => {
    await migratePostgres(db.pool);
    await db.pool.query('TRUNCATE clips, latest_names, creator_analytics, game_analytics');
    const temp = createTempDb();
    const client = await db.pool.connect();
    try {
      const sqlite = temp.db.$client;
      /** One statement on both engines (`?` placeholders). */
      const both = async (sql: string, params: unknown[] = []): Promise<void> => {
        sqlite.prepare(sql).run(...params);
        let n = 0;
        await client.query(
          sql.replace(/\?/g, () => `$${++n}`),
          params,
        );
      };
      const snapshot = async (): Promise<{ sqlite: unknown; pg: unknown }> => {
        const queries = [
          'SELECT guild_id, kind, entity_id, name, clip_created_at, clip_id FROM latest_names ORDER BY guild_id, kind, entity_id',
          'SELECT guild_id, creator_id, period_type, creator_name, top_game_id, top_game_name FROM creator_analytics ORDER BY guild_id, creator_id, period_type',
          'SELECT guild_id, game_id, period_type, game_name FROM game_analytics ORDER BY guild_id, game_id, period_type',
        ];
        const normalise = (rows: Array<Record<string, unknown>>): unknown =>
          rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, k === 'clip_created_at' ? Number(v) : v])));
        const fromPg: unknown[] = [];
        for (const q of queries) fromPg.push(normalise((await client.query(q)).rows));
        // SQLite's ORDER BY is BINARY, PostgreSQL's COLLATE "C": the same order.
        return { sqlite: queries.map((q) => normalise(sqlite.prepare(q).all() as Array<Record<string, unknown>>)), pg: fromPg };
      };

      const random = mulberry32(16_2026);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
      const guilds = ['g1', 'g2'];
      const creators = ['c1', 'c2', 'c3', 'c4'];
      const games = ['', 'g-a', 'g-b', 'g-c'];
      const names = ['Alpha', 'alpha_renamed', 'Beta', 'Gamma', ''];
      const time = (): number | null => (random() < 0.1 ? null : 1_000 * Math.floor(random() * 6));
      const maybe = <T>(value: T): T | null => (random() < 0.15 ? null : value);
      // Summary rows of every creator and game, named as with no clips (the aggregator's fallbacks).
      for (const guild of guilds) {
        for (const [type, start] of [
          ['all_time', 0],
          ['day', 86_400_000],
        ] as const) {
          for (const [i, creator] of creators.entries()) {
            const topGame = i === 0 ? null : games[i % games.length]!;
            const topName = topGame === null ? null : topGame === '' ? 'Unknown game' : `Game ${topGame}`;
            await both(
              `INSERT INTO creator_analytics (guild_id, creator_id, creator_name, period_type, period_start, top_game_id, top_game_name, computed_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, 0)`,
              [guild, creator, creator, type, start, topGame, topName],
            );
          }
          for (const game of games) {
            await both(
              'INSERT INTO game_analytics (guild_id, game_id, game_name, period_type, period_start, computed_at) VALUES (?, ?, ?, ?, ?, 0)',
              [guild, game, game === '' ? 'Unknown game' : `Game ${game}`, type, start],
            );
          }
        }
      }
      const clipIds: string[] = [];
      let inserted = 0;
      for (let step = 0; step < 600; step++) {
        const roll = random();
        if (roll < 0.3 || clipIds.length === 0) {
          // Ids that differ by case, so that ties on clip_created_at break on byte order ('B' < 'a').
          const clipId = `Clip${inserted++ % 7}${pick(['a', 'B', 'c'])}${inserted}`;
          clipIds.push(clipId);
          const pending = random() < 0.4;
          await both(
            `INSERT INTO clips (guild_id, clip_id, url, creator_id, creator_name, game_id, game_name, clip_created_at, first_seen_at, last_updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 1)`,
            [
              pick(guilds),
              clipId,
              `https://clips.twitch.tv/${clipId}`,
              pending ? null : maybe(pick(creators)),
              pending ? null : maybe(pick(names)),
              pending ? null : maybe(pick(games)),
              pending ? null : maybe(pick(names)),
              pending ? null : time(),
            ],
          );
        } else if (roll < 0.9) {
          const sets: string[] = [];
          const params: unknown[] = [];
          for (const [column, value] of [
            ['creator_id', maybe(pick(creators))],
            ['creator_name', maybe(pick(names))],
            ['game_id', maybe(pick(games))],
            ['game_name', maybe(pick(names))],
            ['clip_created_at', time()],
            ['view_count', Math.floor(random() * 100)],
          ] as const) {
            if (random() < 0.5) {
              sets.push(`${column} = ?`);
              params.push(value);
            }
          }
          if (sets.length === 0) continue;
          await both(`UPDATE clips SET ${sets.join(', ')} WHERE clip_id = ?`, [...params, pick(clipIds)]);
        } else {
          const index = Math.floor(random() * clipIds.length);
          await both('DELETE FROM clips WHERE clip_id = ?', [clipIds[index]]);
          clipIds.splice(index, 1);
        }
        const { sqlite: expected, pg: actual } = await snapshot();
        expect(actual, `after step ${step}`).toEqual(expected);
      }
      const { pg: final } = await snapshot();
      expect((final as unknown[][])[0]!.length).toBeGreaterThan(10);
    } finally {
      client.release();
      temp.cleanup();
    }
  });
});
