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
 * PostgreSQL's "did anything become visible?": the current snapshot (its xmin, xmax and running transactions), which
 * changes exactly when a transaction that wrote ends, whoever ran it; a replica's snapshot follows what it has
 * replayed. Not the WAL position: a commit's record is in the WAL before others can see the commit (it is flushed,
 * and confirmed by a synchronous standby, in between), so a check in that window moved on with the position but read
 * the old fingerprint, and missed the change until some later write (docs/adr/0010). Transactions of other databases
 * move it too; that only costs a fingerprint read.
 */
const SNAPSHOT_SQL = 'SELECT CAST(pg_current_snapshot() AS TEXT) AS snapshot';

/**
 * A marker that changes whenever a commit became visible. SQLite: its data_version (another connection committed) and
 * this connection's total_changes() (it wrote itself). PostgreSQL: the current snapshot.
 */
export async function readChangeMarker(db: Db): Promise<string> {
  if (db.engine === 'postgres') return (await queries(db).get<{ snapshot: string | null }>(SNAPSHOT_SQL))?.snapshot ?? '';
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
