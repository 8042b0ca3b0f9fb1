// The name a guild had when the bot last saw it (guild_settings.guild_name), for the dashboard's header.
import { run, type Db } from '../client';

export function readGuildName(db: Db, guildId: string): Promise<string | null> {
  return run(
    db,
    (c) =>
      c.statement<[string], { name: string | null }>('SELECT guild_name AS name FROM guild_settings WHERE guild_id = ?').get(guildId)
        ?.name ?? null,
  );
}
