// Shipped migrations never change, and an install upgraded from an older release keeps working.
//
// drizzle's migrators record each applied migration as (sha256 of its file, its journal `when`) in
// __drizzle_migrations and apply only the journal entries whose `when` is later than the newest recorded one. So a
// shipped file must keep its bytes (an installed database will never see an edit) and its `when`, and a new entry's
// `when` must be later than every earlier one (an earlier one would be skipped silently on every upgraded install).
// The SQLite migrations moved from drizzle/ to drizzle/sqlite/ byte for byte (issue #16): a database migrated from
// the old folder opens with the new one and applies nothing twice.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import { closeDatabase, MIGRATIONS_FOLDER, openDatabase } from '../../src/db/client';
import { POSTGRES_MIGRATIONS_FOLDER } from '../../src/db/schema-postgres/migrate';

interface Pinned {
  tag: string;
  when: number;
  sha256: string;
}

/**
 * The SQLite migrations as they shipped (main before issue #16, in drizzle/). Append a migration here once it has
 * shipped; never change a line.
 */
const SQLITE_SHIPPED: readonly Pinned[] = [
  { tag: '0000_initial', when: 1795630405427, sha256: 'ae0bc5b682afc03afd62766c92b3660f3fc66dd99aed611b590aaefb543ca8e0' },
  { tag: '0001_day-facts', when: 1795634750376, sha256: '7988f12e409fd4b9c0f95f483f23cfec65d9feb5fb65e636c134fa14dce722ee' },
  {
    tag: '0002_leaderboard-order-indexes',
    when: 1795642899408,
    sha256: '2b533978bf1e828006896fd2946ad197807b83f7a6d5cca1bacc8cfd1a1fb35c',
  },
  { tag: '0003_game-name-misses', when: 1795652085348, sha256: '2cc5200229ddfef0b4357ea6390b7b13ece6e50e0c80fc8d6d6a59728362f8fe' },
  { tag: '0004_latest-names', when: 1795653522728, sha256: 'c44ff5335bb3879fc3473d3a6872c5fc820ba7c1a5028a2e41ef0f75de0ead70' },
  { tag: '0005_latest-names-triggers', when: 1795653523803, sha256: '59c0f9ac9190de4777eb1ef7ea2aba682a6e5a6292722b1c7ae8b521e0db1bea' },
  { tag: '0006_engagement-only-dirty', when: 1795655686395, sha256: '27ec1b51318228a6d1a65283c9e0e30f132bb7900d8638029d2331298ceef7f4' },
  { tag: '0007_summary-names', when: 1795660599683, sha256: '72b887618d0a22d50478c12de07580a777f789b6316cc32c311da3d39edfb58d' },
  { tag: '0008_guild-keyed-capture', when: 1796519849863, sha256: 'f037bde1cf008e7994cc16562bef5528d150ea78d57577947d8a496276e384ba' },
  { tag: '0009_dashboard-sign-in', when: 1796522867633, sha256: 'ccafde94e15465f12309b6caee7989448fab88ace6bffb5e4ac624f2540d85f9' },
  { tag: '0010_clip-feed', when: 1796526186559, sha256: '1bcaf28dbcb05e3ceec30d2fcab08c443649f39d24974592deaf5e735f532635' },
  { tag: '0011_hall-of-fame', when: 1796529846116, sha256: '2d719db354e320843e7d647b397e6c4ff1d2a738fb26f0b563625f9fd06f88f7' },
  { tag: '0012_guild-icon', when: 1796539833799, sha256: 'f3093f61bb15b4fe22f2ecc0362d9f159c9d42c263c439df712a7df73da1a9ea' },
  { tag: '0013_clipper-roles', when: 1796585530661, sha256: '3ef69190ee1f4a7b28304d41003b15f5145506ef3c7730aa718a4a004fca668a' },
  { tag: '0014_moods', when: 1796588490274, sha256: '17ab9d5ac101f4c8437777f9848c59cf1773e128d80f02f8f5e203b2c24b7b53' },
  { tag: '0015_stream-moments', when: 1796588518179, sha256: '5fe499de3f210336540e34d6dc7e6d66c955953f7d9a38317d400a51cfdc3f41' },
  { tag: '0016_reports', when: 1796590372786, sha256: '601c3e316b8b6957a90aef9e34fed76ac64c35236c71bed1618819c7b7418e17' },
  { tag: '0017_report-email', when: 1796591001997, sha256: 'ebb7d2533365b68e8c5cb40123e040b7dfd87f18f35538aaeef29b143a392579' },
  { tag: '0018_job-leases', when: 1796596667731, sha256: 'ffce44dd65e0e7df17cf0fe19a80c4711f0dd2036a3c9367af08acf41a1a9ea2' },
  { tag: '0019_mood-summaries', when: 1796601704942, sha256: '8690c11b37f7260f57afb66e500d206224a4a0d0d50fa2b80929a9e98ce13e80' },
  { tag: '0020_identify-slots', when: 1796607497918, sha256: 'ece6f5aac94b8df199b04f1a621d9bcc5209c3a01b7eaa124ce8daad435846c9' },
  { tag: '0021_mood-read-speed', when: 1796611761934, sha256: '485d707e8e3aad08d1f901973eab5d06f7ed71552b56c579717ce4f16b21d172' },
  { tag: '0022_footprint', when: 1796643590757, sha256: 'c8a4aa1ba36df3e61560e1b5fb79501b377b468677c915fd1dd91e86f665a6d0' },
  {
    tag: '0023_helix-claims-budget',
    when: 1796645227565,
    sha256: '96d74c94f6abb49c63b95e1051e4ff67574f921cc7e4d52d77ebbe1459f2ad71',
  },
];

