// A guild's overrides of the default emoji → mood table (mood_overrides), keyed by the normalised emoji.
import type { Db } from '../database';
import { queries } from '../sql';

export interface MoodOverrideRow {
  emoji: string;
  mood: string;
  updated_at: number;
  updated_by: string;
}

/** The guild's overrides, in key order (at most `limit`). */
export function listMoodOverrides(db: Db, guildId: string, limit = 1000): Promise<MoodOverrideRow[]> {
  return queries(db).all<MoodOverrideRow>(
    'SELECT emoji, mood, updated_at, updated_by FROM mood_overrides WHERE guild_id = ? ORDER BY emoji LIMIT ?',
    [guildId, limit],
  );
}

/**
 * Sets one override, unless the guild already has `max` others: 'set', or 'full'. One conditional insert, so two
 * admins adding at once cannot pass the bound together by much (each statement sees the committed count).
 */
export async function setMoodOverride(
  db: Db,
  guildId: string,
  override: { emoji: string; mood: string; by: string; now: number },
  max: number,
): Promise<'set' | 'full'> {
  const result = await queries(db).run(
    `INSERT INTO mood_overrides (guild_id, emoji, mood, updated_at, updated_by)
       SELECT ?, ?, ?, ?, ? WHERE (SELECT count(*) FROM mood_overrides WHERE guild_id = ? AND emoji <> ?) < ?
     ON CONFLICT (guild_id, emoji) DO UPDATE SET mood = excluded.mood, updated_at = excluded.updated_at,
       updated_by = excluded.updated_by`,
    [guildId, override.emoji, override.mood, override.now, override.by, guildId, override.emoji, max],
  );
  if (result.changes === 0) return 'full';
  await markMoodsStale(db, guildId);
  return 'set';
}

/**
 * The guild's mood rows no longer follow its mapping: reads compute from the raw tables until the next aggregation
 * run (which visits guilds without a mood state) rebuilds them.
 */
async function markMoodsStale(db: Db, guildId: string): Promise<void> {
  await queries(db).run('DELETE FROM mood_state WHERE guild_id = ?', [guildId]);
}

/** Removes one override: whether there was one. */
export async function resetMoodOverride(db: Db, guildId: string, emoji: string): Promise<boolean> {
  const result = await queries(db).run('DELETE FROM mood_overrides WHERE guild_id = ? AND emoji = ?', [guildId, emoji]);
  if (result.changes === 0) return false;
  await markMoodsStale(db, guildId);
  return true;
}
