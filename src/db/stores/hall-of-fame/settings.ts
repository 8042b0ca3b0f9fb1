// hall_of_fame_settings: each guild's hall of fame (docs/hall-of-fame.md); no row means it is off.
import type { Db } from '../../database';
import { queries } from '../../sql';

export interface HallOfFameSettings {
  guildId: string;
  channelId: string;
  threshold: number;
  /** Emoji keys that count (as the reactions table stores them); empty: every emoji. */
  emojis: string[];
  removeBelow: number | null;
  selfReactions: boolean;
  nsfw: boolean;
  updatedAt: number;
}

interface SettingsRow {
  guild_id: string;
  channel_id: string;
  threshold: number;
  emojis: string;
  remove_below: number | null;
  self_reactions: number | boolean;
  nsfw: number | boolean;
  updated_at: number;
}

function parseEmojis(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

function toSettings(row: SettingsRow): HallOfFameSettings {
  return {
    guildId: row.guild_id,
    channelId: row.channel_id,
    threshold: Number(row.threshold),
    emojis: parseEmojis(row.emojis),
    removeBelow: row.remove_below === null ? null : Number(row.remove_below),
    // SQLite answers 1/0, PostgreSQL booleans.
    selfReactions: Boolean(row.self_reactions),
    nsfw: Boolean(row.nsfw),
    updatedAt: Number(row.updated_at),
  };
}

/** Turns the guild's hall of fame on, or changes it. */
export async function setHallOfFameSettings(db: Db, settings: HallOfFameSettings): Promise<void> {
  await queries(db).run(
    `INSERT INTO hall_of_fame_settings (guild_id, channel_id, threshold, emojis, remove_below, self_reactions, nsfw, updated_at)
     VALUES (@guild, @channel, @threshold, @emojis, @removeBelow, @self, @nsfw, @now)
     ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id, threshold = excluded.threshold,
       emojis = excluded.emojis, remove_below = excluded.remove_below, self_reactions = excluded.self_reactions,
       nsfw = excluded.nsfw, updated_at = excluded.updated_at`,
    {
      guild: settings.guildId,
      channel: settings.channelId,
      threshold: settings.threshold,
      emojis: JSON.stringify(settings.emojis),
      removeBelow: settings.removeBelow,
      self: settings.selfReactions,
      nsfw: settings.nsfw,
      now: settings.updatedAt,
    },
  );
}

/** Turns the guild's hall of fame off; its reposts stay where they are. Resolves with whether it was on. */
export async function deleteHallOfFameSettings(db: Db, guildId: string): Promise<boolean> {
  return (await queries(db).run('DELETE FROM hall_of_fame_settings WHERE guild_id = ?', [guildId])).changes > 0;
}

export async function getHallOfFameSettings(db: Db, guildId: string): Promise<HallOfFameSettings | null> {
  const row = await queries(db).get<SettingsRow>('SELECT * FROM hall_of_fame_settings WHERE guild_id = ?', [guildId]);
  return row ? toSettings(row) : null;
}

/** Every guild whose hall of fame is on, in guild order from `afterGuildId` (keyset pages for the reposter). */
export async function listHallOfFameSettings(db: Db, afterGuildId: string, limit: number): Promise<HallOfFameSettings[]> {
  const rows = await queries(db).all<SettingsRow>('SELECT * FROM hall_of_fame_settings WHERE guild_id > ? ORDER BY guild_id LIMIT ?', [
    afterGuildId,
    limit,
  ]);
  return rows.map(toSettings);
}
