// The gateway identify throttle's slots (docs/adr/0033-identify-slots-in-the-database.md): one row per rate-limit key
// of the bot, taken with one conditional upsert whose outcome the database decides, the same text on both engines.
import type { Db } from '../database';
import { queries } from '../sql';

export interface IdentifySlotRequest {
  /** shard_id % max_concurrency. */
  key: number;
  shardId: number;
  /** Who asks: one id per process (host, pid and a random part). */
  holder: string;
  now: number;
  /** How old the key's last IDENTIFY must be before another may start (Discord: 5 s). */
  intervalMs: number;
}

export interface IdentifySlot {
  key: number;
  shardId: number;
  holder: string;
  /** When the slot was last taken (epoch ms, the taker's clock). */
  identifiedAt: number;
}

export type IdentifySlotAnswer = { taken: true } | { taken: false; slot: IdentifySlot | null };

/**
 * Takes the key's slot when nobody has or its last IDENTIFY is at least intervalMs old; otherwise answers who holds it
 * and since when, so the caller knows how long to wait. PostgreSQL re-checks the condition on the row a concurrent
 * taker just wrote, SQLite runs one writer at a time, so of two takers within intervalMs only one wins.
 */
export async function takeIdentifySlot(db: Db, r: IdentifySlotRequest): Promise<IdentifySlotAnswer> {
  const q = queries(db);
  const result = await q.run(
    `INSERT INTO identify_slots (rate_limit_key, identified_at, holder, shard_id) VALUES (@key, @now, @holder, @shardId)
     ON CONFLICT (rate_limit_key) DO UPDATE SET
       identified_at = excluded.identified_at,
       holder = excluded.holder,
       shard_id = excluded.shard_id
     WHERE identify_slots.identified_at <= @cutoff`,
    { key: r.key, now: r.now, holder: r.holder, shardId: r.shardId, cutoff: r.now - r.intervalMs },
  );
  if (result.changes > 0) return { taken: true };
  const slot = await q.get<IdentifySlot>(
    `SELECT rate_limit_key AS "key", shard_id AS "shardId", holder, identified_at AS "identifiedAt"
     FROM identify_slots WHERE rate_limit_key = ?`,
    [r.key],
  );
  return { taken: false, slot: slot ? normalize(slot) : null };
}

/**
 * Moves the slot this holder took at `takenAt` to `at`, the moment its IDENTIFY actually went out (after the take's
 * round trip), so the next shard of the key counts its 5 s from there. A slot someone took since is left alone.
 */
export async function stampIdentifySlot(db: Db, r: { key: number; holder: string; takenAt: number; at: number }): Promise<void> {
  await queries(db).run(
    'UPDATE identify_slots SET identified_at = @at WHERE rate_limit_key = @key AND holder = @holder AND identified_at = @takenAt',
    r,
  );
}

/** Every key's last IDENTIFY, by key (status, tests). */
export async function listIdentifySlots(db: Db): Promise<IdentifySlot[]> {
  const rows = await queries(db).all<IdentifySlot>(
    `SELECT rate_limit_key AS "key", shard_id AS "shardId", holder, identified_at AS "identifiedAt"
     FROM identify_slots ORDER BY rate_limit_key`,
  );
  return rows.map(normalize);
}

/** PostgreSQL's bigint arrives as a string through pg; both engines answer numbers. */
function normalize(row: IdentifySlot): IdentifySlot {
  return { key: Number(row.key), shardId: Number(row.shardId), holder: row.holder, identifiedAt: Number(row.identifiedAt) };
}

/** The slots bound to a database, for the gateway's identify throttle (src/discord/identify-throttle.ts). */
export function identifySlotStore(db: Db): {
  take(r: IdentifySlotRequest): Promise<IdentifySlotAnswer>;
  stamp(r: { key: number; holder: string; takenAt: number; at: number }): Promise<void>;
} {
  return { take: (r) => takeIdentifySlot(db, r), stamp: (r) => stampIdentifySlot(db, r) };
}
