import { afterEach, describe, expect, it } from 'vitest';
import { run, type Db } from '../../src/db/client';
import { createTempDb, type TempDb } from '../helpers/temp-db';

// The contract every engine keeps: a transaction is atomic and isolated from the other callers on the same handle,
// even while its callback awaits.
describe('Db transactions', () => {
  let temp: TempDb;
  afterEach(() => temp?.cleanup());

  const count = (db: Db): Promise<number> =>
    run(db, (c) => (c.statement<[], { n: number }>('SELECT count(*) AS n FROM job_runs').get() as { n: number }).n);
  const insert = (db: Db, name: string): Promise<void> =>
    run(db, (c) => {
      c.statement('INSERT INTO job_runs (job, last_started_at) VALUES (?, 0)').run(name);
    });

  it('commits what the callback wrote when its promise resolves', async () => {
    temp = createTempDb();
    await temp.db.transaction(async (tx) => {
      await insert(tx, 'a');
      await insert(tx, 'b');
    });
    expect(await count(temp.db)).toBe(2);
  });

  it('keeps nothing when the callback rejects', async () => {
    temp = createTempDb();
    await expect(
      temp.db.transaction(async (tx) => {
        await insert(tx, 'a');
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(await count(temp.db)).toBe(0);
  });

  it('makes another caller wait until the transaction ends instead of writing into it', async () => {
    temp = createTempDb();
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const tx = temp.db.transaction(async (t) => {
      await insert(t, 'in-tx');
      order.push('tx wrote');
      await gate;
      throw new Error('roll back');
    });
    const outside = insert(temp.db, 'outside').then(() => order.push('outside wrote'));
    await Promise.resolve();
    release();
    await expect(tx).rejects.toThrow('roll back');
    await outside;
    expect(order).toEqual(['tx wrote', 'outside wrote']);
    // The outside write survived the rollback: it did not run inside the transaction.
    expect(await count(temp.db)).toBe(1);
  });

  it('runs concurrent transactions one after another', async () => {
    temp = createTempDb();
    const seen: number[] = [];
    await Promise.all(
      [1, 2, 3].map((i) =>
        temp.db.transaction(async (tx) => {
          const before = await count(tx);
          await new Promise((r) => setTimeout(r, 5));
          await insert(tx, `job${i}`);
          seen.push(before);
        }),
      ),
    );
    expect(seen).toEqual([0, 1, 2]);
  });

  it('nests a savepoint: an inner failure rolls back only the inner writes', async () => {
    temp = createTempDb();
    await temp.db.transaction(async (tx) => {
      await insert(tx, 'outer');
      await tx
        .transaction(async (inner) => {
          await insert(inner, 'inner');
          throw new Error('inner');
        })
        .catch(() => undefined);
    });
    expect(await count(temp.db)).toBe(1);
  });

  it('refuses a statement through the handle of a transaction that has ended', async () => {
    temp = createTempDb();
    let kept!: Db;
    await temp.db.transaction(async (tx) => {
      kept = tx;
    });
    await expect(insert(kept, 'late')).rejects.toThrow('transaction has already ended');
  });
});
