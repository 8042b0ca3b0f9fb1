// clipscope copy: a generated community (3 guilds) goes SQLite → PostgreSQL → SQLite with identical raw rows,
// identical checksums and identical API answers; a copy that stops continues where it was; a non-empty target is
// refused; one guild goes home alone; the identity sequences move past the copied ids.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateAnalytics } from '../../src/analytics/aggregate';
import { createApiToken } from '../../src/auth/tokens';
import { runCli } from '../../src/cli/index';
import { ManualClock } from '../../src/clock';
import { missingOnPostgres } from '../../src/database-engine';
import { closeDatabase, openDatabase } from '../../src/db/client';
import { databaseChecksums } from '../../src/db/copy/checksum';
import { copyDatabase, PROGRESS_TABLE } from '../../src/db/copy/copy-database';
import { canonicalJson, readBatch } from '../../src/db/copy/rows';
import { COPY_TABLES, readTableShape } from '../../src/db/copy/tables';
import type { Db } from '../../src/db/database';
import { closePostgres, openPostgres } from '../../src/db/postgres/engine';
import { migratePostgres } from '../../src/db/schema-postgres/migrate';
import { queries } from '../../src/db/sql';
import { generateCommunity } from '../../src/demo/generator';
import { announcePostgresSkip, createPostgresDatabase, type TestPostgresDatabase } from '../helpers/engines';
import { bearer, startTestServer } from '../helpers/http-server';

/** One reactions row, by its key (the table is WITHOUT ROWID since the footprint migration, ADR 0041). */
const FIRST_REACTION =
  '(guild_id, message_id, emoji_key, user_id) = ' +
  '(SELECT guild_id, message_id, emoji_key, user_id FROM reactions ORDER BY guild_id, message_id, emoji_key, user_id LIMIT 1)';

const END = Date.parse('2026-11-01T00:00:00Z');
/** Whether the API can answer from PostgreSQL on this tree (the analytics reads and data versions ported). */
const readsOnPostgres = missingOnPostgres(['reads', 'dataVersion']).length === 0;

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await runCli(args, { stdout, stderr, env: {} });
  return { code, stdout: out, stderr: err };
}

/** Every row of every table, in key order, values engine-neutral with JSON in canonical form. */
async function rawRows(db: Db): Promise<Record<string, unknown[][]>> {
  const all: Record<string, unknown[][]> = {};
  for (const table of COPY_TABLES) {
    const shape = await readTableShape(db, table.name);
    const batch = await readBatch(db, table, shape, { after: null, limit: 1_000_000, guildId: undefined });
    all[table.name] = batch.rows.map((row) => row.map((v, i) => (shape.kinds[i] === 'json' && v !== null ? canonicalJson(String(v)) : v)));
  }
  return all;
}

