// The guild settings store: per-guild configuration read and written through drizzle; a guild without a row gets
// the defaults.
import { eq } from 'drizzle-orm';
import { run, type Db, type SqliteDb } from './client';
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
  /** A role whose members may view the dashboard read-only; null = managers only. */
  dashboardViewerRoleId: string | null;
}

export type GuildSettingsChanges = Partial<Omit<GuildSettings, 'guildId'>>;

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
    dashboardViewerRoleId: null,
  };
}

export function getGuildSettings(db: Db, guildId: string): Promise<GuildSettings> {
  return run(db, () => readGuildSettings(db, guildId));
}

export function listGuildSettings(db: Db): Promise<GuildSettings[]> {
  return run(db, () =>
    orm(db)
      .select({ guildId: guildSettings.guildId })
      .from(guildSettings)
      .all()
      .map((r) => readGuildSettings(db, r.guildId)),
  );
}

/** Applies `changes` to the guild's settings (its defaults when it has none yet); resolves with the new settings. */
export function updateGuildSettings(db: Db, guildId: string, changes: GuildSettingsChanges, now: number): Promise<GuildSettings> {
  return run(db, () => writeGuildSettings(db, guildId, changes, now));
}

/** Records the guild's display name, writing only when it changed. */
export function rememberGuildName(db: Db, guildId: string, name: string, now: number): Promise<void> {
  return run(db, () => {
    if (readGuildSettings(db, guildId).guildName !== name) writeGuildSettings(db, guildId, { guildName: name }, now);
  });
}

// The synchronous halves, for the stores of src/db that read or write settings inside one run() callback.

const orm = (db: Db) => (db as SqliteDb).orm;

/** The guild's settings, read at once: call only inside a run() callback on `db`. */
export function readGuildSettings(db: Db, guildId: string): GuildSettings {
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
    dashboardViewerRoleId: row.dashboardViewerRoleId,
  };
}

/** updateGuildSettings at once: call only inside a run() callback on `db`. */
export function writeGuildSettings(db: Db, guildId: string, changes: GuildSettingsChanges, now: number): GuildSettings {
  const next = { ...readGuildSettings(db, guildId), ...changes };
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
    dashboardViewerRoleId: next.dashboardViewerRoleId,
    updatedAt: now,
  };
  orm(db).insert(guildSettings).values(values).onConflictDoUpdate({ target: guildSettings.guildId, set: values }).run();
  return next;
}

/** A stored JSON list of ids; anything that is not a list of strings reads as empty. */
export function parseIdList(json: string): string[] {
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

/** The settings store bound to one database, for code that must not hold the handle itself (commands, the digest). */
export interface GuildSettingsStore {
  get(guildId: string): Promise<GuildSettings>;
  list(): Promise<GuildSettings[]>;
  update(guildId: string, changes: GuildSettingsChanges, now: number): Promise<GuildSettings>;
  rememberName(guildId: string, name: string, now: number): Promise<void>;
}

export function guildSettingsStore(db: Db): GuildSettingsStore {
  return {
    get: (guildId) => getGuildSettings(db, guildId),
    list: () => listGuildSettings(db),
    update: (guildId, changes, now) => updateGuildSettings(db, guildId, changes, now),
    rememberName: (guildId, name, now) => rememberGuildName(db, guildId, name, now),
  };
}
