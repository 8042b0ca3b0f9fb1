// twitch_channels: the Twitch channels each guild follows, and where each channel's clip sync stands.
import type { Db } from '../database';
import { queries } from '../sql';

export interface TwitchChannel {
  guildId: string;
  broadcasterId: string;
  broadcasterLogin: string;
  broadcasterName: string;
  addedAt: number;
  syncedThrough: number | null;
  lastSyncAt: number | null;
  lastSyncError: string | null;
}

interface ChannelRow {
  guild_id: string;
  broadcaster_id: string;
  broadcaster_login: string;
  broadcaster_name: string;
  added_at: number;
  synced_through: number | null;
  last_sync_at: number | null;
  last_sync_error: string | null;
}

function toChannel(row: ChannelRow): TwitchChannel {
  return {
    guildId: row.guild_id,
    broadcasterId: row.broadcaster_id,
    broadcasterLogin: row.broadcaster_login,
    broadcasterName: row.broadcaster_name,
    addedAt: row.added_at,
    syncedThrough: row.synced_through,
    lastSyncAt: row.last_sync_at,
    lastSyncError: row.last_sync_error,
  };
}

export async function listTwitchChannels(db: Db, guildId: string): Promise<TwitchChannel[]> {
  return (await queries(db).all<ChannelRow>('SELECT * FROM twitch_channels WHERE guild_id = ? ORDER BY broadcaster_login', [guildId])).map(
    toChannel,
  );
}

export async function listAllTwitchChannels(db: Db): Promise<TwitchChannel[]> {
  return (await queries(db).all<ChannelRow>('SELECT * FROM twitch_channels ORDER BY guild_id, broadcaster_login')).map(toChannel);
}

/** Follows the channels (or renames them, when already followed) in one transaction. */
export function upsertTwitchChannels(
  db: Db,
  guildId: string,
  users: ReadonlyArray<{ id: string; login: string; displayName: string }>,
  now: number,
): Promise<void> {
  return db.transaction(async (tx) => {
    const q = queries(tx);
    for (const user of users) {
      await q.run(
        `INSERT INTO twitch_channels (guild_id, broadcaster_id, broadcaster_login, broadcaster_name, added_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (guild_id, broadcaster_id) DO UPDATE SET broadcaster_login = excluded.broadcaster_login,
                broadcaster_name = excluded.broadcaster_name`,
        [guildId, user.id, user.login, user.displayName, now],
      );
    }
  });
}

/** Stops following a channel; false when the guild did not follow it. */
export async function removeTwitchChannel(db: Db, guildId: string, login: string): Promise<boolean> {
  return (await queries(db).run('DELETE FROM twitch_channels WHERE guild_id = ? AND broadcaster_login = ?', [guildId, login])).changes > 0;
}

export async function recordChannelSyncFailure(db: Db, guildId: string, broadcasterId: string, at: number, error: string): Promise<void> {
  await queries(db).run('UPDATE twitch_channels SET last_sync_at = ?, last_sync_error = ? WHERE guild_id = ? AND broadcaster_id = ?', [
    at,
    error,
    guildId,
    broadcasterId,
  ]);
}

export async function recordChannelSynced(
  db: Db,
  guildId: string,
  broadcasterId: string,
  syncedThrough: number | null,
  at: number,
): Promise<void> {
  await queries(db).run(
    'UPDATE twitch_channels SET synced_through = ?, last_sync_at = ?, last_sync_error = NULL WHERE guild_id = ? AND broadcaster_id = ?',
    [syncedThrough, at, guildId, broadcasterId],
  );
}

/** The guild's followed channels, each with how many of the guild's clips are from it. */
export async function listTwitchChannelsWithClips(db: Db, guildId: string): Promise<Array<{ channel: TwitchChannel; clips: number }>> {
  const rows = await queries(db).all<ChannelRow & { clips: number }>(
    `SELECT t.*, (SELECT count(*) FROM clips c WHERE c.guild_id = t.guild_id AND c.broadcaster_id = t.broadcaster_id) AS clips
     FROM twitch_channels t WHERE t.guild_id = ? ORDER BY t.broadcaster_login`,
    [guildId],
  );
  return rows.map((row) => ({ channel: toChannel(row), clips: row.clips }));
}