describe.skipIf(announcePostgresSkip())('clipscope copy', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-copy-'));
  const original = path.join(dir, 'original.db');
  let postgres: TestPostgresDatabase;
  let guilds: string[];

  beforeAll(async () => {
    const db = openDatabase({ path: original });
    generateCommunity(db, { clips: 600, guilds: 3, seed: 7, endAt: END });
    await aggregateAnalytics(db, { full: true }, { clock: new ManualClock(END) });
    guilds = (await queries(db).all<{ guild_id: string }>('SELECT guild_id FROM guild_settings ORDER BY guild_id')).map((g) => g.guild_id);
    for (const guildId of guilds) await createApiToken(db, { guildId, name: 'dashboard' }, END);
    closeDatabase(db);
    postgres = await createPostgresDatabase('copy-round-trip');
  }, 120_000);
  afterAll(async () => {
    await postgres?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('goes SQLite → PostgreSQL → SQLite with identical raw rows, checksums and API answers', async () => {
    expect(guilds).toHaveLength(3);
    const there = await cli(['copy', '--from', original, '--to', postgres.url]);
    expect(there.stderr).not.toContain('clipscope copy:');
    expect(there.code).toBe(0);
    expect(there.stdout).toMatch(/^Copied into postgres:\/\/postgres@127\.0\.0\.1:5432\/cs_test_copy_round_trip_\w+, verified:\n/);
    for (const guild of guilds) expect(there.stdout).toMatch(new RegExp(`\\n  ${guild}  [0-9a-f]{16}\\n`));

    const back = path.join(dir, 'back.db');
    expect((await cli(['copy', '--from', postgres.url, '--to', back])).code).toBe(0);

    const a = openDatabase({ path: original, migrate: false });
    const b = openDatabase({ path: back, migrate: false });
    try {
      const [rowsA, rowsB] = [await rawRows(a), await rawRows(b)];
      for (const table of COPY_TABLES) expect(rowsB[table.name], table.name).toEqual(rowsA[table.name]);
      expect(rowsA.clips!.length).toBe(600);
      expect(rowsA.creator_analytics!.length).toBeGreaterThan(0);
      const [sumsA, sumsB] = [await databaseChecksums(a), await databaseChecksums(b)];
      expect(sumsB.guilds).toEqual(sumsA.guilds);
      expect(sumsB.tables).toEqual(sumsA.tables);
      expect([...sumsA.guilds.keys()]).toEqual(guilds);
      // The checksums see a one-value change in one guild's row, and only in that guild.
      await queries(b).run(`UPDATE reactions SET reacted_at = reacted_at + 1 WHERE ${FIRST_REACTION}`);
      const changed = await databaseChecksums(b);
      expect(changed.tables.get('reactions')!.sum).not.toBe(sumsA.tables.get('reactions')!.sum);
      expect(guilds.filter((g) => changed.guilds.get(g) !== sumsA.guilds.get(g))).toHaveLength(1);
      await queries(b).run(`UPDATE reactions SET reacted_at = reacted_at - 1 WHERE ${FIRST_REACTION}`);

      // The same answers from every endpoint, for each guild: from the round-tripped file and, once the analytics
      // reads run on PostgreSQL, from the PostgreSQL copy itself.
      const pgCopy = readsOnPostgres ? openPostgres({ url: postgres.url, poolSize: 3 }) : null;
      const handles: Db[] = pgCopy ? [a, b, pgCopy] : [a, b];
      const servers = await Promise.all(handles.map((db) => startTestServer(db)));
      try {
        const endpoints = [
          'overview',
          'top-creators?period=all_time',
          'top-creators?period=month',
          'top-games?period=all_time',
          'top-games?period=week',
          'viral-clips?period=all_time',
          'engagement-timeline?period=month',
          'peak-times',
          'growth-opportunities?period=month',
          'compare?period=month',
          'linked-accounts',
          'status',
          'export.csv?report=top-creators&period=all_time',
          'export.csv?report=viral-clips&period=month',
        ];
        for (const guild of guilds) {
          const tokens = await Promise.all(handles.map((db) => createApiToken(db, { guildId: guild }, END)));
          for (const endpoint of endpoints) {
            const [ra, ...others] = await Promise.all(
              servers.map(({ server }, i) => server.app.inject({ url: `/analytics/api/${endpoint}`, headers: bearer(tokens[i]!.token) })),
            );
            expect(ra!.statusCode, `${endpoint} ${ra!.body}`).toBe(200);
            for (const [i, other] of others.entries()) {
              const which = `${endpoint} from ${i === 0 ? 'the round-tripped SQLite file' : 'the PostgreSQL copy'}`;
              expect(other.statusCode, `${which}: ${other.body}`).toBe(200);
              expect(other.body, which).toBe(ra!.body);
            }
          }
        }
      } finally {
        for (const { server } of servers) await server.close();
        if (pgCopy) await closePostgres(pgCopy);
      }
    } finally {
      closeDatabase(a);
      closeDatabase(b);
    }
  }, 120_000);

  it('refuses a target that already holds data, naming it', async () => {
    const again = await cli(['copy', '--from', original, '--to', postgres.url]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /^clipscope copy: postgres:\/\/postgres@\S+ is not empty \(clips has rows\): clipscope copy writes only into an empty database/m,
    );
  });

  it('moves the identity sequences past the copied ids', async () => {
    const db = openPostgres({ url: postgres.url, poolSize: 2 });
    try {
      const before = await queries(db).get<{ id: number }>('SELECT max(id) AS id FROM api_tokens');
      const created = await createApiToken(db, { guildId: guilds[0]!, name: 'after the copy' }, END);
      expect(created.id).toBe(before!.id + 1);
    } finally {
      await closePostgres(db);
    }
  });

  it('leaves the planner statistics of every copied table in place, whatever autovacuum does', async () => {
    const db = openPostgres({ url: postgres.url, poolSize: 2 });
    try {
      const analyzed = await queries(db).all<{ relname: string; analyzed: boolean }>(
        'SELECT relname, last_analyze IS NOT NULL AS analyzed FROM pg_stat_user_tables',
      );
      const byName = new Map(analyzed.map((r) => [r.relname, r.analyzed]));
      for (const table of COPY_TABLES) expect(byName.get(table.name), table.name).toBe(true);
      // What the planner gained: the guild's share rows counted, not guessed.
      const plan = await queries(db).all<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT * FROM shares WHERE guild_id = '${guilds[0]}'`);
      const estimate = Number(/rows=(\d+)/.exec(plan[0]!['QUERY PLAN'])?.[1]);
      const actual = (await queries(db).get<{ n: number }>('SELECT count(*) AS n FROM shares WHERE guild_id = ?', [guilds[0]!]))!.n;
      expect(estimate).toBeGreaterThan(Number(actual) / 2);
      expect(estimate).toBeLessThan(Number(actual) * 2);
    } finally {
      await closePostgres(db);
    }
  });

  it('continues a copy that stopped, and verifies the whole', async () => {
    const target = await createPostgresDatabase('copy-resume');
    const source = openDatabase({ path: original, migrate: false });
    const pg = openPostgres({ url: target.url, poolSize: 2 });
    try {
      await migratePostgres(pg.pool);
      let batches = 0;
      const first = await copyDatabase(source, pg, { batchRows: 50, shouldStop: () => ++batches > 5 });
      expect(first).toMatchObject({ stopped: true, resumed: false });
      const partial = await queries(pg).all<{ table_name: string; rows_copied: number; finished: number }>(
        `SELECT table_name, rows_copied, finished FROM ${PROGRESS_TABLE} WHERE rows_copied > 0 ORDER BY table_name`,
      );
      expect(partial).toEqual([{ table_name: 'clips', rows_copied: 250, finished: 0 }]);
      const second = await copyDatabase(source, pg, { batchRows: 50 });
      expect(second).toMatchObject({ stopped: false, resumed: true });
      expect(second.tables.find((t) => t.name === 'clips')?.rows).toBe(600);
      expect(second.checksums?.target.guilds).toEqual(second.checksums?.source.guilds);
      expect(
        await queries(pg).get(`SELECT 1 AS found FROM information_schema.tables WHERE table_name = '${PROGRESS_TABLE}'`),
      ).toBeUndefined();
    } finally {
      closeDatabase(source);
      await closePostgres(pg);
      await target.drop();
    }
  }, 60_000);

  it('takes one guild home: only its rows, with the same checksum as in the full database', async () => {
    const home = path.join(dir, 'home.db');
    const guild = guilds[1]!;
    const result = await cli(['copy', '--from', postgres.url, '--to', home, '--guild', guild]);
    expect(result.code).toBe(0);
    const db = openDatabase({ path: home, migrate: false });
    const full = openDatabase({ path: original, migrate: false });
    try {
      const [sums, fullSums] = [await databaseChecksums(db), await databaseChecksums(full)];
      expect([...sums.guilds.keys()]).toEqual([guild]);
      expect(sums.guilds.get(guild)).toBe(fullSums.guilds.get(guild));
      const clips = await queries(db).get<{ n: number }>('SELECT count(*) AS n FROM clips');
      const guildClips = await queries(full).get<{ n: number }>('SELECT count(*) AS n FROM clips WHERE guild_id = ?', [guild]);
      expect(clips!.n).toBe(guildClips!.n);
      expect(await queries(db).all('SELECT guild_id FROM api_tokens GROUP BY guild_id')).toEqual([{ guild_id: guild }]);
    } finally {
      closeDatabase(db);
      closeDatabase(full);
    }
  }, 60_000);
});
