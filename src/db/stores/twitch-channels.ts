// twitch_channels: the Twitch channels each guild follows, and where each channel's clip sync stands.
import { run, type Db } from '../client';

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

export function listTwitchChannels(db: Db, guildId: string): Promise<TwitchChannel[]> {
  return run(db, (c) =>
    c
      .statement<[string], ChannelRow>('SELECT * FROM twitch_channels WHERE guild_id = ? ORDER BY broadcaster_login')
      .all(guildId)
      .map(toChannel),
  );
}

export function listAllTwitchChannels(db: Db): Promise<TwitchChannel[]> {
  return run(db, (c) =>
    c.statement<[], ChannelRow>('SELECT * FROM twitch_channels ORDER BY guild_id, broadcaster_login').all().map(toChannel),
  );
}

/** Follows the channels (or renames them, when already followed) in one transaction. */
export function upsertTwitchChannels(
  db: Db,
  guildId: string,
  users: ReadonlyArray<{ id: string; login: string; displayName: string }>,
  now: number,
): Promise<void> {
  return run(db, (c) =>
    c.client
      .transaction(() => {
        const upsert = c.statement(
          `INSERT INTO twitch_channels (guild_id, broadcaster_id, broadcaster_login, broadcaster_name, added_at)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (guild_id, broadcaster_id) DO UPDATE SET broadcaster_login = excluded.broadcaster_login,
                  broadcaster_name = excluded.broadcaster_name`,
        );
        for (const user of users) upsert.run(guildId, user.id, user.login, user.displayName, now);
      })
      .immediate(),
  );
}

/** Stops following a channel; false when the guild did not follow it. */
export function removeTwitchChannel(db: Db, guildId: string, login: string): Promise<boolean> {
  return run(
    db,
    (c) => c.statement('DELETE FROM twitch_channels WHERE guild_id = ? AND broadcaster_login = ?').run(guildId, login).changes > 0,
  );
}

export function recordChannelSyncFailure(db: Db, guildId: string, broadcasterId: string, at: number, error: string): Promise<void> {
  return run(db, (c) => {
    c.statement('UPDATE twitch_channels SET last_sync_at = ?, last_sync_error = ? WHERE guild_id = ? AND broadcaster_id = ?').run(
      at,
      error,
      guildId,
      broadcasterId,
    );
  });
}

export function recordChannelSynced(
  db: Db,
  guildId: string,
  broadcasterId: string,
  syncedThrough: number | null,
  at: number,
): Promise<void> {
  return run(db, (c) => {
    c.statement(
      'UPDATE twitch_channels SET synced_through = ?, last_sync_at = ?, last_sync_error = NULL WHERE guild_id = ? AND broadcaster_id = ?',
    ).run(syncedThrough, at, guildId, broadcasterId);
  });
}

/** The guild's followed channels, each with how many of the guild's clips are from it. */
export function listTwitchChannelsWithClips(db: Db, guildId: string): Promise<Array<{ channel: TwitchChannel; clips: number }>> {
  return run(db, (c) => {
    const clips = c.statement<[string, string], { n: number }>('SELECT count(*) AS n FROM clips WHERE guild_id = ? AND broadcaster_id = ?');
    return c
      .statement<[string], ChannelRow>('SELECT * FROM twitch_channels WHERE guild_id = ? ORDER BY broadcaster_login')
      .all(guildId)
      .map((row) => ({ channel: toChannel(row), clips: clips.get(guildId, row.broadcaster_id)?.n ?? 0 }));
  });
}
