// The two guild settings capture checks on every event: on SQLite read in the same tick (a change made by a command
// applies to the very next message); on PostgreSQL, a server other processes share, capture keeps them in memory and
// re-reads the rows changed since its last look (readCaptureSettingsChanged).
import { readNow, type Db } from '../../client';
import { queries } from '../../sql';

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

export interface CaptureSettingsRow {
  guildId: string;
  captureChannelIds: string[];
  includeBots: boolean;
  updatedAt: number;
}

const idsOf = (value: unknown): string[] => {
  const parsed: unknown = typeof value === 'string' ? safeParse(value) : value;
  return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : [];
};

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return [];
  }
}

/** The capture settings of every guild whose settings row changed at or after `since` (epoch ms), on either engine. */
export async function readCaptureSettingsChanged(db: Db, since: number): Promise<CaptureSettingsRow[]> {
  const rows = await queries(db).all<{ guild_id: string; ids: unknown; bots: unknown; updated_at: number }>(
    'SELECT guild_id, capture_channel_ids AS ids, include_bots AS bots, updated_at FROM guild_settings WHERE updated_at >= ?',
    [since],
  );
  return rows.map((r) => ({
    guildId: r.guild_id,
    captureChannelIds: idsOf(r.ids),
    includeBots: r.bots === true || r.bots === 1,
    updatedAt: r.updated_at,
  }));
}
