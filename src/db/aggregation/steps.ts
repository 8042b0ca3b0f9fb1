// How aggregation runs share the database with capture and with each other. SQLite: every step is a BEGIN IMMEDIATE
// transaction (the file's write lock serialises them, and capture, across processes). PostgreSQL: a guild's run
// holds a transaction-level advisory lock on its own connection, so two processes (or hosts) never aggregate the
// same guild at once; each step is a REPEATABLE READ transaction, so it reads one snapshot and its deletes of pending
// days and journal entries take only what it read (a capture write committed meanwhile stays for the next run, or
// makes the step fail with a serialization error and be retried). Dirty hours are the exception: a capture's upsert
// of an existing mark only locks it, so a step may delete a mark whose capture committed after its snapshot; they are
// therefore taken in a step of their own before any step reads (ADR 0043).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../database';
import { sqlStateOf } from '../postgres/errors';
import { queries } from '../sql';

/** How long a run waits for another process's run of the same guild before giving up with an error. */
export const GUILD_LOCK_WAIT_MS = 15 * 60_000;
const GUILD_LOCK_POLL_MS = 250;
/** Attempts of one step that PostgreSQL cut off with a serialization failure or a deadlock. */
const STEP_ATTEMPTS = 5;

/** The advisory lock key of a guild's aggregation: a 64-bit hash of a namespaced text (a collision only serialises). */
const LOCK_KEY_SQL = "hashtextextended('clipscope.aggregate:' || ?, 0)";

/**
 * Runs a guild's aggregation `fn` while holding the guild's aggregation lock (PostgreSQL; SQLite needs none, see
 * above). Waits at most GUILD_LOCK_WAIT_MS (polling, so no statement timeout cuts the wait short).
 */
export async function withGuildAggregationLock<T>(db: Db, guildId: string, fn: () => Promise<T>, waitMs = GUILD_LOCK_WAIT_MS): Promise<T> {
  if (db.engine !== 'postgres' || db.inTransaction) return fn();
  // The lock's transaction only takes the lock and waits for fn: it writes nothing and holds no snapshot between
  // statements, so it keeps no row versions from vacuum. It ends (releasing the lock) when fn settles or the
  // connection dies. (A server-side idle_in_transaction_session_timeout shorter than a run would end it early: the
  // run's work stays committed, the run reports the error, and only the mutual exclusion was lost meanwhile.)
  return db.transaction(async (lockTx) => {
    const q = queries(lockTx);
    const deadline = Date.now() + waitMs;
    for (;;) {
      const row = await q.get<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock(${LOCK_KEY_SQL}) AS locked`, [guildId]);
      if (row?.locked) break;
      if (Date.now() >= deadline) {
        throw new Error(
          `guild ${guildId} is being aggregated by another process for more than ${Math.round(waitMs / 1000)} s; try again when it has finished`,
        );
      }
      await sleep(GUILD_LOCK_POLL_MS);
    }
    return fn();
  });
}

const RETRIED_STATES = new Set(['40001', '40P01']);

/**
 * One step of an aggregation run, in one transaction (see the header). On PostgreSQL a step that lost a race with a
 * concurrent writer is rolled back and run again, up to STEP_ATTEMPTS times: `fn` must only compute from what it
 * reads in `tx`.
 */
export async function aggregationStep<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  // Inside a caller's transaction a step is a savepoint of it, under the caller's isolation.
  if (db.engine !== 'postgres' || db.inTransaction) return db.transaction(fn);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(async (tx) => {
        // A commit need not wait for its WAL flush: a crash can only lose the latest commits as a whole (WAL is
        // written in order, and capture's own synchronous commits flush every earlier one), which leaves the state of
        // an earlier step, whose dirty hours, pending days or stale mark make the next run redo the lost work.
        // Two statements, as before ADR 0035 (suspected when the full suite once lost a concurrent share; ADR 0043
        // found the cause in how dirty hours were taken, so one query string would do too; the round trip is cheap).
        await queries(tx).run('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
        // No JIT: the steps' statements are many and short, but the planner's costs for their JSON lists reach
        // jit_above_cost, and compiling took longer than running (at L: 24 ms of 30 for one mood read; an incremental
        // run of the largest guild 0.53–0.62 s with JIT, 0.45 s without; a full rebuild of an 86k-clip guild 24–27 s, 22–23 s).
        await queries(tx).run("SELECT set_config('synchronous_commit', 'off', true), set_config('jit', 'off', true)");
        return fn(tx);
      });
    } catch (error) {
      if (attempt >= STEP_ATTEMPTS || !RETRIED_STATES.has(sqlStateOf(error) ?? '')) throw error;
      await sleep(10 * attempt);
    }
  }
}
