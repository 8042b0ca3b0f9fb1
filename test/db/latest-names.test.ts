// latest_names must always equal what a scan of the clips says: the name on the guild's most recent clip (by
// clip_created_at, then clip_id) of each creator and game that has one. Random writes of every kind the product
// makes (insert, first enrichment, refresh with a rename, a clip moved to another creator or game, its creation
// time changed, names cleared, deletions) are checked against that scan after every step, and a database filled
// before the table existed is checked after the migration fills it. The names summary rows carry (kept by the
// triggers on latest_names) are checked against it the same way.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import { createNameLookup } from '../../src/analytics/names';
import { closeDatabase, MIGRATIONS_FOLDER, openDatabase, type Db } from '../../src/db/client';
import { mulberry32 } from '../analytics/community-model';
import { createTempDb, type TempDb } from '../helpers/temp-db';
import { sqliteClient } from '../../src/db/client';

let temp: TempDb | undefined;
afterEach(() => temp?.cleanup());

interface NameRow {
  guild_id: string;
  kind: string;
  entity_id: string;
  name: string;
}

/** The definition, written as a scan independent of the triggers. */
function scannedNames(db: Db): NameRow[] {
  const clips = sqliteClient(db)
    .prepare<
      [],
      {
        guild_id: string;
        clip_id: string;
        creator_id: string | null;
        creator_name: string | null;
        game_id: string | null;
        game_name: string | null;
        clip_created_at: number | null;
      }
    >('SELECT guild_id, clip_id, creator_id, creator_name, game_id, game_name, clip_created_at FROM clips')
    .all();
  const best = new Map<string, { row: NameRow; at: number; clipId: string }>();
  const offer = (row: NameRow, at: number, clipId: string): void => {
    const key = `${row.guild_id}\u0000${row.kind}\u0000${row.entity_id}`;
    const current = best.get(key);
    if (!current || at > current.at || (at === current.at && clipId > current.clipId)) best.set(key, { row, at, clipId });
  };
  for (const clip of clips) {
    if (clip.clip_created_at === null) continue;
    if (clip.creator_id !== null && clip.creator_name !== null) {
      offer(
        { guild_id: clip.guild_id, kind: 'creator', entity_id: clip.creator_id, name: clip.creator_name },
        clip.clip_created_at,
        clip.clip_id,
      );
    }
    if (clip.game_id !== null && clip.game_name !== null && clip.game_name !== '') {
      offer({ guild_id: clip.guild_id, kind: 'game', entity_id: clip.game_id, name: clip.game_name }, clip.clip_created_at, clip.clip_id);
    }
  }
  return sortRows([...best.values()].map((b) => b.row));
}

function storedNames(db: Db): NameRow[] {
  return sortRows(sqliteClient(db).prepare<[], NameRow>('SELECT guild_id, kind, entity_id, name FROM latest_names').all());
}

