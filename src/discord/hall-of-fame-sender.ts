// Posts, edits and removes the hall of fame's reposts through the bot's discord.js client (src/hall-of-fame/sender.ts
// is the contract): the clip URL first (Discord unfurls it into a playable embed), who shared it, the reaction
// breakdown and a jump link to the original, which is also how an earlier attempt's repost is recognised.
import { DiscordAPIError, PermissionFlagsBits, RESTJSONErrorCodes, type Client, type PermissionResolvable } from 'discord.js';
import { HallOfFameDeliveryError, type HallOfFameSender, type Repost } from '../hall-of-fame/sender';
import { formatCount } from './embeds/format';
import { CONTENT_LIMIT, NO_MENTIONS, truncate } from './embeds/limits';

/** How far back findPosted looks: Discord's largest page. */
const RECENT_MESSAGES = 100;
/** Emojis the breakdown names one by one. */
const BREAKDOWN_LISTED = 10;

const REQUIRED: ReadonlyArray<[PermissionResolvable, string]> = [
  [PermissionFlagsBits.ViewChannel, 'View Channel'],
  [PermissionFlagsBits.SendMessages, 'Send Messages'],
  [PermissionFlagsBits.EmbedLinks, 'Embed Links'],
  [PermissionFlagsBits.ReadMessageHistory, 'Read Message History'],
];

/** The link to the original message: unique per original, so it identifies the repost. */
export function jumpLink(repost: Pick<Repost, 'guildId' | 'channelId' | 'messageId'>): string {
  return `https://discord.com/channels/${repost.guildId}/${repost.channelId}/${repost.messageId}`;
}

/** A stored emoji key as Discord shows it: the character, or `<:name:id>` for a custom emoji. */
function showEmoji(emojiKey: string): string {
  const custom = /^(.+):(\d+)$/.exec(emojiKey);
  return custom ? `<:${custom[1]}:${custom[2]}>` : emojiKey;
}

export function renderRepost(repost: Repost): string {
  const breakdown = repost.count.byEmoji
    .slice(0, BREAKDOWN_LISTED)
    .map((e) => `${showEmoji(e.emojiKey)} ${formatCount(e.count)}`)
    .join(' · ');
  const lines = [
    `https://clips.twitch.tv/${repost.clipId}`,
    `🏆 **${formatCount(repost.count.total)}** · shared by <@${repost.authorId}> in <#${repost.channelId}>`,
    breakdown,
    jumpLink(repost),
  ];
  return truncate(lines.filter(Boolean).join('\n'), CONTENT_LIMIT);
}

export function createHallOfFameSender(client: Client): HallOfFameSender {
  const textChannel = async (channelId: string) => {
    const channel = await client.channels.fetch(channelId);
    if (!channel?.isSendable() || !('messages' in channel))
      throw new HallOfFameDeliveryError('refused', `<#${channelId}> is not a text channel Clipscope can post in.`);
    return channel;
  };
  return {
    async checkHall(guildId, channelId) {
      const guild = client.guilds.cache.get(guildId);
      if (!guild) return 'Clipscope is not in this server any more (or Discord has not sent it yet).';
      const channel = guild.channels.cache.get(channelId);
      if (!channel) return `The hall of fame channel <#${channelId}> no longer exists or Clipscope cannot see it.`;
      if (!channel.isSendable()) return `<#${channelId}> is not a text channel Clipscope can post in.`;
      const me = client.user ? channel.permissionsFor(client.user) : null;
      const missing = REQUIRED.filter(([flag]) => !me?.has(flag)).map(([, name]) => name);
      return missing.length === 0 ? null : `Clipscope needs ${missing.join(', ')} in <#${channelId}>.`;
    },
    async isNsfw(guildId, channelId) {
      const channel = client.guilds.cache.get(guildId)?.channels.cache.get(channelId);
      if (!channel) return null;
      const parent = channel.isThread() ? channel.parent : channel;
      return parent !== null && 'nsfw' in parent ? parent.nsfw : false;
    },
    async isBot(userId) {
      return userId === client.user?.id || client.users.cache.get(userId)?.bot === true;
    },
    async send(hallChannelId, repost, nonce) {
      try {
        const channel = await textChannel(hallChannelId);
        const sent = await channel.send({ content: renderRepost(repost), allowedMentions: NO_MENTIONS, nonce, enforceNonce: true });
        return sent.id;
      } catch (error) {
        throw hallOfFameDeliveryError(hallChannelId, error);
      }
    },
    async findPosted(hallChannelId, repost) {
      try {
        const link = jumpLink(repost);
        const channel = await textChannel(hallChannelId);
        const recent = await channel.messages.fetch({ limit: RECENT_MESSAGES, cache: false });
        return recent.find((m) => m.author.id === client.user?.id && m.content.split('\n').includes(link))?.id ?? null;
      } catch (error) {
        throw hallOfFameDeliveryError(hallChannelId, error);
      }
    },
    async edit(hallChannelId, repostMessageId, repost) {
      try {
        const channel = await textChannel(hallChannelId);
        await channel.messages.edit(repostMessageId, { content: renderRepost(repost), allowedMentions: NO_MENTIONS });
      } catch (error) {
        throw hallOfFameDeliveryError(hallChannelId, error);
      }
    },
    async remove(hallChannelId, repostMessageId) {
      try {
        const channel = await textChannel(hallChannelId);
        await channel.messages.delete(repostMessageId);
      } catch (error) {
        throw hallOfFameDeliveryError(hallChannelId, error);
      }
    },
  };
}

export function hallOfFameDeliveryError(channelId: string, error: unknown): Error {
  if (error instanceof HallOfFameDeliveryError) return error;
  if (error instanceof DiscordAPIError) {
    if (error.code === RESTJSONErrorCodes.UnknownMessage) return new HallOfFameDeliveryError('gone', 'the repost no longer exists');
    // 4xx other than 429 (which discord.js waits out) is a refusal of this message; 5xx may pass.
    return new HallOfFameDeliveryError(
      error.status >= 500 ? 'transient' : 'refused',
      `Discord refused the hall of fame repost in <#${channelId}>: ${error.message}`,
    );
  }
  return new HallOfFameDeliveryError('transient', error instanceof Error ? error.message : String(error));
}
