// Members' verified Twitch links, per guild: written when a member links their account through the dashboard (Discord
// marked the connection verified), removed when they unlink, read wherever a creator's Discord name is shown.
import { run, type Db } from '../client';

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
  return db.transaction((tx) =>
    run(tx, (c) => {
      const upsert = c.statement(
        `INSERT INTO twitch_links (guild_id, discord_user_id, discord_name, twitch_user_id, twitch_name, linked_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (guild_id, discord_user_id) DO UPDATE SET discord_name = excluded.discord_name,
           twitch_user_id = excluded.twitch_user_id, twitch_name = excluded.twitch_name, linked_at = excluded.linked_at`,
      );
      for (const l of links) upsert.run(l.guildId, l.discordUserId, l.discordName, l.twitchUserId, l.twitchName, l.linkedAt);
    }),
  );
}

/** Removes a member's links in every guild; resolves with how many there were. */
export function deleteTwitchLinksOfUser(db: Db, discordUserId: string): Promise<number> {
  return run(db, (c) => c.statement('DELETE FROM twitch_links WHERE discord_user_id = ?').run(discordUserId).changes);
}

/** A member's links, one per guild. */
export function listTwitchLinksOfUser(db: Db, discordUserId: string): Promise<TwitchLink[]> {
  return run(db, (c) =>
    c.statement<[string], LinkRow>('SELECT * FROM twitch_links WHERE discord_user_id = ? ORDER BY guild_id').all(discordUserId).map(toLink),
  );
}

/** Every link of a guild, by Twitch name. */
export function listGuildTwitchLinks(db: Db, guildId: string): Promise<TwitchLink[]> {
  return run(db, (c) =>
    c
      .statement<[string], LinkRow>('SELECT * FROM twitch_links WHERE guild_id = ? ORDER BY twitch_name, discord_user_id')
      .all(guildId)
      .map(toLink),
  );
}

/** The member linked to a Twitch user in a guild (the most recent link, if several members verified the same account). */
export function findTwitchLink(db: Db, guildId: string, twitchUserId: string): Promise<TwitchLink | null> {
  return run(db, (c) => {
    const row = c
      .statement<[string, string], LinkRow>(
        'SELECT * FROM twitch_links WHERE guild_id = ? AND twitch_user_id = ? ORDER BY linked_at DESC, discord_user_id LIMIT 1',
      )
      .get(guildId, twitchUserId);
    return row ? toLink(row) : null;
  });
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
