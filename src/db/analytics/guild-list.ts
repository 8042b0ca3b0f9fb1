// Every guild the database holds data of, for `clipscope guilds`: its id, its name when the bot saw it, its clips
// and when anything last happened there (the latest clip change or share).
import type { Db } from '../client';
import { dialect } from '../sql';
import { readRows } from './postgres-text';

export interface GuildListing {
  guildId: string;
  name: string | null;
  clips: number;
  shares: number;
  /** The latest clip update or share, epoch ms; null for a guild with settings only. */
  lastActivityAt: number | null;
}

/** The latest of two activity times: SQLite's two-argument max(), PostgreSQL's greatest(). */
const listSql = (latest: string): string => `
  WITH ids AS (SELECT guild_id FROM guild_settings UNION SELECT guild_id FROM clips UNION SELECT guild_id FROM shares),
       c AS (SELECT guild_id, count(*) AS n, max(last_updated_at) AS last FROM clips GROUP BY guild_id),
       s AS (SELECT guild_id, count(*) AS n, max(posted_at) AS last FROM shares WHERE deleted_at IS NULL GROUP BY guild_id)
  SELECT ids.guild_id AS "guildId", gs.guild_name AS name, coalesce(c.n, 0) AS clips, coalesce(s.n, 0) AS shares,
         ${latest}(coalesce(c.last, 0), coalesce(s.last, 0)) AS last
    FROM ids
    LEFT JOIN guild_settings gs ON gs.guild_id = ids.guild_id
    LEFT JOIN c ON c.guild_id = ids.guild_id
    LEFT JOIN s ON s.guild_id = ids.guild_id
   ORDER BY clips DESC, ids.guild_id`;
const LIST_SQL = { sqlite: listSql('max'), postgres: listSql('greatest') };

export async function listGuilds(db: Db): Promise<GuildListing[]> {
  const rows = await readRows<{ guildId: string; name: string | null; clips: number; shares: number; last: number }>(
    db,
    dialect(db, LIST_SQL),
  );
  return rows.map((r) => ({
    guildId: r.guildId,
    name: r.name,
    clips: r.clips,
    shares: r.shares,
    lastActivityAt: r.last > 0 ? r.last : null,
  }));
}