/**
 * The PostgreSQL migrations (issue #16). Until #16 reaches main they may still be regenerated (update the lines
 * here with them); once shipped, append only.
 */
const POSTGRES_SHIPPED: readonly Pinned[] = [
  { tag: '0000_initial', when: 1796519697339, sha256: 'd637dd8c39fcf775229f29595f7153f1cd429b54222950687f0730e5046ea17f' },
  {
    tag: '0001_latest-names-triggers',
    when: 1796519719994,
    sha256: '2e4ac51abf727e390afd7fc69216fef5ec8e3c3b802605e7519bb29c61bb2af5',
  },
  {
    tag: '0002_dashboard-sign-in-and-guild-keyed-imports',
    when: 1796523080620,
    sha256: 'f8fbb6276569936706403d50595bfb5ccd14d7794eea3fdf973d25d29ebcceb4',
  },
  { tag: '0003_clip-feed', when: 1796526187622, sha256: '4dffcdc8ec942e00958346997642c128c3f3bf3aea0ff6b5d1cce1a6434ee4d3' },
  { tag: '0004_hall-of-fame', when: 1796529849434, sha256: '4392ac47b1a6133f2f2104dbb9789d9f7e09571122f0dc8dd60df17e56619930' },
  { tag: '0005_guild-icon', when: 1796539836659, sha256: 'e6e418dc5103092776058219c9479e7083593d74c935a7b7feb75682480efb23' },
  { tag: '0006_clipper-roles', when: 1796585534370, sha256: 'f5f7e3fef5664af69ea8bb73d437a31625cec2d398dfec06f90bf81463522d86' },
  { tag: '0007_moods', when: 1796588498818, sha256: 'da9bcd4f184777175dda6dd10a0d5da1d8e6935848993235edc17bd969454494' },
  { tag: '0008_stream-moments', when: 1796588528009, sha256: 'a5d156a55add819a0264550dda6a898640c4c44e211f13edf5b4414ca92808a2' },
  { tag: '0009_reports', when: 1796590376108, sha256: '98189a50762cca32ff4bcdcd3974bf38fadaa733d5477740139637cb58ec86e9' },
  { tag: '0010_report-email', when: 1796591005249, sha256: 'fde8006ab1cc64690dc46d7060d6f301b844f7d3d2d97204dd6c375b9bbbd4f8' },
  { tag: '0011_job-leases', when: 1796596674799, sha256: '6521886442a4fbfa0b81e4d74645f7f2faf9239f26d058fa9ce6dea879360461' },
  { tag: '0012_mood-summaries', when: 1796601706807, sha256: '86731d160781227a5bad5018eb88aa8478658dea7d97490196f875d70232e762' },
  { tag: '0013_identify-slots', when: 1796607506601, sha256: '76ddf41e5d120f6db50fe4e1298ff9e16f8968a533de54f2fc183251e3b9a97c' },
  { tag: '0014_mood-read-speed', when: 1796611766476, sha256: '6a2c255a1bb0d8e069d05c350672f06249db9ac678f5360a2b4fe93d7522089f' },
  { tag: '0015_footprint', when: 1796643593074, sha256: 'c00dfd2f3c327da06ef75ecae58615756a02f880c009684ed6de237b90ea7329' },
  {
    tag: '0016_helix-claims-budget',
    when: 1796645228607,
    sha256: '84d78147a66e9bcfc2207dd9e57f0a2275365f8c3134743e3b60ee8388cc9045',
  },
];

interface JournalEntry {
  idx: number;
  tag: string;
  when: number;
}

function journal(folder: string): JournalEntry[] {
  return (JSON.parse(fs.readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: JournalEntry[] }).entries;
}

function fileHash(folder: string, tag: string): string {
  return createHash('sha256')
    .update(fs.readFileSync(path.join(folder, `${tag}.sql`)).toString())
    .digest('hex');
}

