// /clipscope-admin aggregate and backfill: recompute the server's summaries now, or crawl a channel's history,
// through the services that own that work (null when this process does not run it).
import { MessageFlags } from 'discord.js';
import { z } from 'zod';
import { NO_MENTIONS } from '../../embeds/limits';
import { parseOptions } from '../../options';
import { UserError } from '../../user-error';
import type { SubcommandHandler } from './shared';

/** Progress edits of a backfill's reply come at most this often. */
const PROGRESS_EDIT_INTERVAL_MS = 5_000;

const backfillOptions = z.object({
  channel: z.string().regex(/^\d+$/),
  since: z
    .string()
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'use the form YYYY-MM-DD, e.g. 2025-01-31')
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'not a real date')
    .optional(),
});

export const aggregate: SubcommandHandler = async (interaction, ctx) => {
  const aggregateGuild = ctx.services.aggregateGuild;
  if (!aggregateGuild) throw new UserError('Aggregation is not available in this Clipscope process.');
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const summary = await aggregateGuild(interaction.guildId);
  await interaction.editReply({ content: `✅ Leaderboards and summaries recomputed. ${summary}`, allowedMentions: NO_MENTIONS });
};

export const backfill: SubcommandHandler = async (interaction, ctx) => {
  const crawler = ctx.services.backfill;
  if (!crawler) throw new UserError('History backfill is not available in this Clipscope process.');
  const input = parseOptions(interaction, backfillOptions);
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const since = input.since ? Date.parse(`${input.since}T00:00:00Z`) : null;
  // Progress edits are best effort and at most every few seconds: a long crawl outlives the reply's 15-minute
  // token, and a failed edit must never stop the crawl (its checkpoint and /clipscope-admin status carry on).
  let lastEdit = 0;
  const summary = await crawler.crawl({ guildId: interaction.guildId, channelId: input.channel, since }, async (line) => {
    const now = ctx.clock.now();
    if (now - lastEdit < PROGRESS_EDIT_INTERVAL_MS) return;
    lastEdit = now;
    await interaction
      .editReply({ content: `⏳ Backfilling <#${input.channel}>: ${line}`, allowedMentions: NO_MENTIONS })
      .catch((error: unknown) => ctx.logger.debug({ err: error }, 'backfill progress edit failed'));
  });
  await interaction
    .editReply({ content: `✅ Backfill of <#${input.channel}> done. ${summary}`, allowedMentions: NO_MENTIONS })
    .catch((error: unknown) => ctx.logger.info({ err: error, summary }, 'backfill finished after its reply expired'));
};
