// What the feed asks of Discord, implemented by src/discord/feed-sender.ts: the feed decides what to post and when,
// the sender renders and posts it, and says why it could not.
import { ClipscopeError } from '../errors';
import type { FeedClip } from '../db/stores/feeds';

export type { FeedClip };

/** One message of a feed: a clip, an overflow summary, or a "taking off" alert. */
export type FeedMessage =
  | { kind: 'clip'; clip: FeedClip; mentionRoleId: string | null }
  | { kind: 'overflow'; clips: FeedClip[]; broadcasterName: string }
  | { kind: 'taking_off'; clip: FeedClip; alert: TakingOffFigures };

/** How a clip's view velocity compares with the server's history at the same age (docs/feed.md). */
export interface TakingOffFigures {
  /** Views per hour at this age. */
  velocity: number;
  /** The server's 95th percentile of velocity at this age. */
  threshold: number;
  /** Share of the server's clips at this age that were slower, 0–100. */
  percentile: number;
  ageMinutes: number;
}

/** Why the feed cannot post in the channel right now; the feed is paused with it and resumed when fixed. */
export interface ChannelProblem {
  reason: string;
}

export type FeedDeliveryFailure = 'permissions' | 'refused' | 'transient';

/** A post that did not go out: 'permissions' pauses the feed, 'refused' fails the post for good, 'transient' retries. */
export class FeedDeliveryError extends ClipscopeError {
  constructor(
    readonly failure: FeedDeliveryFailure,
    message: string,
  ) {
    super('feed_delivery', message);
  }
}

export interface FeedSender {
  /**
   * Null when the bot may post in the channel (View Channel, Send Messages, Embed Links, Read Message History), else
   * why not. Throws a transient FeedDeliveryError when Discord cannot tell yet (not connected, an outage).
   */
  checkChannel(guildId: string, channelId: string): Promise<ChannelProblem | null>;
  /** Posts the message with `nonce` (Discord drops a resend of it for a while); resolves with the message id. */
  send(channelId: string, message: FeedMessage, nonce: string): Promise<string>;
  /** The id of the bot's recent message in the channel that is this message, if an earlier attempt posted it. */
  findPosted(channelId: string, message: FeedMessage): Promise<string | null>;
  /** Who the posts are by (the bot's user), recorded as the author of the share a clip post is; null before login. */
  poster(): { id: string; name: string } | null;
}
