// The database's disk fills up while the whole app runs (live capture from the fake gateway, the HTTP API, the
// scheduler with aggregation and Twitch enrichment against the fake Helix, a DiscordChatExporter import), and is
// freed again. Two ways to fill it: SQLite's page limit (PRAGMA max_page_count gives the same SQLITE_FULL
// "database or disk is full" in-process, on every machine) and a real tmpfs of a few MB filled to the last byte,
// where the kernel refuses the -wal/-shm and database writes with ENOSPC (needs root and mount; skipped with the
// reason elsewhere). Either way: no crash, a log line naming the problem and the file, the capture batch kept and
// retried, imports/aggregation/enrichment failing cleanly and completing once space is back, and every event captured
// during the outage present exactly once.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { aggregateAll } from '../../src/analytics/aggregate';
import { createApp, type App } from '../../src/app';
import { systemClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { closeDatabase, openDatabase, type Db } from '../../src/db/client';
import { describeStorageProblem } from '../../src/db/storage-errors';
import { importExportFile } from '../../src/importers/dce/import-file';
import { createLogger } from '../../src/logger';
import { member, message, reactionAdd, snowflake, startFakeDiscord, textChannel, user, type FakeDiscord } from '../fakes/discord';
import { FakeHelix, useFakeHelixPort } from '../fakes/helix';
import { fakeBackedAppEnv, NEVER } from './app-env';
import { generateExport } from '../helpers/dce-export';
import { sqliteClient } from '../../src/db/client';
import { recordMessageNow } from '../../src/capture/record-now';
import { inBulkTransaction as inTransaction } from '../../src/db/bulk';

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A way to fill the database's storage and free it again. */
interface DiskFiller {
  name: string;
  /** Jobs that must fail while it is full (a job that rewrites pages in place can fit under the page limit). */
  jobsThatMustFail: string[];
  /** Where the database lives. */
  dir: string;
  fill(db: Db): void;
  free(db: Db): void;
  cleanup(): void;
}

/** SQLite refuses to grow the database past its current size: SQLITE_FULL, as on a full disk. */
function pageLimitFiller(): DiskFiller {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-full-'));
  return {
    name: 'page limit',
    jobsThatMustFail: ['twitch-enrich'],
    dir,
    fill(db) {
      // A full disk leaves no room at all, but a page limit still lets writes reuse the file's free pages (a
      // migration's table rebuilds leave some): take them first, or a small write such as enrichment's fits and the
      // outage is not one.
      const client = sqliteClient(db);
      client.exec('CREATE TABLE IF NOT EXISTS disk_full_filler (b BLOB NOT NULL)');
      const pageSize = Number(client.pragma('page_size', { simple: true }));
      const insert = client.prepare('INSERT INTO disk_full_filler (b) VALUES (zeroblob(?))');
      for (let i = 0; i < 10_000 && Number(client.pragma('freelist_count', { simple: true })) > 0; i++) insert.run(pageSize / 2);
      // max_page_count cannot go below the current size, so this is "not one page more".
      client.pragma('max_page_count = 1');
    },
    free(db) {
      const client = sqliteClient(db);
      client.pragma('max_page_count = 4294967294');
      client.exec('DROP TABLE IF EXISTS disk_full_filler');
    },
    cleanup() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Why a tmpfs cannot be mounted here, or null when it can (checked once, by mounting and unmounting one). */
function mountProblem(): string | null {
  if (process.platform !== 'linux') return `tmpfs mounts need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root (run as root, e.g. in CI, to include it)';
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'pipe' });
    execFileSync('umount', [probe], { stdio: 'pipe' });
    return null;
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return `mount -t tmpfs is not permitted here (${stderr || (error as Error).message})`;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

const MOUNT_PROBLEM = mountProblem();
// Said once, where the run's output shows it, besides the skipped tests' names.
if (MOUNT_PROBLEM) console.warn(`disk-full tests on a real full filesystem skipped: ${MOUNT_PROBLEM}`);
const mounted: string[] = [];
afterAll(() => {
  for (const dir of mounted) {
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
    } catch {
      // already unmounted by its test
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** A tmpfs of `sizeMb` whose free space a filler file takes to the last byte. */
function tmpfsFiller(sizeMb: number): DiskFiller {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir], { stdio: 'pipe' });
  mounted.push(dir);
  const filler = path.join(dir, 'filler');
  return {
    name: 'tmpfs',
    // Every commit appends to the -wal file, so every writing job fails.
    jobsThatMustFail: ['aggregate-incremental', 'twitch-enrich'],
    dir,
    fill() {
      const fd = fs.openSync(filler, 'a');
      const block = Buffer.alloc(64 * 1024, 1);
      try {
        for (let size = block.length; size >= 1; size = Math.floor(size / 2)) {
          for (;;) {
            try {
              fs.writeSync(fd, block, 0, size);
            } catch (error) {
              if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
              throw error;
            }
          }
        }
      } finally {
        fs.closeSync(fd);
      }
      expect(fs.statfsSync(dir).bavail).toBe(0);
    },
    free() {
      fs.rmSync(filler, { force: true });
    },
    cleanup() {
      execFileSync('umount', [dir], { stdio: 'pipe' });
      mounted.splice(mounted.indexOf(dir), 1);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function outageScenario(filler: DiskFiller, logs: LogLine[]): Promise<{ outageEvents: number; faults: number }> {
  const guildId = snowflake();
  const channel = textChannel({ guild_id: guildId, name: 'clips' });
  const fans = Array.from({ length: 4 }, (_, i) => user({ username: `fan${i}` }));
  const discord: FakeDiscord = await startFakeDiscord({
    guilds: [{ id: guildId, name: 'Full Disk', channels: [channel], members: fans.map((f) => member(f)) }],
  });
  const helix = new FakeHelix();
  const restoreEnv = useFakeHelixPort(await helix.start());
  const dbFile = path.join(filler.dir, 'clipscope.db');
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) } });
  const config = loadConfig({ ...fakeBackedAppEnv(dbFile, discord, helix), CAPTURE_BATCH_MAX: '20' });
  let app: App | null = createApp({ config, logger, clock: systemClock });
  const reader = (): Database.Database => new Database(dbFile, { readonly: true, fileMustExist: true });
  const count = (sql: string): number => {
    const db = reader();
    try {
      return (db.prepare(sql).get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  let faults = 0;
  try {
    await app.start();
    const db = app.db;
    const expectedShares = new Set<string>();
    const expectedReactions = new Set<string>();
    let slugNumber = 0;
    const post = async (): Promise<string> => {
      const slug = `FullDiskClip${slugNumber++}-x`;
      helix.addClip({ id: slug, title: `clip ${slug}` });
      const fan = fans[slugNumber % fans.length]!;
      const msg = message({
        channel_id: channel.id,
        guild_id: guildId,
        author: fan,
        member: member(fan),
        content: `look https://clips.twitch.tv/${slug} (${'padding '.repeat(40)})`,
      });
      discord.putMessage(msg);
      expectedShares.add(`${msg.id}:${slug}`);
      await discord.dispatch('MESSAGE_CREATE', msg);
      return msg.id;
    };
    const react = async (messageId: string, fan: (typeof fans)[number]): Promise<void> => {
      expectedReactions.add(`${messageId}:${fan.id}`);
      await discord.dispatch(
        'MESSAGE_REACTION_ADD',
        reactionAdd({
          channel_id: channel.id,
          guild_id: guildId,
          message_id: messageId,
          user_id: fan.id,
          emoji: { id: null, name: '🔥' },
          member: member(fan),
        }),
      );
    };

    // Before the outage: a normal day.
    for (let i = 0; i < 20; i++) await post();
    await vi.waitFor(() => expect(count('SELECT count(*) AS n FROM shares')).toBe(20), { timeout: 20_000 });

    filler.fill(db);
    faults++;
    // During the outage: messages and reactions keep arriving; none can be written.
    const outagePosted: string[] = [];
    for (let i = 0; i < 60; i++) {
      outagePosted.push(await post());
      if (i % 3 === 0) await react(outagePosted[i]!, fans[i % fans.length]!);
    }
    const outageEvents = 60 + 20;
    await vi.waitFor(
      () =>
        expect(
          logs.some(
            (l) =>
              l.level === 40 &&
              /^capture: disk full: cannot write .*clipscope\.db/.test(l.msg) &&
              l.database === dbFile &&
              l.code === 'SQLITE_FULL',
          ),
        ).toBe(true),
      { timeout: 20_000 },
    );
    const sharesDuringOutage = count('SELECT count(*) AS n FROM shares');
    expect(sharesDuringOutage).toBeLessThan(expectedShares.size);

    // The jobs fail cleanly and say why; the scheduler, the bot and the API stay up.
    expect(await app.scheduler.runNow('aggregate-incremental')).toBe(true);
    expect(await app.scheduler.runNow('twitch-enrich')).toBe(true);
    faults += 2;
    const jobFailures = logs
      .filter((l) => l.msg.startsWith('job failed: disk full: cannot write') && l.database === dbFile)
      .map((l) => l.job);
    expect(jobFailures).toEqual(expect.arrayContaining(filler.jobsThatMustFail));
    for (const job of ['aggregate-incremental', 'twitch-enrich'].filter((j) => !jobFailures.includes(j))) {
      expect(logs.filter((l) => l.job === job).at(-1)?.msg).toBe('job finished');
    }
    // No clip was charged an enrichment attempt for the database's trouble.
    expect(
      sqliteClient(db).prepare('SELECT count(*) AS n FROM clips WHERE enrichment_attempts > 0 OR enrichment_error IS NOT NULL').get(),
    ).toEqual({ n: 0 });
    expect(logs.filter((l) => l.level >= 60)).toEqual([]);

    const exportFile = path.join(os.tmpdir(), `clipscope-full-export-${process.pid}-${Date.now()}.json`);
    const exportChannelId = snowflake();
    generateExport(exportFile, { guildId, channelId: exportChannelId, messages: 3000, clipEvery: 3 });
    try {
      await expect(importExportFile({ db, clock: systemClock }, exportFile, { guildId, batchSize: 200 })).rejects.toThrow(
        /disk full: cannot write .*clipscope\.db/,
      );
      faults++;
      const health = await fetch(`${app.httpUrl}/healthz`);
      expect(health.status).toBeLessThan(500);

      // Space is back: the kept writes go through, once each, and the jobs and the import complete.
      filler.free(db);
      await vi.waitFor(
        () => expect(count("SELECT count(*) AS n FROM shares WHERE clip_id LIKE 'FullDiskClip%'")).toBe(expectedShares.size),
        { timeout: 30_000 },
      );
      await vi.waitFor(
        () => expect(logs.some((l) => l.msg === 'capture: database writable again; writes kept during the outage committed')).toBe(true),
        { timeout: 10_000 },
      );
      const imported = await importExportFile({ db, clock: systemClock }, exportFile, { guildId, batchSize: 200 });
      expect(imported.status).toBe('imported');
      // The same state as an import that never met a full disk.
      const importedRows = (target: Db): unknown[] =>
        sqliteClient(target)
          .prepare('SELECT message_id, clip_id, author_id, posted_at FROM shares WHERE channel_id = ? ORDER BY message_id, clip_id')
          .all(exportChannelId);
      const reference = openDatabase({ path: ':memory:' });
      try {
        await importExportFile({ db: reference, clock: systemClock }, exportFile, { guildId });
        expect(importedRows(reference).length).toBeGreaterThan(500);
        expect(importedRows(db)).toEqual(importedRows(reference));
      } finally {
        closeDatabase(reference);
      }
    } finally {
      fs.rmSync(exportFile, { force: true });
    }

    expect(await app.scheduler.runNow('twitch-enrich')).toBe(true);
    expect(await app.scheduler.runNow('aggregate-incremental')).toBe(true);
    const runs = sqliteClient(db)
      .prepare("SELECT job, last_error FROM job_runs WHERE job IN ('twitch-enrich', 'aggregate-incremental') ORDER BY job")
      .all();
    expect(runs).toEqual([
      { job: 'aggregate-incremental', last_error: null },
      { job: 'twitch-enrich', last_error: null },
    ]);
    // Every clip shared during the outage was enriched once space was back; none is stuck.
    const slugs = [...expectedShares].map((k) => k.split(':')[1]!);
    const states = sqliteClient(db)
      .prepare(
        `SELECT enrichment_state AS status, count(*) AS n FROM clips WHERE clip_id IN (${slugs.map(() => '?').join(',')}) GROUP BY 1`,
      )
      .all(...slugs);
    expect(states).toEqual([{ status: 'done', n: slugs.length }]);

    const shares = sqliteClient(db)
      .prepare(`SELECT message_id || ':' || clip_id AS k FROM shares WHERE clip_id LIKE 'FullDiskClip%'`)
      .pluck()
      .all() as string[];
    expect(shares.length).toBe(expectedShares.size);
    expect(new Set(shares)).toEqual(expectedShares);
    const reactions = sqliteClient(db)
      .prepare(
        `SELECT message_id || ':' || user_id AS k FROM reactions WHERE message_id IN (SELECT message_id FROM shares WHERE clip_id LIKE 'FullDiskClip%')`,
      )
      .pluck()
      .all() as string[];
    expect(new Set(reactions)).toEqual(expectedReactions);
    expect(reactions.length).toBe(expectedReactions.size);
    // The summaries equal a fresh aggregation from the raw rows.
    const summaryOf = (): unknown => sqliteClient(db).prepare('SELECT * FROM guild_period_stats ORDER BY 1, 2, 3').all();
    const incremental = summaryOf();
    await aggregateAll(db, { clock: systemClock, logger }, { full: true });
    expect(summaryOf()).toEqual(incremental);
    expect(sqliteClient(db).pragma('integrity_check', { simple: true })).toBe('ok');
    expect(logs.filter((l) => /pending writes lost|write failed and was skipped/.test(l.msg))).toEqual([]);

    await app.stop();
    app = null;
    return { outageEvents, faults };
  } finally {
    await app?.stop();
    await discord.stop();
    await helix.stop();
    restoreEnv();
  }
}

