// The guild settings store: per-guild configuration on either engine; a guild without a row gets the defaults. Each
// write is one upsert that sets only the columns it changes, so two writers changing different settings at once (two
// processes on PostgreSQL) both keep their change.
import { eq } from 'drizzle-orm';
import type { Db, SqliteDb } from './client';
import { guildSettings } from './schema';
import { queries } from './sql';

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

const COLUMNS = {
  guildName: 'guild_name',
  captureChannelIds: 'capture_channel_ids',
  includeBots: 'include_bots',
  timezone: 'timezone',
  digestChannelId: 'digest_channel_id',
  digestWeekday: 'digest_weekday',
  digestHour: 'digest_hour',
  digestEnabled: 'digest_enabled',
  digestLastError: 'digest_last_error',
  dashboardViewerRoleId: 'dashboard_viewer_role_id',
} as const satisfies Record<keyof GuildSettingsChanges, string>;

type SettingKey = keyof typeof COLUMNS;
const SETTING_KEYS = Object.keys(COLUMNS) as SettingKey[];
const SELECT_COLUMNS = `guild_id, ${Object.values(COLUMNS).join(', ')}`;

interface SettingsRow {
  guild_id: string;
  guild_name: string | null;
  /** JSON text on SQLite, jsonb (already parsed) on PostgreSQL. */
  capture_channel_ids: unknown;
  /** 0/1 on SQLite, a boolean on PostgreSQL. */
  include_bots: number | boolean;
  timezone: string;
  digest_channel_id: string | null;
  digest_weekday: number;
  digest_hour: number;
  digest_enabled: number | boolean;
  digest_last_error: string | null;
  dashboard_viewer_role_id: string | null;
}

function toSettings(row: SettingsRow): GuildSettings {
  return {
    guildId: row.guild_id,
    guildName: row.guild_name,
    captureChannelIds: idListOf(row.capture_channel_ids),
    includeBots: Boolean(row.include_bots),
    timezone: row.timezone,
    digestChannelId: row.digest_channel_id,
    digestWeekday: row.digest_weekday,
    digestHour: row.digest_hour,
    digestEnabled: Boolean(row.digest_enabled),
    digestLastError: row.digest_last_error,
    dashboardViewerRoleId: row.dashboard_viewer_role_id,
  };
}

/** The upsert that writes `keys` (the others only when the row is new), memoised by the keys it sets. */
const upserts = new Map<string, string>();
function upsertSql(keys: readonly SettingKey[]): string {
  const id = keys.join(',');
  let sql = upserts.get(id);
  if (sql === undefined) {
    const sets = keys.map((k) => `${COLUMNS[k]} = excluded.${COLUMNS[k]}`).concat('updated_at = excluded.updated_at');
    sql = `INSERT INTO guild_settings (${SELECT_COLUMNS}, updated_at)
      VALUES (@guildId, ${SETTING_KEYS.map((k) => `@${k}`).join(', ')}, @updatedAt)
      ON CONFLICT (guild_id) DO UPDATE SET ${sets.join(', ')}
      RETURNING ${SELECT_COLUMNS}`;
    upserts.set(id, sql);
  }
  return sql;
}

export async function getGuildSettings(db: Db, guildId: string): Promise<GuildSettings> {
  const row = await queries(db).get<SettingsRow>(`SELECT ${SELECT_COLUMNS} FROM guild_settings WHERE guild_id = ?`, [guildId]);
  return row ? toSettings(row) : defaultGuildSettings(guildId);
}

export async function listGuildSettings(db: Db): Promise<GuildSettings[]> {
  return (await queries(db).all<SettingsRow>(`SELECT ${SELECT_COLUMNS} FROM guild_settings ORDER BY guild_id`)).map(toSettings);
}

/**
 * Applies `changes` to the guild's settings (its defaults when it has none yet); resolves with the new settings. With
 * an actor, each setting whose value changed is recorded in settings_changes, in the same transaction.
 */
