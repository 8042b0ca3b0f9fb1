// What the HTTP cache's data versions read: whether anything at all was committed (by any connection) and a guild's
// fingerprint, which moves whenever its answers may have changed (docs/adr/0004, and 0010 for PostgreSQL).
import { run, type Db } from '../client';
import { queries } from '../sql';

export interface GuildFingerprint {
  /** max(clips.last_updated_at): capture and enrichment bump it. */
  clips: number | null;
  /** The guild's dirty hours: capture and enrichment add, aggregation consumes. */
  dirty: number;
  /** The guild's settings' updated_at and timezone (null when it has no settings row). */
  settings: number | null;
  timezone: string | null;
  /** The guild's verified Twitch links: how many, and the latest linked_at ("0:0" without any). */
  links: string;
  /** max(twitch_videos.fetched_at): the channel sync bumps it when a guild's streams change. */
  videos: number | null;
  /** The guild's mood overrides: how many, and the latest updated_at ("0:0" without any); they change mood answers. */
  moods: string;
}

/**
 * PostgreSQL's "did anything commit?": the write-ahead log's insert position (a replica's replay position), which
 * every committed write moves, whoever made it. It moves for writes of other databases of the server and for
 * maintenance too; that only costs a fingerprint read (docs/adr/0010).
 */
const WAL_POSITION_SQL = `SELECT CAST(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_insert_lsn() END AS TEXT) AS lsn`;

/**
 * A marker that changes whenever a commit happened. SQLite: its data_version (another connection committed) and this
 * connection's total_changes() (it wrote itself). PostgreSQL: the WAL position.
 */
export async function readChangeMarker(db: Db): Promise<string> {
  if (db.engine === 'postgres') return (await queries(db).get<{ lsn: string | null }>(WAL_POSITION_SQL))?.lsn ?? '';
  return run(db, (c) => {
    const dataVersion = c.statement<[], { data_version: number }>('PRAGMA data_version').get()?.data_version ?? 0;
    const changes = c.statement<[], { n: number }>('SELECT total_changes() AS n').get()?.n ?? 0;
    return `${String(dataVersion)}:${changes}`;
  });
}

const FINGERPRINT_SQL = `SELECT (SELECT max(last_updated_at) FROM clips WHERE guild_id = @guild) AS clips,
                (SELECT count(*) FROM dirty_hours WHERE guild_id = @guild) AS dirty,
                s.updated_at AS settings, s.timezone AS timezone,
                (SELECT count(*) || ':' || coalesce(max(linked_at), 0) FROM twitch_links WHERE guild_id = @guild) AS links,
                (SELECT max(fetched_at) FROM twitch_videos WHERE guild_id = @guild) AS videos,
                (SELECT count(*) || ':' || coalesce(max(updated_at), 0) FROM mood_overrides WHERE guild_id = @guild) AS moods
           FROM (SELECT 1 AS one) AS one LEFT JOIN guild_settings s ON s.guild_id = @guild`;

export async function readGuildFingerprint(db: Db, guildId: string): Promise<GuildFingerprint | undefined> {
  if (db.engine === 'postgres') return queries(db).get<GuildFingerprint>(FINGERPRINT_SQL, { guild: guildId });
  return run(db, (c) => c.statement<{ guild: string }, GuildFingerprint>(FINGERPRINT_SQL).get({ guild: guildId }));
}
