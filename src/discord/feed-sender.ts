// Posts the clip feed's messages through the bot's discord.js client (src/feed/sender.ts is the contract): the clip
// URL first (Discord unfurls it into a playable embed) and a compact line; checks the bot's permissions in the
// channel from the gateway's cache; recognises an earlier attempt's post among the channel's latest messages.
import { DiscordAPIError, PermissionFlagsBits, RESTJSONErrorCodes, type Client, type PermissionResolvable } from 'discord.js';
import { FeedDeliveryError, type ChannelProblem, type FeedClip, type FeedMessage, type FeedSender } from '../feed/sender';
import { formatCount, plural } from './embeds/format';
import { CONTENT_LIMIT, NO_MENTIONS, safeText, truncate } from './embeds/limits';

/** How far back findPosted looks: Discord's largest page (a feed posts at most a few dozen messages a run). */
const RECENT_MESSAGES = 100;
/** Clips an overflow summary names one by one; the rest are counted. */
const OVERFLOW_LISTED = 10;

const REQUIRED: ReadonlyArray<[PermissionResolvable, string]> = [
  [PermissionFlagsBits.ViewChannel, 'View Channel'],
  [PermissionFlagsBits.SendMessages, 'Send Messages'],
  [PermissionFlagsBits.EmbedLinks, 'Embed Links'],
  [PermissionFlagsBits.ReadMessageHistory, 'Read Message History'],
];

function duration(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function clipLine(clip: FeedClip): string {
  const game = clip.gameName ? ` · ${safeText(clip.gameName, 60)}` : '';
  return `**${safeText(clip.title, 120)}** · clipped by ${safeText(clip.creatorName, 40)}${game} · ${plural(clip.viewCount, 'view')} · ${duration(clip.duration)}`;
}

/** The first line of each message: fixed for a claim whatever the views, so findPosted can recognise it. */
export function feedMarker(message: FeedMessage): string {
  switch (message.kind) {
    case 'clip':
      return message.clip.url;
    case 'overflow':
      return `📦 **${plural(message.clips.length, 'more clip')}** of ${safeText(message.broadcasterName, 50)} this hour (max per hour reached): ${message.clips[0]?.url ?? ''}`;
    case 'taking_off':
      return `🔥 **Taking off** · ${message.clip.url}`;
  }
}

export function renderFeedMessage(message: FeedMessage): string {
  const lines = [feedMarker(message)];
  switch (message.kind) {
    case 'clip':
      lines.push(clipLine(message.clip));
      if (message.mentionRoleId) lines.push(`<@&${message.mentionRoleId}>`);
      break;
    case 'overflow':
      for (const clip of message.clips.slice(0, OVERFLOW_LISTED))
        lines.push(`• <${clip.url}> ${safeText(clip.title, 80)} (${formatCount(clip.viewCount)} views)`);
      if (message.clips.length > OVERFLOW_LISTED) lines.push(`…and ${plural(message.clips.length - OVERFLOW_LISTED, 'more clip')}`);
      break;
    case 'taking_off': {
      const a = message.alert;
      lines.push(clipLine(message.clip));
      lines.push(
        `${formatCount(Math.round(a.velocity))} views/hour at ${a.ageMinutes} min old: faster than ${a.percentile}% of this server's clips at that age (95th percentile: ${formatCount(Math.round(a.threshold))}/hour)`,
      );
      break;
    }
  }
  return truncate(lines.join('\n'), CONTENT_LIMIT);
}

export function createFeedSender(client: Client): FeedSender {
  return {
    async checkChannel(guildId, channelId): Promise<ChannelProblem | null> {
      // Not connected yet, or the server is in a Discord outage: no verdict this run (pausing would be wrong).
      if (!client.isReady()) throw new FeedDeliveryError('transient', 'the bot is not connected to Discord yet');
      const guild = client.guilds.cache.get(guildId);
      if (guild && !guild.available) throw new FeedDeliveryError('transient', 'the server is unavailable in a Discord outage');
      if (!guild) return { reason: 'Clipscope is not in this server any more.' };
      const channel = guild.channels.cache.get(channelId) ?? null;
      if (!channel) return { reason: `The feed channel <#${channelId}> no longer exists or Clipscope cannot see it.` };
      if (!channel.isSendable()) return { reason: `<#${channelId}> is not a text channel Clipscope can post in.` };
      const me = client.user ? channel.permissionsFor(client.user) : null;
      const missing = REQUIRED.filter(([flag]) => !me?.has(flag)).map(([, name]) => name);
      if (missing.length === 0) return null;
      return { reason: `Clipscope needs ${missing.join(', ')} in <#${channelId}>.` };
    },
    async send(channelId, message, nonce) {
      try {
        const channel = await client.channels.fetch(channelId);
        if (!channel || !channel.isSendable())
          throw new FeedDeliveryError('permissions', `<#${channelId}> is not a text channel Clipscope can post in.`);
        const roles = message.kind === 'clip' && message.mentionRoleId ? [message.mentionRoleId] : [];
        const sent = await channel.send({
          content: renderFeedMessage(message),
          allowedMentions: { ...NO_MENTIONS, roles },
          nonce,
          enforceNonce: true,
        });
        return sent.id;
      } catch (error) {
        throw feedDeliveryError(channelId, error);
      }
    },
    poster() {
      const me = client.user;
      return me ? { id: me.id, name: me.displayName } : null;
    },
    async findPosted(channelId, message) {
      try {
        const marker = feedMarker(message);
        const channel = await client.channels.fetch(channelId);
        if (!channel || !channel.isTextBased() || !('messages' in channel)) return null;
        const recent = await channel.messages.fetch({ limit: RECENT_MESSAGES, cache: false });
        const mine = recent.find((m) => m.author.id === client.user?.id && (m.content === marker || m.content.startsWith(`${marker}\n`)));
        return mine?.id ?? null;
      } catch (error) {
        throw feedDeliveryError(channelId, error);
      }
    },
  };
}

export function feedDeliveryError(channelId: string, error: unknown): Error {
  if (error instanceof FeedDeliveryError) return error;
  if (error instanceof DiscordAPIError) {
    switch (error.code) {
      case RESTJSONErrorCodes.UnknownChannel:
        return new FeedDeliveryError('permissions', `The feed channel <#${channelId}> no longer exists.`);
      case RESTJSONErrorCodes.MissingAccess:
        return new FeedDeliveryError('permissions', `Clipscope cannot see the feed channel <#${channelId}> (it needs View Channel there).`);
      case RESTJSONErrorCodes.MissingPermissions:
        return new FeedDeliveryError('permissions', `Clipscope needs Send Messages and Embed Links in <#${channelId}>.`);
      default:
        // 4xx other than 429 (which discord.js waits out) is a refusal of this message; 5xx may pass.
        return new FeedDeliveryError(
          error.status >= 500 ? 'transient' : 'refused',
          `Discord refused the feed post in <#${channelId}>: ${error.message}`,
        );
    }
  }
  return new FeedDeliveryError('transient', error instanceof Error ? error.message : String(error));
}
