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

/** Who changes settings, recorded with each change (settings_changes). */
export interface SettingsActor {
  id: string;
  name: string;
  source: 'command' | 'dashboard';
}

/** One recorded change of one setting. */
export interface SettingsChange {
  changedAt: number;
  actorId: string;
  actorName: string;
  source: 'command' | 'dashboard';
  field: string;
  /** The values before and after, as stored (JSON). */
  oldValue: unknown;
  newValue: unknown;
}

/** Settings a person changes; bookkeeping (the guild's name, the digest's last error) is not recorded. */
const RECORDED_FIELDS = new Set<keyof GuildSettings>([
  'captureChannelIds',
  'includeBots',
  'timezone',
  'digestChannelId',
  'digestWeekday',
  'digestHour',
  'digestEnabled',
  'dashboardViewerRoleId',
]);

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

/**
 * Applies `changes` to the guild's settings (its defaults when it has none yet); resolves with the new settings. With
 * an actor, each setting whose value changed is recorded in settings_changes, in the same step.
 */
export function updateGuildSettings(
  db: Db,
  guildId: string,
  changes: GuildSettingsChanges,
  now: number,
  actor?: SettingsActor,
): Promise<GuildSettings> {
  return run(db, (c) => {
    const before = readGuildSettings(db, guildId);
    const after = writeGuildSettings(db, guildId, changes, now);
    if (actor) {
      const record = c.statement(
        `INSERT INTO settings_changes (guild_id, changed_at, actor_id, actor_name, source, field, old_value, new_value)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const field of Object.keys(changes) as (keyof GuildSettings)[]) {
        if (!RECORDED_FIELDS.has(field)) continue;
        const oldValue = JSON.stringify(before[field]);
        const newValue = JSON.stringify(after[field]);
        if (oldValue !== newValue) record.run(guildId, now, actor.id, actor.name, actor.source, field, oldValue, newValue);
      }
    }
    return after;
  });
}

/** The guild's most recent settings changes, newest first. */
export function listSettingsChanges(db: Db, guildId: string, limit: number): Promise<SettingsChange[]> {
  return run(db, (c) =>
    c
      .statement<
        [string, number],
        {
          changed_at: number;
          actor_id: string;
          actor_name: string;
          source: 'command' | 'dashboard';
          field: string;
          old_value: string | null;
          new_value: string | null;
        }
      >(
        `SELECT changed_at, actor_id, actor_name, source, field, old_value, new_value FROM settings_changes
         WHERE guild_id = ? ORDER BY changed_at DESC, id DESC LIMIT ?`,
      )
      .all(guildId, limit)
      .map((r) => ({
        changedAt: r.changed_at,
        actorId: r.actor_id,
        actorName: r.actor_name,
        source: r.source,
        field: r.field,
        oldValue: parseJson(r.old_value),
        newValue: parseJson(r.new_value),
      })),
  );
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
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
  /** With an actor, the change is recorded (who changed what, when, from where). */
  update(guildId: string, changes: GuildSettingsChanges, now: number, actor?: SettingsActor): Promise<GuildSettings>;
  rememberName(guildId: string, name: string, now: number): Promise<void>;
  /** The guild's most recent recorded changes, newest first. */
  recentChanges(guildId: string, limit: number): Promise<SettingsChange[]>;
}

export function guildSettingsStore(db: Db): GuildSettingsStore {
  return {
    get: (guildId) => getGuildSettings(db, guildId),
    list: () => listGuildSettings(db),
    update: (guildId, changes, now, actor) => updateGuildSettings(db, guildId, changes, now, actor),
    rememberName: (guildId, name, now) => rememberGuildName(db, guildId, name, now),
    recentChanges: (guildId, limit) => listSettingsChanges(db, guildId, limit),
  };
}
