import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../src/db/client';
import { createTempDb, type TempDb } from '../helpers/temp-db';

let temp: TempDb | undefined;
afterEach(() => temp?.cleanup());

function tableNames(file: string): string[] {
  const raw = new Database(file, { readonly: true });
  try {
    return raw
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((r) => r.name);
  } finally {
    raw.close();
  }
}

describe('database migrations', () => {
  it('create every table on an empty database, with WAL and foreign keys on', () => {
    temp = createTempDb();
    const names = tableNames(temp.path);
    for (const table of ['clips', 'shares', 'reactions', 'game_analytics', 'creator_analytics', 'guild_settings']) {
      expect(names).toContain(table);
    }
    expect(temp.db.$client.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(temp.db.$client.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(temp.db.$client.pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  it('leave an existing database and its rows as they were when applied again', () => {
    temp = createTempDb();
    temp.db.$client
      .prepare("INSERT INTO clips (guild_id, clip_id, url, first_seen_at, last_updated_at) VALUES ('g', 'Slug', 'u', 1, 1)")
      .run();
    closeDatabase(temp.db);
    const reopened = openDatabase({ path: temp.path });
    expect(reopened.$client.prepare('SELECT count(*) AS n FROM clips').get()).toEqual({ n: 1 });
    temp.db = reopened;
  });

  it('enforce one clip row per guild and clip id', () => {
    temp = createTempDb();
    const insert = temp.db.$client.prepare(
      "INSERT INTO clips (guild_id, clip_id, url, first_seen_at, last_updated_at) VALUES (?, ?, 'u', 1, 1)",
    );
    insert.run('g1', 'Slug');
    insert.run('g2', 'Slug');
    insert.run('g1', 'slug');
    expect(() => insert.run('g1', 'Slug')).toThrow(/UNIQUE/);
  });
});
