// Capture on PostgreSQL when the server takes a connection away mid-batch (pg_terminate_backend: what an admin
// shutdown, a failover or a restart does to a session) or cuts a statement off at the statement timeout: the batch is
// kept and retried like a full disk on SQLite, and afterwards every event is in the database exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaptureQueue, type CaptureWrite } from '../../src/capture/queue';
import { recordReactionAdded } from '../../src/capture/record-reaction';
import { recordMessage, type MessageSnapshot } from '../../src/capture/record-share';
import { systemClock } from '../../src/clock';
import type { Db } from '../../src/db/database';
import { closePostgres, openPostgres } from '../../src/db/postgres/engine';
import { queries } from '../../src/db/sql';
import { createLogger } from '../../src/logger';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { clearTables } from '../helpers/clear-tables';

const T0 = Date.UTC(2026, 2, 1, 12);

const snapshot = (messageId: string, clipId: string): MessageSnapshot => ({
  guildId: 'g1',
  channelId: 'c1',
  threadId: null,
  messageId,
  authorId: 'u0',
  authorName: 'Poster',
  authorIsBot: false,
  postedAt: T0,
  content: `https://clips.twitch.tv/${clipId}`,
  source: 'discord',
});

interface LogLine {
  level: number;
  msg: string;
}

/** A capture stream: each message shares one of five clips and gets two reactions. */
function streamWrites(count: number): CaptureWrite[] {
  const writes: CaptureWrite[] = [];
  for (let i = 0; i < count; i++) {
    const messageId = `m${i}`;
    writes.push({ describe: `MESSAGE_CREATE ${messageId}`, run: (db, now) => recordMessage(db, snapshot(messageId, `Clip${i % 5}`), now) });
    for (const user of ['u1', 'u2']) {
      writes.push({
        describe: `MESSAGE_REACTION_ADD ${messageId}`,
        run: (db, now) =>
          recordReactionAdded(db, { guildId: 'g1', channelId: 'c1', messageId, emojiKey: '🔥', userId: user, at: T0 + i }, now),
      });
    }
  }
  return writes;
}

/** What the stream must leave, counted once: 5 clips, `count` shares, two reactions per share. */
async function expectStreamOnce(db: Db, count: number): Promise<void> {
  const q = queries(db);
  expect(await q.get('SELECT count(*) AS n FROM shares')).toEqual({ n: count });
  expect(await q.get('SELECT count(*) AS n FROM reactions')).toEqual({ n: 2 * count });
  expect(await q.get('SELECT sum(discord_shares) AS s, sum(discord_reactions) AS r FROM clips')).toEqual({ s: count, r: 2 * count });
  // The journal, which incremental aggregation adds up, holds each share and reaction once.
  expect(await q.get('SELECT sum(shares) AS s, sum(reactions) AS r FROM engagement_changes')).toEqual({ s: count, r: 2 * count });
}

function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) } });
  return { logger, lines };
}

describe.skipIf(!testEngines().includes('postgres'))('capture on PostgreSQL through lost connections and timeouts', () => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await openTestDatabase('postgres', 'capture-faults', { poolSize: 3 });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps a batch whose connection the server terminated, retries it, and records every event exactly once', async () => {
    await clearTables(t.db);
    const { logger, lines } = capturingLogger();
    const queue = createCaptureQueue({ db: t.db, logger, clock: systemClock, batchMax: 25, retryDelayMs: 10, maxRetryDelayMs: 50 });
    const writes = streamWrites(60);
    // Three times in the stream, a write ends its own session on the server in the middle of a batch (57P01,
    // "terminating connection due to administrator command"), after other writes of the batch ran on it.
    const killers = new Set([10, 70, 150]);
    let terminated = 0;
    for (const [i, write] of writes.entries()) {
      queue.push(write);
      if (!killers.has(i)) continue;
      let done = false;
      queue.push({
        describe: 'pg_terminate_backend',
        run: async (db) => {
          if (done) return;
          done = true;
          terminated++;
          await queries(db).get('SELECT pg_terminate_backend(pg_backend_pid())');
        },
      });
    }
    await queue.flush();
    expect(terminated).toBe(3);
    await expectStreamOnce(t.db, 60);
    const warnings = lines.filter((l) => l.msg.includes('lost the connection to PostgreSQL'));
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings[0]!.msg).toMatch(/writes kept in memory and retried until then$/);
    expect(lines.some((l) => l.msg.startsWith('capture: database writable again'))).toBe(true);
    await queue.stop();
  });

  it('keeps and retries a batch cut off by the statement timeout', async () => {
    await clearTables(t.db);
    // A pool of its own on the same database with a short statement timeout.
    const url = new URL(process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres');
    const name = await queries(t.db).get<{ name: string }>('SELECT current_database() AS name');
    url.pathname = `/${name!.name}`;
    const db = openPostgres({ url: url.toString(), poolSize: 2, statementTimeoutMs: 100 });
    try {
      const { logger, lines } = capturingLogger();
      const queue = createCaptureQueue({ db, logger, clock: systemClock, batchMax: 10, retryDelayMs: 10, maxRetryDelayMs: 50 });
      let slow = true;
      for (const [i, write] of streamWrites(20).entries()) {
        queue.push(write);
        if (i === 5) {
          queue.push({
            describe: 'slow statement',
            run: async (tx) => {
              if (!slow) return;
              slow = false;
              await queries(tx).get('SELECT pg_sleep(0.5)');
            },
          });
        }
      }
      await queue.flush();
      await expectStreamOnce(db, 20);
      expect(lines.some((l) => l.msg === 'capture: database busy, batch kept for retry')).toBe(false);
      expect(lines.some((l) => l.msg.includes('statement timeout') && l.msg.endsWith('retried until then'))).toBe(true);
      await queue.stop();
    } finally {
      await closePostgres(db);
    }
  });
});
