// The capture write queue: batches in order, survives a busy database without dropping, flushes on stop.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/clock';
import { createCaptureQueue, isTransientDatabaseError, type CaptureWrite } from '../../src/capture/queue';
import { createLogger } from '../../src/logger';
import { createTempDb, type TempDb } from '../helpers/temp-db';
import { sqliteClient } from '../../src/db/client';

describe('capture queue', () => {
  let temp: TempDb;
  let logs: { msg: string; level: number; [key: string]: unknown }[];
  const logger = () => createLogger({ level: 'debug', destination: { write: (l: string) => void logs.push(JSON.parse(l)) } });

  beforeEach(() => {
    temp = createTempDb();
    logs = [];
    temp.db.$client.exec('CREATE TABLE log (n INTEGER NOT NULL, tx INTEGER NOT NULL)');
  });
  afterEach(() => temp.cleanup());

  const writeN = (n: number): CaptureWrite => ({
    describe: `write ${n}`,
    // Every write of one batch sees the same `now`, so `tx` tells the batches apart.
    run: (db, now) => {
      sqliteClient(db).prepare('INSERT INTO log (n, tx) VALUES (?, ?)').run(n, now);
    },
  });
  const rows = () =>
    temp.db.$client
      .prepare('SELECT n FROM log ORDER BY rowid')
      .all()
      .map((r) => (r as { n: number }).n);

  it('commits every write in push order, in batches no larger than the maximum', async () => {
    let tick = 0;
    const queue = createCaptureQueue({ db: temp.db, logger: logger(), clock: { now: () => ++tick }, batchMax: 7 });
    for (let i = 0; i < 30; i++) queue.push(writeN(i));
    // Full batches are committed at once, without waiting for the event loop (only for their own commits' promises).
    for (let i = 0; i < 1_000 && queue.pending > 2; i++) await Promise.resolve();
    expect(queue.pending).toBe(2);
    await queue.flush();
    expect(rows()).toEqual([...Array(30).keys()]);
    const sizes = temp.db.$client
      .prepare('SELECT count(*) AS n FROM log GROUP BY tx ORDER BY tx')
      .all()
      .map((r) => (r as { n: number }).n);
    expect(sizes).toEqual([7, 7, 7, 7, 2]);
  });

  it('keeps a batch while another connection holds the write lock, then commits it', async () => {
    const queue = createCaptureQueue({
      db: temp.db,
      logger: logger(),
      clock: systemClock,
      batchMax: 100,
      retryDelayMs: 5,
      maxRetryDelayMs: 20,
    });
    temp.db.$client.pragma('busy_timeout = 0');
    const other = new Database(temp.path);
    other.exec('BEGIN IMMEDIATE');
    for (let i = 0; i < 5; i++) queue.push(writeN(i));
    // At least two failed attempts: the batch was retried and still kept, not dropped.
    await vi.waitFor(() =>
      expect(logs.filter((l) => l.msg === 'capture: database busy, batch kept for retry').length).toBeGreaterThanOrEqual(2),
    );
    expect(queue.pending).toBe(5);
    expect(rows()).toEqual([]);
    other.exec('COMMIT');
    other.close();
    await queue.flush();
    expect(rows()).toEqual([0, 1, 2, 3, 4]);
  });

  it('skips only the write that can never succeed and logs it', async () => {
    const queue = createCaptureQueue({ db: temp.db, logger: logger(), clock: systemClock, batchMax: 100 });
    queue.push(writeN(1));
    queue.push({ describe: 'broken write', run: (db) => void sqliteClient(db).prepare('INSERT INTO no_such_table VALUES (1)').run() });
    queue.push(writeN(3));
    await queue.flush();
    expect(rows()).toEqual([1, 3]);
    expect(logs.filter((l) => l.msg === 'capture: write failed and was skipped')).toHaveLength(1);
  });

  it('on stop commits what is pending and takes nothing more', async () => {
    const queue = createCaptureQueue({ db: temp.db, logger: logger(), clock: systemClock, batchMax: 1000 });
    for (let i = 0; i < 10; i++) queue.push(writeN(i));
    expect(queue.pending).toBe(10);
    await queue.stop();
    expect(rows()).toHaveLength(10);
    queue.push(writeN(99));
    await queue.flush();
    expect(rows()).toHaveLength(10);
  });

  it('gives up at stop only after its deadline, saying how many writes were lost', async () => {
    const queue = createCaptureQueue({
      db: temp.db,
      logger: logger(),
      clock: systemClock,
      batchMax: 100,
      retryDelayMs: 5,
      maxRetryDelayMs: 10,
      stopTimeoutMs: 100,
    });
    temp.db.$client.pragma('busy_timeout = 0');
    const other = new Database(temp.path);
    other.exec('BEGIN IMMEDIATE');
    for (let i = 0; i < 3; i++) queue.push(writeN(i));
    await queue.stop();
    other.exec('ROLLBACK');
    other.close();
    expect(logs.find((l) => l.msg === 'capture: database still failing at shutdown; pending writes lost')).toMatchObject({ lost: 3 });
    expect(rows()).toEqual([]);
  });

  it('tells transient SQLite errors from permanent ones', () => {
    expect(isTransientDatabaseError(Object.assign(new Error('busy'), { code: 'SQLITE_BUSY' }))).toBe(true);
    expect(isTransientDatabaseError(Object.assign(new Error('busy'), { code: 'SQLITE_BUSY_SNAPSHOT' }))).toBe(true);
    expect(isTransientDatabaseError(Object.assign(new Error('x'), { code: 'SQLITE_ERROR' }))).toBe(false);
    expect(isTransientDatabaseError(new Error('plain'))).toBe(false);
  });
});
