// /clipscope-admin twitch add|list|remove|sync|retry: the Twitch channels a server follows and clip enrichment,
// through the Twitch service (null when Twitch is not configured).
import { MessageFlags, type APIEmbed } from 'discord.js';
import { z } from 'zod';
import { TwitchApiError } from '../../../twitch/errors';
import type { BotContext, FollowedChannel, TwitchAdmin } from '../../context';
import { COLORS, discordTimestamp, plural } from '../../embeds/format';
import { fitEmbed, NO_MENTIONS, safeText } from '../../embeds/limits';
import { parseOptions } from '../../options';
import { UserError } from '../../user-error';
import { ephemeral, type SubcommandHandler } from './shared';

const loginsSchema = z.object({
  channels: z
    .string()
    .trim()
    .transform((s) => [
      ...new Set(
        s
          .split(/[\s,]+/)
          .map((l) => l.trim().replace(/^@/, '').toLowerCase())
          .filter(Boolean),
      ),
    ])
    .pipe(
      z
        .array(z.string().regex(/^[a-z0-9_]{1,25}$/, 'Twitch logins are 1–25 letters, digits or underscores'))
        .min(1, 'name at least one Twitch login')
        .max(10, 'at most 10 channels at once'),
    ),
});

function requireTwitch(ctx: BotContext): TwitchAdmin {
  if (!ctx.services.twitch) {
    throw new UserError('Twitch enrichment is not configured: set TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET for Clipscope and restart it.');
  }
  return ctx.services.twitch;
}

const add: SubcommandHandler = async (interaction, ctx) => {
  const twitch = requireTwitch(ctx);
  const { channels } = parseOptions(interaction, loginsSchema);
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  let added: Awaited<ReturnType<typeof twitch.registerChannels>>;
  try {
    added = await twitch.registerChannels(interaction.guildId, channels);
  } catch (error) {
    const problem = twitchProblemForAdmin(error);
    if (!problem) throw error;
    // Refused credentials are logged once, at error level, by the Twitch client itself; an outage is worth a warning.
    if (problem.log)
      ctx.logger.warn(
        { err: (error as Error).message, guildId: interaction.guildId },
        'Twitch lookup for /clipscope-admin twitch add failed',
      );
    throw new UserError(problem.message);
  }
  twitch.startSync(interaction.guildId);
  await interaction.editReply({
    content: `✅ Following ${added.map((c) => `**${safeText(c.name, 50)}**`).join(', ')}. Their clips are being imported now; \`/clipscope-admin status\` shows progress.`,
    allowedMentions: NO_MENTIONS,
  });
};

const list: SubcommandHandler = async (interaction, ctx) => {
  const channels = await requireTwitch(ctx).listChannels(interaction.guildId);
  await interaction.reply({ ...twitchChannelsReply(channels), ...ephemeral });
};

const remove: SubcommandHandler = async (interaction, ctx) => {
  const twitch = requireTwitch(ctx);
  const { channels } = parseOptions(interaction, loginsSchema);
  const { removed, notFollowed } = await twitch.removeChannels(interaction.guildId, channels);
  if (removed.length === 0)
    throw new UserError(
      `This server follows none of ${channels.map((l) => `\`${l}\``).join(', ')}; \`/clipscope-admin twitch list\` shows the ones it follows.`,
    );
  const names = removed.map((c) => `**${safeText(c.name, 50)}**`).join(', ');
  const skipped = notFollowed.length > 0 ? ` Not followed here: ${notFollowed.map((l) => `\`${l}\``).join(', ')}.` : '';
  await interaction.reply({ content: `🗑️ Stopped following ${names}. Their clips stay in this server’s history.${skipped}`, ...ephemeral });
};

const sync: SubcommandHandler = async (interaction, ctx) => {
  requireTwitch(ctx).startSync(interaction.guildId);
  await interaction.reply({
    content: '🔄 Sync of the followed Twitch channels started. `/clipscope-admin status` shows how it went.',
    ...ephemeral,
  });
};

const retry: SubcommandHandler = async (interaction, ctx) => {
  const count = await requireTwitch(ctx).retryFailed(interaction.guildId);
  await interaction.reply({
    content:
      count === 0
        ? 'No clips are waiting for a retry: every clip either has its Twitch details or is still queued.'
        : `🔁 ${plural(count, 'clip')} put back in the enrichment queue.`,
    ...ephemeral,
  });
};

/** The `twitch` group's subcommands. */
export const twitchSubcommands: Readonly<Record<string, SubcommandHandler>> = { add, list, remove, sync, retry };

function twitchChannelsReply(channels: FollowedChannel[]): { content?: string; embeds?: APIEmbed[] } {
  if (channels.length === 0) return { content: 'This server follows no Twitch channels yet. Add some with `/clipscope-admin twitch add`.' };
  const line = (c: FollowedChannel): string => {
    const synced = c.lastSyncAt ? `synced ${discordTimestamp(c.lastSyncAt, 'R')}` : 'not synced yet';
    const error = c.lastSyncError ? `\n  ⚠️ last sync failed: ${safeText(c.lastSyncError, 200)}` : '';
    return `**${safeText(c.name, 50)}** (\`${c.login}\`) · ${plural(c.clips, 'clip')} · ${synced}${error}`;
  };
  return {
    embeds: [
      fitEmbed({
        title: '📺 Followed Twitch channels',
        color: COLORS.brand,
        description: channels.map(line).join('\n'),
        footer: { text: 'Clipscope' },
      }),
    ],
  };
}

/** What an admin can do about a Twitch call that failed for good: wait (outage, rate limit) or fix the credentials. */
function twitchProblemForAdmin(error: unknown): { message: string; log: boolean } | null {
  if (!(error instanceof TwitchApiError)) return null;
  switch (error.kind) {
    case 'server':
    case 'rate_limited':
    case 'network':
    case 'malformed':
      return { message: 'Twitch is unavailable right now, so no channel was added. Please try again in a few minutes.', log: true };
    case 'auth':
      return {
        message:
          "Twitch refused Clipscope's app credentials, so no channel was added. Whoever runs Clipscope should check `TWITCH_CLIENT_ID` and `TWITCH_CLIENT_SECRET` and restart it.",
        log: false,
      };
    case 'rejected':
      return null;
  }
}
