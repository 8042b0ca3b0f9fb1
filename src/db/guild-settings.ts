// Reads and writes per-guild configuration; a guild without a row gets the defaults.
import { eq } from 'drizzle-orm';
import type { Db, SqliteDb } from './client';

const orm = (db: Db) => (db as SqliteDb).orm;
import { guildSettings } from './schema';

export interface GuildSettings {
  guildId: string;
  guildName: string | null;
  /** Empty = capture in every channel the bot can see. */
  captureChannelIds: string[];
  includeBots: boolean;
  timezone: string;
  digestChannelId: string | null;
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  digestWeekday: number;
  digestHour: number;
  digestEnabled: boolean;
  digestLastError: string | null;
}

export function defaultGuildSettings(guildId: string): GuildSettings {
  return {
    guildId,
    guildName: null,
    captureChannelIds: [],
    includeBots: false,
    timezone: 'UTC',
    digestChannelId: null,
    digestWeekday: 1,
    digestHour: 10,
    digestEnabled: true,
    digestLastError: null,
  };
}

export function getGuildSettings(db: Db, guildId: string): GuildSettings {
  const row = orm(db).select().from(guildSettings).where(eq(guildSettings.guildId, guildId)).get();
  if (!row) return defaultGuildSettings(guildId);
  return {
    guildId: row.guildId,
    guildName: row.guildName,
    captureChannelIds: parseIdList(row.captureChannelIds),
    includeBots: row.includeBots,
    timezone: row.timezone,
    digestChannelId: row.digestChannelId,
    digestWeekday: row.digestWeekday,
    digestHour: row.digestHour,
    digestEnabled: row.digestEnabled,
    digestLastError: row.digestLastError,
  };
}

export function listGuildSettings(db: Db): GuildSettings[] {
  return orm(db)
    .select({ guildId: guildSettings.guildId })
    .from(guildSettings)
    .all()
    .map((r) => getGuildSettings(db, r.guildId));
}

export function updateGuildSettings(
  db: Db,
  guildId: string,
  changes: Partial<Omit<GuildSettings, 'guildId'>>,
  now: number,
): GuildSettings {
  const next = { ...getGuildSettings(db, guildId), ...changes };
  const values = {
    guildId,
    guildName: next.guildName,
    captureChannelIds: JSON.stringify(next.captureChannelIds),
    includeBots: next.includeBots,
    timezone: next.timezone,
    digestChannelId: next.digestChannelId,
    digestWeekday: next.digestWeekday,
    digestHour: next.digestHour,
    digestEnabled: next.digestEnabled,
    digestLastError: next.digestLastError,
    updatedAt: now,
  };
  orm(db).insert(guildSettings).values(values).onConflictDoUpdate({ target: guildSettings.guildId, set: values }).run();
  return next;
}

function parseIdList(json: string): string[] {
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}
