import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import { closeDatabase, MIGRATIONS_FOLDER, openDatabase } from '../../src/db/client';
import { createTempDb, type TempDb } from '../helpers/temp-db';

const ROOT = path.resolve(import.meta.dirname, '../..');

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

  it('upgrade a database from before guild-keyed capture with every row and index kept, and the new keys in force', () => {
    temp = createTempDb({ migrate: false });
    closeDatabase(temp.db);
    // The migrations up to 0007, as a database made before 0008 had them.
    const older = path.join(temp.dir, 'migrations');
    fs.cpSync(MIGRATIONS_FOLDER, older, { recursive: true });
    const journalFile = path.join(older, 'meta', '_journal.json');
    const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: Array<{ idx: number; tag: string }> };
    journal.entries = journal.entries.filter((e) => e.idx <= 7);
    fs.writeFileSync(journalFile, JSON.stringify(journal));
    const raw = new Database(temp.path);
    migrate(drizzle(raw), { migrationsFolder: older });
    raw.exec(`
      INSERT INTO shares (guild_id, channel_id, message_id, clip_id, author_id, author_name, posted_at, deleted_at, source)
        VALUES ('g1', 'c1', 'm1', 'ClipOne', 'u1', 'Ann', 10, NULL, 'discord'), ('g1', 'c1', 'm1', 'ClipTwo', 'u1', 'Ann', 10, 12, 'import');
      INSERT INTO reactions (guild_id, channel_id, message_id, emoji_key, user_id, reacted_at) VALUES ('g1', 'c1', 'm1', '🔥', 'u2', 11);
      INSERT INTO reaction_baselines (guild_id, channel_id, message_id, emoji_key, anonymous_count, observed_at)
        VALUES ('g1', 'c1', 'm1', '😂', 3, 13);
      INSERT INTO message_observations (message_id, guild_id, observed_at) VALUES ('m1', 'g1', 14);
      INSERT INTO backfill_checkpoints (channel_id, guild_id, before_message_id, messages_scanned, shares_found, updated_at)
        VALUES ('c1', 'g1', 'm1', 100, 2, 15);
      INSERT INTO import_runs (file_path, guild_id, channel_id, file_size, messages_imported, updated_at, byte_offset)
        VALUES ('/x/export.json', 'g1', 'c1', 1000, 5, 16, 900);
    `);
    const tables = ['shares', 'reactions', 'reaction_baselines', 'message_observations', 'backfill_checkpoints', 'import_runs'];
    const contents = (db: Database.Database) =>
      Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY guild_id`).all()]));
    const before = contents(raw);
    raw.close();

    temp.db = openDatabase({ path: temp.path });
    const upgraded = temp.db.$client;
    expect(contents(upgraded)).toEqual(before);
    const indexes = upgraded
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%' ORDER BY name",
      )
      .all()
      .map((r) => r.name);
    expect(indexes).toEqual(
      expect.arrayContaining(['shares_guild_message_clip_uq', 'reactions_guild_reacted_idx', 'reaction_baselines_guild_observed_idx']),
    );
    expect(indexes).not.toContain('shares_message_clip_uq');
    // The same message, channel and file ids in another guild are other rows; in the same guild they still clash.
    upgraded.exec(`
      INSERT INTO shares (guild_id, channel_id, message_id, clip_id, author_id, author_name, posted_at) VALUES ('g2', 'c1', 'm1', 'ClipOne', 'u', 'U', 1);
      INSERT INTO reactions (guild_id, channel_id, message_id, emoji_key, user_id, reacted_at) VALUES ('g2', 'c1', 'm1', '🔥', 'u2', 1);
      INSERT INTO reaction_baselines (guild_id, channel_id, message_id, emoji_key, anonymous_count, observed_at) VALUES ('g2', 'c1', 'm1', '😂', 1, 1);
      INSERT INTO message_observations (guild_id, message_id, observed_at) VALUES ('g2', 'm1', 1);
      INSERT INTO backfill_checkpoints (guild_id, channel_id, updated_at) VALUES ('g2', 'c1', 1);
      INSERT INTO import_runs (guild_id, file_path, channel_id, file_size, updated_at) VALUES ('g2', '/x/export.json', 'c1', 1, 1);
    `);
    expect(() =>
      upgraded.exec(
        "INSERT INTO shares (guild_id, channel_id, message_id, clip_id, author_id, author_name, posted_at) VALUES ('g1', 'c9', 'm1', 'ClipOne', 'u', 'U', 1)",
      ),
    ).toThrow(/UNIQUE/);
    expect(() => upgraded.exec("INSERT INTO backfill_checkpoints (guild_id, channel_id, updated_at) VALUES ('g1', 'c1', 1)")).toThrow(
      /UNIQUE/,
    );
  });

  it('upgrade a database from before the footprint migration with every row kept, three tables WITHOUT ROWID and their keys in force', () => {
    temp = createTempDb({ migrate: false });
    closeDatabase(temp.db);
    const older = path.join(temp.dir, 'migrations');
    fs.cpSync(MIGRATIONS_FOLDER, older, { recursive: true });
    const journalFile = path.join(older, 'meta', '_journal.json');
    const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: Array<{ idx: number; tag: string }> };
    journal.entries = journal.entries.filter((e) => e.tag < '0022_footprint');
    fs.writeFileSync(journalFile, JSON.stringify(journal));
    const raw = new Database(temp.path);
    migrate(drizzle(raw), { migrationsFolder: older });
    raw.exec(`
      INSERT INTO clip_view_history (clip_id, observed_at, view_count) VALUES ('ClipOne', 10, 5), ('ClipOne', 20, 9), ('ClipTwo', 10, 1);
      INSERT INTO reactions (guild_id, channel_id, message_id, emoji_key, user_id, reacted_at)
        VALUES ('g1', 'c1', 'm1', '🔥', 'u2', 11), ('g1', 'c1', 'm1', 'pog:42', 'u3', 12);
      INSERT INTO dirty_hours (guild_id, hour_start, engagement_only) VALUES ('g1', 3600000, 1), ('g2', 7200000, 0);
    `);
    const tables = ['clip_view_history', 'reactions', 'dirty_hours'];
    const contents = (db: Database.Database) =>
      Object.fromEntries(
        tables.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY ${t === 'reactions' ? '1, 3, 4, 5' : '1, 2'}`).all()]),
      );
    const before = contents(raw);
    raw.close();

    temp.db = openDatabase({ path: temp.path });
    const upgraded = temp.db.$client;
    expect(contents(upgraded)).toEqual(before);
    for (const table of tables) {
      const { sql } = upgraded
        .prepare<[string], { sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?")
        .get(table)!;
      expect(sql, table).toMatch(/WITHOUT ROWID$/);
    }
    const indexes = upgraded
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name")
      .all()
      .map((r) => r.name);
    expect(indexes).toContain('reactions_guild_reacted_idx');
    for (const dropped of ['shares_guild_author_idx', 'clips_guild_creator_idx', 'clips_guild_game_idx', 'game_analytics_views_idx']) {
      expect(indexes).not.toContain(dropped);
    }
    expect(() => upgraded.exec("INSERT INTO clip_view_history (clip_id, observed_at, view_count) VALUES ('ClipOne', 10, 7)")).toThrow(
      /UNIQUE/,
    );
    expect(() =>
      upgraded.exec(
        "INSERT INTO reactions (guild_id, channel_id, message_id, emoji_key, user_id, reacted_at) VALUES ('g1', 'c1', 'm1', '🔥', 'u2', 1)",
      ),
    ).toThrow(/UNIQUE/);
    expect(() => upgraded.exec("INSERT INTO dirty_hours (guild_id, hour_start) VALUES ('g1', 3600000)")).toThrow(/UNIQUE/);
  });
});

