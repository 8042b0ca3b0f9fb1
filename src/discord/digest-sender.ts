// Renders the weekly digest as an embed and posts it through the bot's discord.js client, turning Discord's
// refusals into messages an admin can act on (shown by /clipscope-admin status).
import { DiscordAPIError, RESTJSONErrorCodes, type Client } from 'discord.js';
import { DigestDeliveryError, type DigestSender } from '../digest/weekly';
import { weeklyDigestEmbed } from './embeds/digest';
import { NO_MENTIONS } from './embeds/limits';

/** How far back findPosted looks: Discord's largest page. */
const RECENT_MESSAGES = 100;

const FIX = 'Fix it, or pick another channel with `/clipscope-admin digest channel:`.';

export function createDigestSender(client: Client): DigestSender {
  return {
    async send(channelId, digest, nonce) {
      try {
        const embed = weeklyDigestEmbed(digest);
        const channel = await client.channels.fetch(channelId);
        if (!channel || !channel.isSendable()) {
          throw new DigestDeliveryError(`The digest channel <#${channelId}> is not a text channel Clipscope can post in. ${FIX}`);
        }
        const sent = await channel.send({ embeds: [embed], allowedMentions: NO_MENTIONS, nonce, enforceNonce: true });
        return sent.id;
      } catch (error) {
        throw digestDeliveryError(channelId, error);
      }
    },
    async findPosted(channelId, digest) {
      const title = weeklyDigestEmbed(digest).title ?? '';
      const channel = await client.channels.fetch(channelId);
      if (!channel || !channel.isTextBased() || !('messages' in channel)) return null;
      // A digest goes out once a week, so an earlier attempt's post is among the channel's latest messages.
      const recent = await channel.messages.fetch({ limit: RECENT_MESSAGES, cache: false });
      const mine = recent.find((m) => m.author.id === client.user?.id && m.embeds[0]?.title === title);
      return mine?.id ?? null;
    },
  };
}

export function digestDeliveryError(channelId: string, error: unknown): Error {
  if (error instanceof DigestDeliveryError) return error;
  if (error instanceof DiscordAPIError) {
    switch (error.code) {
      case RESTJSONErrorCodes.UnknownChannel:
        return new DigestDeliveryError(`The digest channel <#${channelId}> no longer exists. ${FIX}`);
      case RESTJSONErrorCodes.MissingAccess:
        return new DigestDeliveryError(`Clipscope cannot see the digest channel <#${channelId}> (it needs View Channel there). ${FIX}`);
      case RESTJSONErrorCodes.MissingPermissions:
        return new DigestDeliveryError(
          `Clipscope may not post in the digest channel <#${channelId}> (it needs Send Messages and Embed Links there). ${FIX}`,
        );
      default:
        return new DigestDeliveryError(`Discord refused the digest post in <#${channelId}>: ${error.message}`);
    }
  }
  return error instanceof Error ? error : new Error(String(error));
}
