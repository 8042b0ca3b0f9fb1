// The name a guild had when the bot last saw it (guild_settings.guild_name), for the dashboard's header.
import type { Db } from '../client';
import { readRow } from './postgres-text';

export async function readGuildName(db: Db, guildId: string): Promise<string | null> {
  return (
    (await readRow<{ name: string | null }>(db, 'SELECT guild_name AS name FROM guild_settings WHERE guild_id = ?', [guildId]))?.name ??
    null
  );
}
