// The name and icon a guild had when the bot last saw it (guild_settings), for the dashboard's header.
import type { Db } from '../client';
import { readRow } from './postgres-text';

export async function readGuildName(db: Db, guildId: string): Promise<string | null> {
  return (
    (await readRow<{ name: string | null }>(db, 'SELECT guild_name AS name FROM guild_settings WHERE guild_id = ?', [guildId]))?.name ??
    null
  );
}

/** The guild's name and icon hash as the bot last saw them (each null when it never has). */
export async function readGuildIdentity(db: Db, guildId: string): Promise<{ name: string | null; icon: string | null }> {
  const row = await readRow<{ name: string | null; icon: string | null }>(
    db,
    'SELECT guild_name AS name, guild_icon AS icon FROM guild_settings WHERE guild_id = ?',
    [guildId],
  );
  return { name: row?.name ?? null, icon: row?.icon ?? null };
}
