// The weekly digest store: digest_posts (one row per guild and covered week: claimed, posted or failed) and the
// digest error kept in the guild's settings, each change written in one transaction.
import { claimOrResume, type Claim } from '../claim';
import type { Db } from '../database';
import { updateGuildSettings } from '../guild-settings';
import { queries } from '../sql';

/** One guild's digest of one covered week. */
export interface DigestWeek {
  guildId: string;
  /** Start of the covered week, epoch ms. */
  weekStart: number;
}

export type DigestClaim = Claim;
export type DigestPostStatus = 'posted' | 'failed' | 'claimed';

/**
 * Takes the week for this attempt: 'fresh' when nobody tried yet, 'resumed' when an earlier attempt's claim was
 * made before `staleBefore` (that attempt died), null when it is posted, refused, or claimed more recently. Of any
 * number of processes claiming at once exactly one wins (src/db/claim.ts).
 */
export function claimDigestWeek(
  db: Db,
  week: DigestWeek & { channelId: string; now: number; staleBefore: number },
): Promise<DigestClaim | null> {
  return claimOrResume(db, {
    table: 'digest_posts',
    key: { guild_id: week.guildId, week_start: week.weekStart },
    stateColumn: 'status',
    claimedAtColumn: 'created_at',
    values: { channel_id: week.channelId },
    now: week.now,
    staleBefore: week.staleBefore,
  });
}

/** Records the week as posted in `messageId`, and clears the guild's digest error if one is recorded. */
export function recordDigestPosted(db: Db, week: DigestWeek, messageId: string, now: number): Promise<void> {
  return db.transaction(async (tx) => {
    const q = queries(tx);
    await q.run(`UPDATE digest_posts SET status = 'posted', message_id = ?, error = NULL WHERE guild_id = ? AND week_start = ?`, [
      messageId,
      week.guildId,
      week.weekStart,
    ]);
    await q.run('UPDATE guild_settings SET digest_last_error = NULL, updated_at = ? WHERE guild_id = ? AND digest_last_error IS NOT NULL', [
      now,
      week.guildId,
    ]);
  });
}

/**
 * Records a failed attempt and its message as the guild's digest error. `permanent` (Discord refused): the week is
 * failed and not retried. Otherwise the claim stays but is made stale at once, so the next check takes it over.
 */
export function recordDigestFailure(
  db: Db,
  week: DigestWeek,
  failure: { message: string; permanent: boolean },
  now: number,
): Promise<void> {
  return db.transaction(async (tx) => {
    const q = queries(tx);
    if (failure.permanent) {
      await q.run(`UPDATE digest_posts SET status = 'failed', error = ? WHERE guild_id = ? AND week_start = ?`, [
        failure.message,
        week.guildId,
        week.weekStart,
      ]);
    } else {
      await q.run(`UPDATE digest_posts SET error = ?, created_at = 0 WHERE guild_id = ? AND week_start = ? AND status = 'claimed'`, [
        failure.message,
        week.guildId,
        week.weekStart,
      ]);
    }
    await updateGuildSettings(tx, week.guildId, { digestLastError: failure.message }, now);
  });
}

/** Forgets a failure recorded for the week (so it is tried again) and clears the guild's digest error. */
export function forgetDigestFailure(db: Db, week: DigestWeek, now: number): Promise<void> {
  return db.transaction(async (tx) => {
    await queries(tx).run(`DELETE FROM digest_posts WHERE guild_id = ? AND week_start = ? AND status = 'failed'`, [
      week.guildId,
      week.weekStart,
    ]);
    await updateGuildSettings(tx, week.guildId, { digestLastError: null }, now);
  });
}

/** The state of the week's digest, or null when nobody has tried it yet. */
export async function digestPostStatus(db: Db, week: DigestWeek): Promise<DigestPostStatus | null> {
  const row = await queries(db).get<{ status: DigestPostStatus }>('SELECT status FROM digest_posts WHERE guild_id = ? AND week_start = ?', [
    week.guildId,
    week.weekStart,
  ]);
  return row?.status ?? null;
}

/** The digest store bound to one database, for the digest job and /clipscope-admin digest. */
export interface DigestStore {
  claim(week: DigestWeek & { channelId: string; now: number; staleBefore: number }): Promise<DigestClaim | null>;
  recordPosted(week: DigestWeek, messageId: string, now: number): Promise<void>;
  recordFailure(week: DigestWeek, failure: { message: string; permanent: boolean }, now: number): Promise<void>;
  forgetFailure(week: DigestWeek, now: number): Promise<void>;
  status(week: DigestWeek): Promise<DigestPostStatus | null>;
}

export function digestStore(db: Db): DigestStore {
  return {
    claim: (week) => claimDigestWeek(db, week),
    recordPosted: (week, messageId, now) => recordDigestPosted(db, week, messageId, now),
    recordFailure: (week, failure, now) => recordDigestFailure(db, week, failure, now),
    forgetFailure: (week, now) => forgetDigestFailure(db, week, now),
    status: (week) => digestPostStatus(db, week),
  };
}
