// The weekly digest's sender over REST alone (src/digest/weekly.ts is the contract), for processes without a gateway
// client (docs/adr/0037): the same embed and the same messages for admins as src/discord/digest-sender.ts.
import type { DigestSender } from '../../digest/weekly';
import { digestDeliveryError } from '../digest-sender';
import { weeklyDigestEmbed } from '../embeds/digest';
import type { DiscordRest } from './discord-rest';
import { allowedMentions, postMessage, recentMessages } from './messages';

export function createRestDigestSender(discord: DiscordRest): DigestSender {
  return {
    async send(channelId, digest, nonce) {
      try {
        return await postMessage(discord, channelId, {
          embeds: [weeklyDigestEmbed(digest)],
          allowed_mentions: allowedMentions(),
          nonce,
          enforce_nonce: true,
        });
      } catch (error) {
        throw digestDeliveryError(channelId, error);
      }
    },
    async findPosted(channelId, digest) {
      const title = weeklyDigestEmbed(digest).title ?? '';
      const me = await discord.me();
      const mine = (await recentMessages(discord, channelId)).find((m) => m.author?.id === me.id && m.embeds?.[0]?.title === title);
      return mine?.id ?? null;
    },
  };
}