/** The checks every engine's folder passes: pinned entries unchanged and first, `when` strictly increasing. */
function expectShippedUnchanged(folder: string, shipped: readonly Pinned[]): void {
  const entries = journal(folder);
  expect(entries.slice(0, shipped.length).map((e) => ({ tag: e.tag, when: e.when, sha256: fileHash(folder, e.tag) }))).toEqual(shipped);
  entries.forEach((entry, i) => {
    expect(entry.idx).toBe(i);
    if (i > 0) expect(entry.when, `${entry.tag} must be later than ${entries[i - 1]!.tag}`).toBeGreaterThan(entries[i - 1]!.when);
  });
  // Every .sql file is in the journal (a file drizzle-kit wrote but the journal lost would never run).
  const files = fs
    .readdirSync(folder)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => f.slice(0, -4))
    .sort();
  expect(files).toEqual(entries.map((e) => e.tag).sort());
}

let dir: string | undefined;
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A copy of the SQLite migrations laid out as before issue #16 (drizzle/ at the top), cut after `count` entries. */
function oldFolder(root: string, count: number): string {
  const folder = path.join(root, 'drizzle');
  fs.mkdirSync(path.join(folder, 'meta'), { recursive: true });
  for (const entry of SQLITE_SHIPPED.slice(0, count)) {
    fs.copyFileSync(path.join(MIGRATIONS_FOLDER, `${entry.tag}.sql`), path.join(folder, `${entry.tag}.sql`));
  }
  const full = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
    entries: JournalEntry[];
  };
  full.entries = full.entries.slice(0, count);
  fs.writeFileSync(path.join(folder, 'meta', '_journal.json'), JSON.stringify(full, null, 2));
  return folder;
}

function recorded(file: string): Array<{ hash: string; created_at: number }> {
  const raw = new Database(file, { readonly: true });
  try {
    return raw
      .prepare<[], { hash: string; created_at: number }>('SELECT hash, created_at FROM __drizzle_migrations ORDER BY id')
      .all()
      .map((r) => ({ hash: r.hash, created_at: Number(r.created_at) }));
  } finally {
    raw.close();
  }
}

describe('SQLite migration files', () => {
  it('are the shipped ones, unchanged, in drizzle/sqlite', () => {
    expect(MIGRATIONS_FOLDER.split(path.sep).slice(-2)).toEqual(['drizzle', 'sqlite']);
    expectShippedUnchanged(MIGRATIONS_FOLDER, SQLITE_SHIPPED);
  });

  // Every release's database: fully migrated by main before the move, and older ones part way.
  for (const count of [SQLITE_SHIPPED.length, 4, 1]) {
    it(`upgrade a database migrated by the old drizzle/ folder (${count} of ${SQLITE_SHIPPED.length} migrations)`, () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-upgrade-'));
      const file = path.join(dir, 'clipscope.db');
      const raw = new Database(file);
      migrate(drizzle(raw), { migrationsFolder: oldFolder(dir, count) });
      raw
        .prepare(
          `INSERT INTO clips (guild_id, clip_id, url, creator_id, creator_name, clip_created_at, first_seen_at, last_updated_at)
           VALUES ('g', 'Slug', 'u', 'c1', 'Creator', 5, 1, 1)`,
        )
        .run();
      raw
        .prepare(
          `INSERT INTO shares (guild_id, channel_id, message_id, clip_id, author_id, author_name, posted_at)
           VALUES ('g', 'ch', 'm1', 'Slug', 'a', 'A', 2)`,
        )
        .run();
      raw.close();
      const before = recorded(file);
      expect(before).toEqual(SQLITE_SHIPPED.slice(0, count).map((e) => ({ hash: e.sha256, created_at: e.when })));

      const db = openDatabase({ path: file });
      try {
        expect(db.$client.prepare('SELECT clip_id, creator_name FROM clips').all()).toEqual([{ clip_id: 'Slug', creator_name: 'Creator' }]);
        expect(db.$client.prepare('SELECT count(*) AS n FROM shares').get()).toEqual({ n: 1 });
        // latest_names (0004/0005) was filled from the clip when the upgrade created it, or kept by its trigger.
        expect(db.$client.prepare('SELECT name FROM latest_names').all()).toEqual([{ name: 'Creator' }]);
      } finally {
        closeDatabase(db);
      }
      // What was applied stays recorded as it was; each later migration was applied once, in order.
      const entries = journal(MIGRATIONS_FOLDER);
      expect(recorded(file)).toEqual(entries.map((e) => ({ hash: fileHash(MIGRATIONS_FOLDER, e.tag), created_at: e.when })));
      // Opening again applies nothing.
      closeDatabase(openDatabase({ path: file }));
      expect(recorded(file)).toHaveLength(entries.length);
    });
  }
});

describe('PostgreSQL migration files', () => {
  it('are the pinned ones, unchanged, in drizzle/postgres', () => {
    expectShippedUnchanged(POSTGRES_MIGRATIONS_FOLDER, POSTGRES_SHIPPED);
  });
});
