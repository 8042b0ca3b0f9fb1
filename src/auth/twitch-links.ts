// Verified Twitch links: a member's Twitch account as Discord lists it among their connections, stored only when
// Discord marks the connection verified (so nobody can claim someone else's clips), once per guild the member
// shares with the bot. Stored through src/db/stores/twitch-links.ts.
import type { Db } from '../db/database';
import { twitchLinkStore, type TwitchLink } from '../db/stores/twitch-links';
import type { DiscordConnection } from './discord-oauth';

export interface LinkedTwitch {
  twitchUserId: string;
  twitchName: string;
}

export interface TwitchLinks {
  /**
   * Links the member's verified Twitch account in each guild given; resolves with the account, or null when Discord
   * lists no verified Twitch connection (then nothing is stored, and earlier links stay as they were).
   */
  linkFromConnections(
    input: { user: { id: string; name: string }; connections: DiscordConnection[]; guildIds: string[] },
    now: number,
  ): Promise<LinkedTwitch | null>;
  /** Removes the member's links in every guild; resolves with how many there were. */
  unlinkEverywhere(discordUserId: string): Promise<number>;
  /** The member's links, one per guild. */
  linksOf(discordUserId: string): Promise<(LinkedTwitch & { guildId: string; linkedAt: number })[]>;
}

/** The member's verified Twitch connection, if Discord lists one (Twitch user ids are numeric). */
export function verifiedTwitch(connections: DiscordConnection[]): LinkedTwitch | null {
  const found = connections.find((c) => c.type === 'twitch' && c.verified && /^\d{1,20}$/.test(c.id));
  return found ? { twitchUserId: found.id, twitchName: found.name } : null;
}

export function createTwitchLinks(db: Db): TwitchLinks {
  const store = twitchLinkStore(db);
  return {
    async linkFromConnections({ user, connections, guildIds }, now) {
      const twitch = verifiedTwitch(connections);
      if (!twitch) return null;
      const links: TwitchLink[] = [...new Set(guildIds)].map((guildId) => ({
        guildId,
        discordUserId: user.id,
        discordName: user.name,
        twitchUserId: twitch.twitchUserId,
        twitchName: twitch.twitchName,
        linkedAt: now,
      }));
      await store.link(links);
      return twitch;
    },
    unlinkEverywhere: (discordUserId) => store.unlinkEverywhere(discordUserId),
    async linksOf(discordUserId) {
      return (await store.linksOf(discordUserId)).map((l) => ({
        guildId: l.guildId,
        twitchUserId: l.twitchUserId,
        twitchName: l.twitchName,
        linkedAt: l.linkedAt,
      }));
    },
  };
}
