// What the HTTP cache's data versions read: whether anything at all was committed (by any connection) and a guild's
// fingerprint, which moves whenever its answers may have changed.
import { run, type Db } from '../client';

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
}

/**
 * A marker that changes whenever a commit happened: SQLite's data_version (another connection committed) and this
 * connection's total_changes() (it wrote itself).
 */
export function readChangeMarker(db: Db): Promise<string> {
  return run(db, (c) => {
    const dataVersion = c.statement<[], { data_version: number }>('PRAGMA data_version').get()?.data_version ?? 0;
    const changes = c.statement<[], { n: number }>('SELECT total_changes() AS n').get()?.n ?? 0;
    return `${String(dataVersion)}:${changes}`;
  });
}

export function readGuildFingerprint(db: Db, guildId: string): Promise<GuildFingerprint | undefined> {
  return run(db, (c) =>
    c
      .statement<{ guild: string }, GuildFingerprint>(
        `SELECT (SELECT max(last_updated_at) FROM clips WHERE guild_id = @guild) AS clips,
                (SELECT count(*) FROM dirty_hours WHERE guild_id = @guild) AS dirty,
                s.updated_at AS settings, s.timezone AS timezone,
                (SELECT count(*) || ':' || coalesce(max(linked_at), 0) FROM twitch_links WHERE guild_id = @guild) AS links
           FROM (SELECT 1) LEFT JOIN guild_settings s ON s.guild_id = @guild`,
      )
      .get({ guild: guildId }),
  );
}
