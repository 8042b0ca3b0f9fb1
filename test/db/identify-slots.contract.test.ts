// The identify slot contract, the same on both engines: of concurrent takers of one rate-limit key exactly one wins,
// the slot is free again once its IDENTIFY is the interval old (not before), and the refused learn who holds it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database';
import { listIdentifySlots, stampIdentifySlot, takeIdentifySlot } from '../../src/db/stores/identify-slots';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

describe.each(testEngines())('identify slots on %s', (engine) => {
  let t: TestDatabase;
  const others: Array<{ db: Db; close(): Promise<void> }> = [];

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'identify-slots', { poolSize: 8 });
    // Handles as other processes would open them: their own connection (SQLite) or pool (PostgreSQL).
    for (let i = 0; i < 3; i++) others.push(await t.openAnother());
  });

  afterAll(async () => {
    for (const other of others) await other.close();
    await t?.close();
  });

  const take = (db: Db, key: number, shardId: number, holder: string, now: number) =>
    takeIdentifySlot(db, { key, shardId, holder, now, intervalMs: 5000 });

  it('lets exactly one of many concurrent takers of one key win, and tells the others who holds it since when', async () => {
    const handles = [t.db, ...others.map((o) => o.db)];
    const attempts = handles.flatMap((db, i) => [0, 1, 2].map((j) => take(db, 0, i * 4, `p${i}-${j}`, 10_000)));
    const answers = await Promise.all(attempts);
    const winners = answers.filter((a) => a.taken);
    expect(winners).toHaveLength(1);
    const winner = `p${Math.floor(answers.findIndex((a) => a.taken) / 3)}-${answers.findIndex((a) => a.taken) % 3}`;
    for (const answer of answers.filter((a) => !a.taken)) {
      expect(answer).toEqual({ taken: false, slot: { key: 0, shardId: expect.any(Number), holder: winner, identifiedAt: 10_000 } });
    }
    expect(await listIdentifySlots(t.db)).toEqual([{ key: 0, shardId: expect.any(Number), holder: winner, identifiedAt: 10_000 }]);
  });

  it('frees a key once its last IDENTIFY is the interval old, not a millisecond before; other keys are apart', async () => {
    expect(await take(t.db, 1, 1, 'a', 100_000)).toEqual({ taken: true });
    // Another key of the same bot identifies at once: keys do not wait for each other.
    expect(await take(others[0]!.db, 2, 2, 'b', 100_001)).toEqual({ taken: true });
    expect(await take(others[0]!.db, 1, 5, 'b', 104_999)).toMatchObject({ taken: false, slot: { holder: 'a', shardId: 1 } });
    expect(await take(others[0]!.db, 1, 5, 'b', 105_000)).toEqual({ taken: true });
    expect(await take(t.db, 1, 1, 'a', 105_001)).toMatchObject({ taken: false, slot: { holder: 'b', shardId: 5, identifiedAt: 105_000 } });
    const slots = await listIdentifySlots(t.db);
    expect(slots.filter((s) => s.key !== 0)).toEqual([
      { key: 1, shardId: 5, holder: 'b', identifiedAt: 105_000 },
      { key: 2, shardId: 2, holder: 'b', identifiedAt: 100_001 },
    ]);
  });

  it('moves a slot to when its IDENTIFY went out, unless someone took the slot since', async () => {
    expect(await take(t.db, 3, 3, 'a', 200_000)).toEqual({ taken: true });
    await stampIdentifySlot(t.db, { key: 3, holder: 'a', takenAt: 200_000, at: 200_300 });
    // Counted from the stamp: 5 s after the take is not enough, 5 s after the IDENTIFY is.
    expect(await take(others[0]!.db, 3, 7, 'b', 205_000)).toMatchObject({ taken: false, slot: { identifiedAt: 200_300 } });
    expect(await take(others[0]!.db, 3, 7, 'b', 205_300)).toEqual({ taken: true });
    // A late stamp of the old take (another holder's slot now, or a later take of its own) changes nothing.
    await stampIdentifySlot(t.db, { key: 3, holder: 'a', takenAt: 200_000, at: 209_000 });
    await stampIdentifySlot(t.db, { key: 3, holder: 'b', takenAt: 200_000, at: 209_000 });
    expect((await listIdentifySlots(t.db)).find((s) => s.key === 3)).toEqual({ key: 3, shardId: 7, holder: 'b', identifiedAt: 205_300 });
  });

  it(`keeps the number types on ${engine}: epoch ms past 2^31 read back as numbers`, async () => {
    const now = Date.UTC(2030, 0, 1);
    expect(await take(t.db, 7, 7, 'c', now)).toEqual({ taken: true });
    expect((await listIdentifySlots(t.db)).find((s) => s.key === 7)).toEqual({ key: 7, shardId: 7, holder: 'c', identifiedAt: now });
  });
});
