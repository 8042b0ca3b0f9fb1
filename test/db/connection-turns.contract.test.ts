// Callers waiting for the database get it first come first served, on both engines (SQLite's one connection, a
// PostgreSQL pool of one): a read that waited while a transaction ran is answered before a transaction that asked
// after it, however close to the end of the first transaction the later one asks. Waking every waiter at once let a
// transaction asked for in the same flush of promises as the release take the connection first, again and again: on
// the HTTP thread, cached answers' reads starved behind uncached answers' snapshots.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database';
import { queries } from '../../src/db/sql';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

/** Resolves after `n` turns of the microtask queue (no timers: the order is the same on any machine). */
async function microtasks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await null;
}

describe.each(testEngines())('turns on the connection on %s', (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(engine, 'connection-turns', { poolSize: 1 });
  });
  afterAll(async () => {
    await t?.close();
  });

  // What each caller saw tells the order in which they had the database: transactions add a row, reads count them.
  const count = async (db: Db): Promise<number> =>
    Number((await queries(db).get<{ n: number | string }>("SELECT count(*) AS n FROM job_runs WHERE job LIKE 'turn-%'"))!.n);
  const add = async (db: Db, job: string): Promise<void> => {
    await queries(db).run('INSERT INTO job_runs (job, last_started_at) VALUES (?, 0)', [`turn-${job}`]);
  };
  /** A transaction that holds the database until end() is called; resolves `inside` once it has the connection. */
  function holdingTransaction(db: Db) {
    let started!: () => void;
    const inside = new Promise<void>((resolve) => (started = resolve));
    let end!: () => void;
    const gate = new Promise<void>((resolve) => (end = resolve));
    let afterBody: (() => void) | null = null;
    const done = db.transaction(async (tx) => {
      await count(tx);
      started();
      await gate;
      afterBody?.();
    });
    return {
      inside,
      done,
      /** Ends the transaction's body; `then` runs synchronously as its last step. */
      end(then?: () => void) {
        afterBody = then ?? null;
        end();
      },
    };
  }

  it('answers a read that waited before a transaction asked for at any point around the release', async () => {
    const db = t.db;
    for (let ticks = 0; ticks <= 16; ticks++) {
      await queries(db).run("DELETE FROM job_runs WHERE job LIKE 'turn-%'");
      const first = holdingTransaction(db);
      await first.inside;
      const read = count(db);
      let later: Promise<unknown> = Promise.resolve();
      // Asked for `ticks` microtasks after the first body ends: before, at and after the moment the database is released.
      first.end(() => {
        later = microtasks(ticks).then(() => db.transaction((tx) => add(tx, 'later')));
      });
      await first.done;
      await later;
      expect(await read, `a transaction asked ${ticks} microtasks after the first one's body ended went first`).toBe(0);
    }
  });

  it('hands the database to waiting reads and transactions in the order they asked', async () => {
    const db = t.db;
    await queries(db).run("DELETE FROM job_runs WHERE job LIKE 'turn-%'");
    const first = holdingTransaction(db);
    await first.inside;
    const waiting = [count(db), db.transaction((tx) => add(tx, '2')), count(db), db.transaction((tx) => add(tx, '4')), count(db)];
    first.end();
    await first.done;
    const seen = await Promise.all(waiting);
    expect([seen[0], seen[2], seen[4]]).toEqual([0, 1, 2]);
  });

  it('runs statements started together in one transaction one after another, in the order they were started', async () => {
    const db = t.db;
    await queries(db).run("DELETE FROM job_runs WHERE job LIKE 'turn-%'");
    // Reads in one snapshot started at once (as Promise.all over a report's reads does), interleaved with writes:
    // each read counts the writes started before it. pg queueing them itself fails the file (its deprecation warning,
    // test/helpers/fail-on-queued-statements.ts).
    const seen = await db.transaction((tx) => {
      const started: Array<Promise<unknown>> = [];
      for (let i = 0; i < 5; i++) started.push(count(tx), add(tx, `together-${i}`));
      started.push(count(tx));
      return Promise.all(started);
    });
    expect(seen.filter((_, i) => i % 2 === 0)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(await count(db)).toBe(5);
  });
});
