// The two guild settings capture checks on every event, read in the same tick (a change made by a command applies
// to the very next message).
import { readNow, type Db } from '../../client';

/** The guild's capture channels (as stored JSON) and whether bots count; undefined when the guild has no settings row. */
export function readCaptureSettingsNow(db: Db, guildId: string): { ids: string; bots: number } | undefined {
  return readNow(db, (c) =>
    c
      .statement<[string], { ids: string; bots: number }>(
        'SELECT capture_channel_ids AS ids, include_bots AS bots FROM guild_settings WHERE guild_id = ?',
      )
      .get(guildId),
  );
}
