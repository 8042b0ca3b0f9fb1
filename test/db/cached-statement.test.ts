// Prepared statements are reused per connection and never shared between connections.
import { afterEach, describe, expect, it } from 'vitest';
import { cachedStatement } from '../../src/db/client';
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
    expect(cachedStatement(a.db, sql)).toBe(cachedStatement(a.db, sql));
    expect(cachedStatement(a.db, sql)).not.toBe(cachedStatement(b.db, sql));
    a.db.$client.prepare("INSERT INTO clips (guild_id, clip_id, url, first_seen_at, last_updated_at) VALUES ('g', 'c', 'u', 0, 0)").run();
    expect(cachedStatement<[], { n: number }>(a.db, sql).get()).toEqual({ n: 1 });
    expect(cachedStatement<[], { n: number }>(b.db, sql).get()).toEqual({ n: 0 });
  });
});
