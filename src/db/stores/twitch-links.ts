// Members' verified Twitch links, per guild: written when a member links their account through the dashboard (Discord
// marked the connection verified), removed when they unlink, read wherever a creator's Discord name is shown.
import type { Db } from '../database';
import { queries } from '../sql';

export interface TwitchLink {
  guildId: string;
  discordUserId: string;
  discordName: string;
  twitchUserId: string;
  twitchName: string;
  linkedAt: number;
}

interface LinkRow {
  guild_id: string;
  discord_user_id: string;
  discord_name: string;
  twitch_user_id: string;
  twitch_name: string;
  linked_at: number;
}

const toLink = (r: LinkRow): TwitchLink => ({
  guildId: r.guild_id,
  discordUserId: r.discord_user_id,
  discordName: r.discord_name,
  twitchUserId: r.twitch_user_id,
  twitchName: r.twitch_name,
  linkedAt: r.linked_at,
});

/** Stores (or replaces) a member's link in each guild given, in one transaction. */
export function upsertTwitchLinks(db: Db, links: TwitchLink[]): Promise<void> {
  return db.transaction(async (tx) => {
    const q = queries(tx);
    for (const l of links) {
      await q.run(
        `INSERT INTO twitch_links (guild_id, discord_user_id, discord_name, twitch_user_id, twitch_name, linked_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (guild_id, discord_user_id) DO UPDATE SET discord_name = excluded.discord_name,
           twitch_user_id = excluded.twitch_user_id, twitch_name = excluded.twitch_name, linked_at = excluded.linked_at`,
        [l.guildId, l.discordUserId, l.discordName, l.twitchUserId, l.twitchName, l.linkedAt],
      );
    }
  });
}

/** Removes a member's links in every guild; resolves with how many there were. */
export async function deleteTwitchLinksOfUser(db: Db, discordUserId: string): Promise<number> {
  return (await queries(db).run('DELETE FROM twitch_links WHERE discord_user_id = ?', [discordUserId])).changes;
}

/** A member's links, one per guild. */
export async function listTwitchLinksOfUser(db: Db, discordUserId: string): Promise<TwitchLink[]> {
  return (await queries(db).all<LinkRow>('SELECT * FROM twitch_links WHERE discord_user_id = ? ORDER BY guild_id', [discordUserId])).map(
    toLink,
  );
}

/** Every link of a guild, by Twitch name. */
export async function listGuildTwitchLinks(db: Db, guildId: string): Promise<TwitchLink[]> {
  return (
    await queries(db).all<LinkRow>('SELECT * FROM twitch_links WHERE guild_id = ? ORDER BY twitch_name, discord_user_id', [guildId])
  ).map(toLink);
}

/** The member linked to a Twitch user in a guild (the most recent link, if several members verified the same account). */
export async function findTwitchLink(db: Db, guildId: string, twitchUserId: string): Promise<TwitchLink | null> {
  const row = await queries(db).get<LinkRow>(
    'SELECT * FROM twitch_links WHERE guild_id = ? AND twitch_user_id = ? ORDER BY linked_at DESC, discord_user_id LIMIT 1',
    [guildId, twitchUserId],
  );
  return row ? toLink(row) : null;
}

/** The link writes the dashboard makes, bound to one database. */
export interface TwitchLinkStore {
  link(links: TwitchLink[]): Promise<void>;
  unlinkEverywhere(discordUserId: string): Promise<number>;
  linksOf(discordUserId: string): Promise<TwitchLink[]>;
}

export function twitchLinkStore(db: Db): TwitchLinkStore {
  return {
    link: (links) => upsertTwitchLinks(db, links),
    unlinkEverywhere: (discordUserId) => deleteTwitchLinksOfUser(db, discordUserId),
    linksOf: (discordUserId) => listTwitchLinksOfUser(db, discordUserId),
  };
}
