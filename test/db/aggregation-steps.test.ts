// An aggregation step's session settings on PostgreSQL: repeatable read, no wait for the WAL flush at commit, and no
// JIT compilation (the steps’ statements are short, and compiling them took longer than running them; ADR 0045),
// all scoped to the step's transaction, so the pool's other users keep the server's defaults.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregationStep } from '../../src/db/aggregation/steps';
import { queries } from '../../src/db/sql';
import { announcePostgresSkip, openTestDatabase, type TestDatabase } from '../helpers/engines';

describe.skipIf(announcePostgresSkip())('an aggregation step on PostgreSQL', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase('postgres', 'aggregation-steps', { poolSize: 1 });
  });
  afterAll(() => t?.close());

  const settings = (db: TestDatabase['db']) =>
    queries(db).get<{ jit: string; sync: string; isolation: string }>(
      "SELECT current_setting('jit') AS jit, current_setting('synchronous_commit') AS sync, current_setting('transaction_isolation') AS isolation",
    );

  it('runs without JIT and without waiting for the WAL flush, and leaves the session as it was', async () => {
    const before = await settings(t.db);
    const inside = await aggregationStep(t.db, (tx) => settings(tx));
    expect(inside).toEqual({ jit: 'off', sync: 'off', isolation: 'repeatable read' });
    // One connection in the pool: the same session, back to the server's settings once the step committed.
    expect(await settings(t.db)).toEqual(before);
  });
});
