// Posts the monthly report (src/reports/monthly.ts) through the bot's discord.js client: an embed with the PDF
// attached, Discord's refusals turned into messages an admin can act on.
import { DiscordAPIError, RESTJSONErrorCodes, type Client } from 'discord.js';
import { ReportDeliveryError, type ReportSender } from '../reports/monthly';
import { COLORS } from './embeds/format';
import { fitEmbed, NO_MENTIONS } from './embeds/limits';

/** How far back findPosted looks: a report goes out once a month, so an earlier attempt's post is recent. */
const RECENT_MESSAGES = 50;

const FIX = 'Fix it, or pick another channel with `/clipscope-admin report channel:`.';

export function createReportSender(client: Client): ReportSender {
  return {
    async send(channelId, post, nonce) {
      try {
        const channel = await client.channels.fetch(channelId);
        if (!channel || !channel.isSendable()) {
          throw new ReportDeliveryError(`The report channel <#${channelId}> is not a text channel Clipscope can post in. ${FIX}`);
        }
        const sent = await channel.send({
          embeds: [fitEmbed({ title: post.title, description: post.description, color: COLORS.brand, footer: { text: 'Clipscope' } })],
          files: post.files.map((f) => ({ attachment: f.bytes, name: f.name })),
          allowedMentions: NO_MENTIONS,
          nonce,
          enforceNonce: true,
        });
        return sent.id;
      } catch (error) {
        throw reportDeliveryError(channelId, error);
      }
    },
    async findPosted(channelId, post) {
      const channel = await client.channels.fetch(channelId);
      if (!channel || !channel.isTextBased() || !('messages' in channel)) return null;
      const recent = await channel.messages.fetch({ limit: RECENT_MESSAGES, cache: false });
      const mine = recent.find((m) => m.author.id === client.user?.id && m.embeds[0]?.title === post.title);
      return mine?.id ?? null;
    },
  };
}

export function reportDeliveryError(channelId: string, error: unknown): Error {
  if (error instanceof ReportDeliveryError) return error;
  if (error instanceof DiscordAPIError) {
    switch (error.code) {
      case RESTJSONErrorCodes.UnknownChannel:
        return new ReportDeliveryError(`The report channel <#${channelId}> no longer exists. ${FIX}`);
      case RESTJSONErrorCodes.MissingAccess:
        return new ReportDeliveryError(`Clipscope cannot see the report channel <#${channelId}> (it needs View Channel there). ${FIX}`);
      case RESTJSONErrorCodes.MissingPermissions:
        return new ReportDeliveryError(
          `Clipscope may not post in the report channel <#${channelId}> (it needs Send Messages, Embed Links and Attach Files there). ${FIX}`,
        );
      default:
        return new ReportDeliveryError(`Discord refused the report post in <#${channelId}>: ${error.message}`);
    }
  }
  return error instanceof Error ? error : new Error(String(error));
}
