// One statement text on both engines through queries(db): rows, first row, value arrays and change counts, `?` and
// `@name` parameters, booleans, transactions, and the dialect switch for what differs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteClient } from '../../src/db/client';
import type { PostgresDb } from '../../src/db/postgres/engine';
import { dialect, postgresStatement, queries } from '../../src/db/sql';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

describe.each(testEngines())('queries on %s', (engine) => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'sql', { migrate: false });
    const create = 'CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, flag boolean NOT NULL DEFAULT false, score bigint)';
    if (engine === 'sqlite') sqliteClient(t.db).exec(create);
    else await (t.db as PostgresDb).query(create);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('runs the same text with ? and @name parameters, and counts changes', async () => {
    const q = queries(t.db);
    expect(await q.run('INSERT INTO items (id, name, flag, score) VALUES (?, ?, ?, ?)', [1, 'one', true, 10])).toMatchObject({
      changes: 1,
    });
    expect(
      await q.run('INSERT INTO items (id, name, flag, score) VALUES (@id, @name, @flag, @score)', {
        id: 2,
        name: 'two',
        flag: false,
        score: null,
      }),
    ).toMatchObject({ changes: 1 });
    expect(await q.run('UPDATE items SET score = coalesce(score, 0) + @by WHERE id >= @from', { by: 5, from: 1 })).toMatchObject({
      changes: 2,
    });
    expect(await q.run('DELETE FROM items WHERE id = ?', [99])).toMatchObject({ changes: 0 });
  });

  it('reads rows as objects, the first row, and rows as value arrays, with bigints as numbers', async () => {
    const q = queries(t.db);
    const rows = await q.all<{ id: number; name: string; score: number }>('SELECT id, name, score FROM items ORDER BY id');
    expect(rows).toEqual([
      { id: 1, name: 'one', score: 15 },
      { id: 2, name: 'two', score: 5 },
    ]);
    expect(await q.get<{ name: string }>('SELECT name FROM items WHERE id = ?', [2])).toEqual({ name: 'two' });
    expect(await q.get('SELECT name FROM items WHERE id = ?', [404])).toBeUndefined();
    expect(await q.values<[number, string]>('SELECT id, name FROM items ORDER BY id DESC')).toEqual([
      [2, 'two'],
      [1, 'one'],
    ]);
    expect(await q.get<{ n: number }>('SELECT count(*) AS n FROM items')).toEqual({ n: 2 });
  });

  it('binds booleans as the engine stores them and finds them with either parameter style', async () => {
    const q = queries(t.db);
    const flagged = await q.all<{ id: number }>('SELECT id FROM items WHERE flag = ?', [true]);
    expect(flagged).toEqual([{ id: 1 }]);
    expect(await q.all<{ id: number }>('SELECT id FROM items WHERE flag = @flag', { flag: false })).toEqual([{ id: 2 }]);
    const stored = await q.get<{ flag: unknown }>('SELECT flag FROM items WHERE id = 1');
    expect(stored!.flag).toBe(engine === 'sqlite' ? 1 : true);
  });

  it('returns RETURNING rows through get and all', async () => {
    const q = queries(t.db);
    expect(await q.get<{ id: number }>('INSERT INTO items (id, name) VALUES (?, ?) RETURNING id', [3, 'three'])).toEqual({ id: 3 });
    expect(await q.all<{ id: number }>('DELETE FROM items WHERE id = ? RETURNING id', [3])).toEqual([{ id: 3 }]);
  });

  it('reports a missing named parameter', async () => {
    await expect(queries(t.db).get('SELECT name FROM items WHERE id = @id', {})).rejects.toThrow(/Missing named parameter "id"/);
  });

  it('runs statements inside a transaction through the transaction’s handle, and rolls them back with it', async () => {
    await expect(
      t.db.transaction(async (tx) => {
        await queries(tx).run('INSERT INTO items (id, name) VALUES (?, ?)', [4, 'four']);
        expect(await queries(tx).get<{ name: string }>('SELECT name FROM items WHERE id = ?', [4])).toEqual({ name: 'four' });
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await queries(t.db).get('SELECT name FROM items WHERE id = ?', [4])).toBeUndefined();
    const committed = await t.db.transaction(async (tx) => {
      await queries(tx).run('INSERT INTO items (id, name) VALUES (?, ?)', [5, 'five']);
      return queries(tx).get<{ n: number }>('SELECT count(*) AS n FROM items');
    });
    expect(committed).toEqual({ n: 3 });
  });

  it('keeps one queries object per handle', () => {
    expect(queries(t.db)).toBe(queries(t.db));
  });

  it('picks the engine’s text with dialect', async () => {
    const now = dialect(t.db, { sqlite: "SELECT 'lite' AS engine", postgres: "SELECT 'pg' AS engine" });
    expect(await queries(t.db).get(now)).toEqual({ engine: engine === 'sqlite' ? 'lite' : 'pg' });
  });
});

describe('postgresStatement', () => {
  it('names each distinct text by its SHA-1 once', () => {
    const a = postgresStatement('SELECT ? AS a');
    expect(a).toBe(postgresStatement('SELECT ? AS a'));
    expect(a.name).toMatch(/^cs_[0-9a-f]{40}$/);
    expect(a.text).toBe('SELECT $1 AS a');
    expect(postgresStatement('SELECT ? AS b').name).not.toBe(a.name);
  });
});
