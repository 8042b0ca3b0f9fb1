// The weekly digest store: digest_posts (one row per guild and covered week: claimed, posted or failed) and the
// digest error kept in the guild's settings, each change written in one transaction.
import { run, type Connection, type Db } from '../client';
import { readGuildSettings, writeGuildSettings } from '../guild-settings';

/** One guild's digest of one covered week. */
export interface DigestWeek {
  guildId: string;
  /** Start of the covered week, epoch ms. */
  weekStart: number;
}

export type DigestClaim = 'fresh' | 'resumed';
export type DigestPostStatus = 'posted' | 'failed' | 'claimed';

/** BEGIN IMMEDIATE … COMMIT around `fn` on the connection (a savepoint inside an open transaction). */
function atomically<T>(c: Connection, fn: () => T): T {
  return c.client.transaction(fn).immediate();
}

/**
 * Takes the week for this attempt: 'fresh' when nobody tried yet, 'resumed' when an earlier attempt's claim was
 * made before `staleBefore` (that attempt died), null when it is posted, refused, or claimed more recently.
 */
export function claimDigestWeek(
  db: Db,
  week: DigestWeek & { channelId: string; now: number; staleBefore: number },
): Promise<DigestClaim | null> {
  return run(db, (c) =>
    atomically(c, () => {
      const existing = c
        .statement<[string, number], { status: string; created_at: number }>(
          'SELECT status, created_at FROM digest_posts WHERE guild_id = ? AND week_start = ?',
        )
        .get(week.guildId, week.weekStart);
      if (!existing) {
        c.statement(`INSERT INTO digest_posts (guild_id, week_start, channel_id, status, created_at) VALUES (?, ?, ?, 'claimed', ?)`).run(
          week.guildId,
          week.weekStart,
          week.channelId,
          week.now,
        );
        return 'fresh';
      }
      if (existing.status !== 'claimed' || existing.created_at > week.staleBefore) return null;
      c.statement('UPDATE digest_posts SET channel_id = ?, created_at = ? WHERE guild_id = ? AND week_start = ?').run(
        week.channelId,
        week.now,
        week.guildId,
        week.weekStart,
      );
      return 'resumed';
    }),
  );
}

/** Records the week as posted in `messageId`, and clears the guild's digest error if one is recorded. */
export function recordDigestPosted(db: Db, week: DigestWeek, messageId: string, now: number): Promise<void> {
  return run(db, (c) =>
    atomically(c, () => {
      c.statement(`UPDATE digest_posts SET status = 'posted', message_id = ?, error = NULL WHERE guild_id = ? AND week_start = ?`).run(
        messageId,
        week.guildId,
        week.weekStart,
      );
      if (readGuildSettings(db, week.guildId).digestLastError !== null)
        writeGuildSettings(db, week.guildId, { digestLastError: null }, now);
    }),
  );
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
  return run(db, (c) =>
    atomically(c, () => {
      if (failure.permanent) {
        c.statement(`UPDATE digest_posts SET status = 'failed', error = ? WHERE guild_id = ? AND week_start = ?`).run(
          failure.message,
          week.guildId,
          week.weekStart,
        );
      } else {
        c.statement(`UPDATE digest_posts SET error = ?, created_at = 0 WHERE guild_id = ? AND week_start = ? AND status = 'claimed'`).run(
          failure.message,
          week.guildId,
          week.weekStart,
        );
      }
      writeGuildSettings(db, week.guildId, { digestLastError: failure.message }, now);
    }),
  );
}

/** Forgets a failure recorded for the week (so it is tried again) and clears the guild's digest error. */
export function forgetDigestFailure(db: Db, week: DigestWeek, now: number): Promise<void> {
  return run(db, (c) =>
    atomically(c, () => {
      c.statement(`DELETE FROM digest_posts WHERE guild_id = ? AND week_start = ? AND status = 'failed'`).run(week.guildId, week.weekStart);
      writeGuildSettings(db, week.guildId, { digestLastError: null }, now);
    }),
  );
}

/** The state of the week's digest, or null when nobody has tried it yet. */
export function digestPostStatus(db: Db, week: DigestWeek): Promise<DigestPostStatus | null> {
  return run(
    db,
    (c) =>
      c
        .statement<[string, number], { status: DigestPostStatus }>('SELECT status FROM digest_posts WHERE guild_id = ? AND week_start = ?')
        .get(week.guildId, week.weekStart)?.status ?? null,
  );
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