export function updateGuildSettings(
  db: Db,
  guildId: string,
  changes: GuildSettingsChanges,
  now: number,
  actor?: SettingsActor,
): Promise<GuildSettings> {
  // Without an actor the update is one upsert (no transaction held across an await on a shared SQLite file).
  if (!actor) return upsertSettings(db, guildId, changes, now);
  return db.transaction(async (tx) => {
    const before = await getGuildSettings(tx, guildId);
    const after = await upsertSettings(tx, guildId, changes, now);
    for (const field of Object.keys(changes) as (keyof GuildSettings)[]) {
      if (!RECORDED_FIELDS.has(field)) continue;
      const oldValue = JSON.stringify(before[field]);
      const newValue = JSON.stringify(after[field]);
      if (oldValue === newValue) continue;
      await queries(tx).run(
        `INSERT INTO settings_changes (guild_id, changed_at, actor_id, actor_name, source, field, old_value, new_value)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        [guildId, now, actor.id, actor.name, actor.source, field, oldValue, newValue],
      );
    }
    return after;
  });
}

async function upsertSettings(db: Db, guildId: string, changes: GuildSettingsChanges, now: number): Promise<GuildSettings> {
  const keys = SETTING_KEYS.filter((k) => changes[k] !== undefined);
  const values: GuildSettings = defaultGuildSettings(guildId);
  for (const k of keys) (values as Record<SettingKey, unknown>)[k] = changes[k];
  const row = await queries(db).get<SettingsRow>(upsertSql(keys), {
    guildId,
    guildName: values.guildName,
    captureChannelIds: JSON.stringify(values.captureChannelIds),
    includeBots: values.includeBots,
    timezone: values.timezone,
    digestChannelId: values.digestChannelId,
    digestWeekday: values.digestWeekday,
    digestHour: values.digestHour,
    digestEnabled: values.digestEnabled,
    digestLastError: values.digestLastError,
    dashboardViewerRoleId: values.dashboardViewerRoleId,
    updatedAt: now,
  });
  return toSettings(row!);
}

/** The guild's most recent settings changes, newest first. */
export async function listSettingsChanges(db: Db, guildId: string, limit: number): Promise<SettingsChange[]> {
  const rows = await queries(db).all<{
    changed_at: number;
    actor_id: string;
    actor_name: string;
    source: 'command' | 'dashboard';
    field: string;
    old_value: string | null;
    new_value: string | null;
  }>(
    `SELECT changed_at, actor_id, actor_name, source, field, old_value, new_value FROM settings_changes
     WHERE guild_id = ? ORDER BY changed_at DESC, id DESC LIMIT ?`,
    [guildId, limit],
  );
  return rows.map((r) => ({
    changedAt: r.changed_at,
    actorId: r.actor_id,
    actorName: r.actor_name,
    source: r.source,
    field: r.field,
    oldValue: parseJson(r.old_value),
    newValue: parseJson(r.new_value),
  }));
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Records the guild's display name and icon hash, writing only when one of them changed. */
export async function rememberGuildName(db: Db, guildId: string, name: string, now: number, icon: string | null = null): Promise<void> {
  const defaults = defaultGuildSettings(guildId);
  await queries(db).run(
    `INSERT INTO guild_settings (guild_id, guild_name, guild_icon, capture_channel_ids, include_bots, timezone, digest_weekday, digest_hour, digest_enabled, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (guild_id) DO UPDATE SET guild_name = excluded.guild_name, guild_icon = excluded.guild_icon, updated_at = excluded.updated_at
     WHERE guild_settings.guild_name IS DISTINCT FROM excluded.guild_name OR guild_settings.guild_icon IS DISTINCT FROM excluded.guild_icon`,
    [
      guildId,
      name,
      icon,
      '[]',
      defaults.includeBots,
      defaults.timezone,
      defaults.digestWeekday,
      defaults.digestHour,
      defaults.digestEnabled,
      now,
    ],
  );
}

// The synchronous halves, SQLite only, for the importer and the demo generator, which read or write settings inside
// one synchronous run of statements.

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

/** A stored list of ids (JSON text on SQLite, jsonb on PostgreSQL); anything but a list of strings reads as empty. */
function idListOf(stored: unknown): string[] {
  if (typeof stored === 'string') return parseIdList(stored);
  return Array.isArray(stored) ? stored.filter((v): v is string => typeof v === 'string') : [];
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