describe('migrations of a new file by several processes at once', () => {
  it('apply each migration once while the others wait, and every process comes up', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-migrate-'));
    const file = path.join(dir, 'clipscope.db');
    // Hold the file's write lock until every process is about to open it, then let them all go at once.
    const holder = new Database(file);
    holder.exec('BEGIN IMMEDIATE');
    const child = path.join(ROOT, 'test/helpers/sqlite-migrate-child.ts');
    try {
      const children = [1, 2, 3, 4].map(() =>
        spawn(process.execPath, ['--import', 'tsx', child, file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }),
      );
      const outputs = children.map((c) => {
        let out = '';
        c.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
        c.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
        return () => out;
      });
      const exits = children.map((c) => new Promise<number | null>((resolve) => c.once('exit', (code) => resolve(code))));
      const deadline = Date.now() + 60_000;
      while (!outputs.every((out) => out().includes('opening'))) {
        if (Date.now() > deadline) throw new Error(`the processes never started: ${outputs.map((o) => o()).join('\n')}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      holder.exec('COMMIT');
      const codes = await Promise.all(exits);
      expect(codes, outputs.map((o) => o()).join('\n')).toEqual([0, 0, 0, 0]);
      const recorded = holder
        .prepare<[], { hash: string; n: number }>('SELECT hash, count(*) AS n FROM __drizzle_migrations GROUP BY hash')
        .all();
      const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
      expect(recorded).toHaveLength(journal.entries.length);
      for (const row of recorded) expect(row.n).toBe(1);
    } finally {
      holder.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
