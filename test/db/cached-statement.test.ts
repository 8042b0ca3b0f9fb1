// Prepared statements are reused per connection and never shared between connections.
import { afterEach, describe, expect, it } from 'vitest';
import { memoisedSql, connectionNow } from '../../src/db/client';
import { createTempDb, type TempDb } from '../helpers/temp-db';

describe('cachedStatement', () => {
  const temps: TempDb[] = [];
  afterEach(() => {
    for (const t of temps.splice(0)) t.cleanup();
  });

  it('prepares a statement once per connection', () => {
    const a = createTempDb();
    const b = createTempDb();
    temps.push(a, b);
    const sql = 'SELECT count(*) AS n FROM clips';
    expect(connectionNow(a.db).statement(sql)).toBe(connectionNow(a.db).statement(sql));
    expect(connectionNow(a.db).statement(sql)).not.toBe(connectionNow(b.db).statement(sql));
    a.db.$client.prepare("INSERT INTO clips (guild_id, clip_id, url, first_seen_at, last_updated_at) VALUES ('g', 'c', 'u', 0, 0)").run();
    expect(connectionNow(a.db).statement<[], { n: number }>(sql).get()).toEqual({ n: 1 });
    expect(connectionNow(b.db).statement<[], { n: number }>(sql).get()).toEqual({ n: 0 });
  });

  it('keeps raw statements (rows as arrays) apart from object ones for the same SQL', () => {
    const a = createTempDb();
    temps.push(a);
    const sql = "SELECT 'x' AS name, 2 AS n";
    expect(connectionNow(a.db).rawStatement<[], [string, number]>(sql).get()).toEqual(['x', 2]);
    expect(connectionNow(a.db).statement<[], { name: string; n: number }>(sql).get()).toEqual({ name: 'x', n: 2 });
    expect(connectionNow(a.db).rawStatement(sql)).toBe(connectionNow(a.db).rawStatement(sql));
    expect(connectionNow(a.db).rawStatement(sql)).not.toBe(connectionNow(a.db).statement(sql));
  });
});

describe('memoisedSql', () => {
  it('builds the SQL once per distinct arguments', () => {
    const built: string[] = [];
    const sqlOf = memoisedSql((sort: string, limit: number | null) => {
      built.push(`${sort}/${limit}`);
      return `SELECT * FROM t ORDER BY ${sort} ${limit === null ? '' : `LIMIT ${limit}`}`;
    });
    expect(sqlOf('a', 10)).toBe('SELECT * FROM t ORDER BY a LIMIT 10');
    expect(sqlOf('a', 10)).toBe(sqlOf('a', 10));
    expect(sqlOf('a', null)).toBe('SELECT * FROM t ORDER BY a ');
    expect(sqlOf('b', 10)).toBe('SELECT * FROM t ORDER BY b LIMIT 10');
    expect(built).toEqual(['a/10', 'a/null', 'b/10']);
  });
});
