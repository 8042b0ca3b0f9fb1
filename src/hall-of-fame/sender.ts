// What the hall of fame asks of Discord, implemented by src/discord/hall-of-fame-sender.ts: the reposter decides what
// to post, edit and remove and when; the sender renders, posts and says why it could not.
import { ClipscopeError } from '../errors';
import type { ReactionCount } from './count';

/** One repost as it shows now. */
export interface Repost {
  guildId: string;
  /** The original message, and where it is (its thread, when it was posted in one). */
  messageId: string;
  channelId: string;
  clipId: string;
  authorId: string;
  count: ReactionCount;
}

/** 'gone': the message to edit or delete no longer exists; 'refused': never retried; 'transient': retried later. */
export type HallOfFameFailure = 'refused' | 'transient' | 'gone';

export class HallOfFameDeliveryError extends ClipscopeError {
  constructor(
    readonly failure: HallOfFameFailure,
    message: string,
  ) {
    super('hall_of_fame_delivery', message);
  }
}

export interface HallOfFameSender {
  /** Null when the bot may post in the hall channel, else why not (the gateway's cache, or Discord over REST). */
  checkHall(guildId: string, channelId: string): Promise<string | null>;
  /** Whether the channel is NSFW (a thread: its parent); null when the bot does not know the channel. */
  isNsfw(guildId: string, channelId: string): Promise<boolean | null>;
  /** Whether the user is a bot: as far as the gateway has told, or as Discord answers over REST (the bot itself is). */
  isBot(userId: string): Promise<boolean>;
  /** Posts the repost with `nonce` (Discord drops a resend of it for a while); resolves with the message id. */
  send(hallChannelId: string, repost: Repost, nonce: string): Promise<string>;
  /** The id of the bot's recent message in the hall that is this original's repost, if an earlier attempt posted it. */
  findPosted(hallChannelId: string, repost: Repost): Promise<string | null>;
  edit(hallChannelId: string, repostMessageId: string, repost: Repost): Promise<void>;
  remove(hallChannelId: string, repostMessageId: string): Promise<void>;
}