describe('disk full on the database directory', () => {
  let filler: DiskFiller | null = null;
  afterEach(() => {
    filler?.cleanup();
    filler = null;
  });

  it('keeps capturing through SQLITE_FULL from the page limit, with a clear log line, and loses nothing once space is back', async () => {
    filler = pageLimitFiller();
    const logs: LogLine[] = [];
    await outageScenario(filler, logs);
  }, 90_000);

  it.skipIf(MOUNT_PROBLEM !== null)(
    `keeps capturing through a really full filesystem (tmpfs) and loses nothing once space is back${MOUNT_PROBLEM ? ` — skipped: ${MOUNT_PROBLEM}` : ''}`,
    async () => {
      filler = tmpfsFiller(16);
      const logs: LogLine[] = [];
      await outageScenario(filler, logs);
    },
    90_000,
  );
});

describe('disk full during a WAL checkpoint and at shutdown', () => {
  let filler: DiskFiller | null = null;
  afterEach(() => {
    filler?.cleanup();
    filler = null;
  });

  it.skipIf(MOUNT_PROBLEM !== null)(
    `keeps the -wal file's commits when the checkpoint cannot grow the database, restarts and stops on a full disk, and checkpoints once space is back${MOUNT_PROBLEM ? ` — skipped: ${MOUNT_PROBLEM}` : ''}`,
    async () => {
      filler = tmpfsFiller(16);
      const dbFile = path.join(filler.dir, 'clipscope.db');
      const db = openDatabase({ path: dbFile });
      // Between two automatic checkpoints the new pages live only in the -wal file; hold them there.
      db.$client.pragma('wal_autocheckpoint = 0');
      const expected: string[] = [];
      for (let batch = 0; batch < 20; batch++) {
        inTransaction(db, () => {
          for (let i = 0; i < 100; i++) {
            const n = batch * 100 + i;
            const messageId = String(1_000_000 + n);
            expected.push(`${messageId}:WalClip${n}-w`);
            recordMessageNow(
              db,
              {
                guildId: 'g1',
                channelId: 'c1',
                messageId,
                authorId: `u${n % 7}`,
                authorName: 'fan',
                authorIsBot: false,
                postedAt: 1_750_000_000_000 + n * 1000,
                content: `https://clips.twitch.tv/WalClip${n}-w ${'x'.repeat(200)}`,
                source: 'discord',
              },
              1_750_000_000_000 + n * 1000,
            );
          }
        });
      }
      const dbSize = fs.statSync(dbFile).size;
      expect(fs.statSync(`${dbFile}-wal`).size).toBeGreaterThan(dbSize);

      filler.fill(db);
      // The checkpoint has to grow the database file and cannot: it fails, and the -wal file keeps every commit.
      let checkpointError: unknown = null;
      let checkpointResult: unknown = null;
      try {
        checkpointResult = db.$client.pragma('wal_checkpoint(TRUNCATE)');
      } catch (error) {
        checkpointError = error;
      }
      expect({ code: (checkpointError as { code?: string } | null)?.code, checkpointResult }).toEqual({
        code: 'SQLITE_FULL',
        checkpointResult: null,
      });
      expect(describeStorageProblem(checkpointError, dbFile)).toMatch(/^disk full: cannot write .*clipscope\.db/);
      // Closing on a full disk (its checkpoint fails too) still closes.
      expect(() => closeDatabase(db)).not.toThrow();

      // A restart while the disk is still full: the app comes up (no crash loop), serves the API and its jobs fail
      // with the disk named, then it stops cleanly.
      const logs: LogLine[] = [];
      const logger = createLogger({ level: 'info', destination: { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) } });
      const app = createApp({
        config: loadConfig({
          DATABASE_PATH: dbFile,
          HTTP_ENABLED: 'true',
          HTTP_HOST: '127.0.0.1',
          HTTP_PORT: '0',
          AGGREGATE_CRON: NEVER,
          AGGREGATE_INCREMENTAL_CRON: NEVER,
        }),
        logger,
        clock: systemClock,
      });
      try {
        await app.start();
        const health = await fetch(`${app.httpUrl}/healthz`);
        expect(health.status).toBeLessThan(500);
        expect(await app.scheduler.runNow('aggregate-incremental')).toBe(true);
        expect(logs.find((l) => l.job === 'aggregate-incremental' && l.level === 50)?.msg).toMatch(
          /^job failed: disk full: cannot write .*clipscope\.db/,
        );
      } finally {
        await app.stop();
      }
      expect(logs.at(-1)?.msg).toBe('stopped');
      expect(logs.filter((l) => l.level >= 60)).toEqual([]);

      // Space is back: everything committed before is there once, and the checkpoint empties the -wal file.
      filler.free(db);
      const reopened = openDatabase({ path: dbFile });
      try {
        const rows = reopened.$client
          .prepare(`SELECT message_id || ':' || clip_id FROM shares ORDER BY message_id`)
          .pluck()
          .all() as string[];
        expect(rows).toEqual(expected);
        expect(reopened.$client.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(reopened.$client.pragma('wal_checkpoint(TRUNCATE)')).toEqual([{ busy: 0, log: 0, checkpointed: 0 }]);
        expect(fs.statSync(`${dbFile}-wal`).size).toBe(0);
      } finally {
        closeDatabase(reopened);
      }
    },
    60_000,
  );
});