function sortRows(rows: NameRow[]): NameRow[] {
  const key = (r: NameRow): string => `${r.guild_id}\u0000${r.kind}\u0000${r.entity_id}`;
  return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Summary rows of every creator and game of the guilds, in two periods, named as they are with no clips. */
function insertSummaryRows(db: Db, guilds: readonly string[], creators: readonly string[], games: readonly string[]): void {
  const creatorRow = sqliteClient(db).prepare(
    `INSERT INTO creator_analytics (guild_id, creator_id, creator_name, period_type, period_start, top_game_id, top_game_name, computed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 0)`,
  );
  const gameRow = sqliteClient(db).prepare(
    'INSERT INTO game_analytics (guild_id, game_id, game_name, period_type, period_start, computed_at) VALUES (?, ?, ?, ?, ?, 0)',
  );
  for (const guild of guilds) {
    for (const [type, start] of [
      ['all_time', 0],
      ['day', 86_400_000],
    ] as const) {
      creators.forEach((creator, i) => {
        const topGame = i === 0 ? null : (games[i % games.length] as string);
        creatorRow.run(guild, creator, creator, type, start, topGame, topGame === null ? null : fallbackGameName(topGame));
      });
      for (const game of games) gameRow.run(guild, game, fallbackGameName(game), type, start);
    }
  }
}

function fallbackGameName(gameId: string): string {
  return gameId === '' ? 'Unknown game' : `Game ${gameId}`;
}

/** Summary rows whose names are not the display names latest_names gives (expected, then stored). */
function staleSummaryNames(db: Db): string[] {
  const latest = new Map(storedNames(db).map((r) => [`${r.guild_id}\u0000${r.kind}\u0000${r.entity_id}`, r.name]));
  const creatorName = (guild: string, id: string): string => latest.get(`${guild}\u0000creator\u0000${id}`) ?? id;
  const gameName = (guild: string, id: string): string =>
    id === '' ? 'Unknown game' : (latest.get(`${guild}\u0000game\u0000${id}`) ?? `Game ${id}`);
  const stale: string[] = [];
  for (const r of sqliteClient(db)
    .prepare<[], { guild_id: string; creator_id: string; creator_name: string; top_game_id: string | null; top_game_name: string | null }>(
      'SELECT guild_id, creator_id, creator_name, top_game_id, top_game_name FROM creator_analytics',
    )
    .all()) {
    if (r.creator_name !== creatorName(r.guild_id, r.creator_id))
      stale.push(`creator ${r.creator_id}: ${creatorName(r.guild_id, r.creator_id)} / ${r.creator_name}`);
    const top = r.top_game_id === null ? null : gameName(r.guild_id, r.top_game_id);
    if (r.top_game_name !== top) stale.push(`top game ${r.top_game_id} of ${r.creator_id}: ${top} / ${r.top_game_name}`);
  }
  for (const r of sqliteClient(db)
    .prepare<[], { guild_id: string; game_id: string; game_name: string }>('SELECT guild_id, game_id, game_name FROM game_analytics')
    .all()) {
    if (r.game_name !== gameName(r.guild_id, r.game_id))
      stale.push(`game ${r.game_id}: ${gameName(r.guild_id, r.game_id)} / ${r.game_name}`);
  }
  return stale;
}

function insertClip(db: Db, values: Record<string, string | number | null>): void {
  sqliteClient(db)
    .prepare(
      `INSERT INTO clips (guild_id, clip_id, url, creator_id, creator_name, game_id, game_name, clip_created_at, first_seen_at, last_updated_at)
       VALUES (@guild_id, @clip_id, 'https://clips.twitch.tv/' || @clip_id, @creator_id, @creator_name, @game_id, @game_name, @clip_created_at, 1, 1)`,
    )
    .run(values);
}

describe('latest_names', () => {
  it('equals a scan of the clips after every one of 1,500 random writes, and so do the names of summary rows', () => {
    temp = createTempDb();
    const db = temp.db;
    const random = mulberry32(20261125);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const guilds = ['g1', 'g2'];
    const creators = ['c1', 'c2', 'c3', 'c4'];
    const games = ['', 'g-a', 'g-b', 'g-c'];
    const names = ['Alpha', 'alpha_renamed', 'Beta', 'Gamma', ''];
    // Few distinct times and ids, so ties on clip_created_at (broken by clip_id) happen often.
    const time = (): number | null => (random() < 0.1 ? null : 1_000 * Math.floor(random() * 6));
    const maybe = <T>(value: T): T | null => (random() < 0.15 ? null : value);
    insertSummaryRows(db, guilds, creators, games);
    const clipIds: string[] = [];
    let inserted = 0;
    for (let step = 0; step < 1_500; step++) {
      const roll = random();
      if (roll < 0.3 || clipIds.length === 0) {
        const clipId = `Clip${inserted++}${pick(['a', 'B', 'c'])}`;
        clipIds.push(clipId);
        const pending = random() < 0.4; // captured from Discord, not enriched yet
        insertClip(db, {
          guild_id: pick(guilds),
          clip_id: clipId,
          creator_id: pending ? null : maybe(pick(creators)),
          creator_name: pending ? null : maybe(pick(names)),
          game_id: pending ? null : maybe(pick(games)),
          game_name: pending ? null : maybe(pick(names)),
          clip_created_at: pending ? null : time(),
        });
      } else if (roll < 0.9) {
        // Enrichment, refresh, channel sync: any subset of the metadata columns rewritten.
        const clipId = pick(clipIds);
        const sets: string[] = [];
        const values: Record<string, string | number | null> = { clip_id: clipId };
        for (const [column, value] of [
          ['creator_id', maybe(pick(creators))],
          ['creator_name', maybe(pick(names))],
          ['game_id', maybe(pick(games))],
          ['game_name', maybe(pick(names))],
          ['clip_created_at', time()],
          ['view_count', Math.floor(random() * 100)],
        ] as const) {
          if (random() < 0.5) {
            sets.push(`${column} = @${column}`);
            values[column] = value;
          }
        }
        if (sets.length === 0) continue;
        db.$client.prepare(`UPDATE clips SET ${sets.join(', ')} WHERE clip_id = @clip_id`).run(values);
      } else {
        const index = Math.floor(random() * clipIds.length);
        db.$client.prepare('DELETE FROM clips WHERE clip_id = ?').run(clipIds[index]);
        clipIds.splice(index, 1);
      }
      expect(storedNames(db), `after step ${step}`).toEqual(scannedNames(db));
      expect(staleSummaryNames(db), `summary names after step ${step}`).toEqual([]);
    }
    expect(storedNames(db).length).toBeGreaterThan(10);
  });

  it('answers the analytics name lookups, per guild', () => {
    temp = createTempDb();
    const db = temp.db;
    insertClip(db, {
      guild_id: 'g1',
      clip_id: 'A',
      creator_id: 'c1',
      creator_name: 'OldName',
      game_id: '33',
      game_name: 'Old Game',
      clip_created_at: 1_000,
    });
    insertClip(db, {
      guild_id: 'g1',
      clip_id: 'B',
      creator_id: 'c1',
      creator_name: 'NewName',
      game_id: '33',
      game_name: 'New Game',
      clip_created_at: 2_000,
    });
    insertClip(db, {
      guild_id: 'g2',
      clip_id: 'A',
      creator_id: 'c1',
      creator_name: 'OtherGuildName',
      game_id: '33',
      game_name: 'Other',
      clip_created_at: 9_000,
    });
    const g1 = createNameLookup(db, 'g1');
    expect(g1.creatorName('c1')).toBe('NewName');
    expect(g1.gameName('33')).toBe('New Game');
    expect(g1.creatorName('nobody')).toBe('nobody');
    expect(g1.gameName('404')).toBe('Game 404');
    expect(createNameLookup(db, 'g2').creatorName('c1')).toBe('OtherGuildName');
    // A refresh that renames the newest clip's creator is seen at once.
    db.$client.prepare("UPDATE clips SET creator_name = 'Renamed' WHERE guild_id = 'g1' AND clip_id = 'B'").run();
    expect(createNameLookup(db, 'g1').creatorName('c1')).toBe('Renamed');
  });

  it('is filled from the clips of a database made before it existed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-names-'));
    const file = path.join(dir, 'old.db');
    try {
      // Migrate only up to the release before latest_names, with a copy of the migrations folder cut there.
      const folder = path.join(dir, 'drizzle');
      fs.cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
      const journalFile = path.join(folder, 'meta', '_journal.json');
      const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: Array<{ tag: string }> };
      const cut = journal.entries.findIndex((entry) => entry.tag.endsWith('_latest-names'));
      expect(cut).toBeGreaterThan(0);
      journal.entries = journal.entries.slice(0, cut);
      fs.writeFileSync(journalFile, JSON.stringify(journal));
      const raw = new Database(file);
      migrate(drizzle(raw), { migrationsFolder: folder });
      const old = drizzle(raw) as unknown as Db;
      const random = mulberry32(7);
      for (let i = 0; i < 400; i++) {
        insertClip(old, {
          guild_id: `g${i % 3}`,
          clip_id: `Clip${i}`,
          creator_id: random() < 0.1 ? null : `c${Math.floor(random() * 20)}`,
          creator_name: random() < 0.1 ? null : `Name${Math.floor(random() * 50)}`,
          game_id: random() < 0.1 ? null : `${Math.floor(random() * 8)}`,
          game_name: random() < 0.1 ? '' : `Game${Math.floor(random() * 30)}`,
          clip_created_at: random() < 0.05 ? null : 1_000 * Math.floor(random() * 40),
        });
      }
      // Summary rows written before their names were kept: stale names, and names for ids with none.
      insertSummaryRows(
        old,
        ['g0', 'g1', 'g2'],
        Array.from({ length: 20 }, (_, i) => `c${i}`),
        ['', '0', '3', '7', '404'],
      );
      raw.prepare("UPDATE creator_analytics SET creator_name = 'Stale', top_game_name = 'Stale game' WHERE rowid % 2 = 0").run();
      raw.prepare("UPDATE game_analytics SET game_name = 'Stale game' WHERE rowid % 2 = 0").run();
      raw.close();
      const db = openDatabase({ path: file });
      try {
        const stored = storedNames(db);
        expect(stored.length).toBeGreaterThan(50);
        expect(stored).toEqual(scannedNames(db));
        expect(db.$client.prepare('SELECT count(*) AS n FROM creator_analytics').get()).toEqual({ n: 120 });
        expect(staleSummaryNames(db)).toEqual([]);
      } finally {
        closeDatabase(db);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
