// Who sees which server's dashboard: the rule, and the port through which the bot (which holds the gateway's view of
// every guild, its roles and channels) answers for it. The HTTP server runs in its own thread; src/http/worker.ts
// reaches the bot on the main thread through this port (src/http/bot-bridge.ts).
import { ClipscopeError } from '../errors';

/** Discord's permission bits (64-bit; the API sends them as decimal strings). */
export const PERMISSION = {
  administrator: 1n << 3n,
  manageGuild: 1n << 5n,
  viewChannel: 1n << 10n,
  sendMessages: 1n << 11n,
  embedLinks: 1n << 14n,
} as const;

/** 'manage': settings and every number; 'view': the numbers only (the server's dashboard viewer role). */
export type GuildAccessLevel = 'manage' | 'view';

/** What Discord says of a person in a guild (/users/@me/guilds): owner, or Manage Server, or Administrator. */
export function managesGuild(guild: { owner: boolean; permissions: bigint }): boolean {
  return guild.owner || (guild.permissions & (PERMISSION.administrator | PERMISSION.manageGuild)) !== 0n;
}

/** Parses a permissions string as Discord sends it; anything that is not a whole number grants nothing. */
export function parsePermissions(text: string): bigint {
  return /^\d{1,20}$/.test(text) ? BigInt(text) : 0n;
}

/** A guild the bot is in, as the bot sees it. */
export interface BotGuild {
  id: string;
  name: string;
  /** Discord's icon hash, or null. */
  icon: string | null;
}

export interface BotGuildAccess extends BotGuild {
  access: GuildAccessLevel;
}

/** A channel of a guild, and what the bot may do there. */
export interface BotChannel {
  id: string;
  name: string;
  /** 'text' (text and announcement channels), 'forum' (forum and media channels). */
  kind: 'text' | 'forum';
  /** The category's name, or null. */
  category: string | null;
  /** The bot can see the channel and post embeds in it (what the weekly digest needs). */
  canPost: boolean;
  /** The bot can see the channel (what capture needs). */
  canView: boolean;
  /** What the bot lacks to post there, in Discord's words, e.g. ['Send Messages']; empty when it can. */
  missingToPost: string[];
}

/** The bot is not running or did not answer: access cannot be checked now, so it is refused. */
export class BotUnavailableError extends ClipscopeError {
  constructor(reason: string) {
    super('bot_unavailable', 'Clipscope cannot check your access through its bot right now. Try again in a minute.', {
      userFacing: true,
      detail: { reason },
    });
  }
}

/** What the HTTP server asks the bot. Every answer reflects the bot's current view (roles, membership, channels). */
export interface BotView {
  /**
   * At sign-in: of the guilds Discord listed for the person, those where the bot is present, with the access each
   * gives: 'manage' where Discord says they manage it, 'view' where they hold the server's dashboard viewer role.
   * Guilds giving no access are left out.
   */
  signInAccess(userId: string, guilds: { id: string; manages: boolean }[]): Promise<BotGuildAccess[]>;
  /**
   * The person's access to a guild now, through the bot (their current roles): null when they lost it, are no longer
   * a member, or the bot left the guild.
   */
  memberAccess(guildId: string, userId: string): Promise<GuildAccessLevel | null>;
  /** The guild's text and forum channels as the bot sees them; null when the bot is not in the guild. */
  channels(guildId: string): Promise<BotChannel[] | null>;
  /** The guild's roles (for the viewer role picker), highest first, without @everyone and managed roles. */
  roles(guildId: string): Promise<{ id: string; name: string }[] | null>;
  /** Of these guilds, those the bot is in. */
  presentIn(guildIds: string[]): Promise<string[]>;
}
