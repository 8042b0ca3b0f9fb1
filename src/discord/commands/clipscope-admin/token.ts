// /clipscope-admin token create: an HTTP API token for this server, shown once and only to the admin.
import { z } from 'zod';
import { safeText } from '../../embeds/limits';
import { parseOptions } from '../../options';
import { UserError } from '../../user-error';
import { ephemeral, type SubcommandHandler } from './shared';

const tokenOptions = z.object({ name: z.string().trim().min(1).max(100).default('API token') });

const create: SubcommandHandler = async (interaction, ctx) => {
  const createApiToken = ctx.services.createApiToken;
  if (!createApiToken) throw new UserError('The HTTP API is not part of this Clipscope process, so it cannot create tokens.');
  const { name } = parseOptions(interaction, tokenOptions);
  const created = await createApiToken(interaction.guildId, name);
  await interaction.reply({
    content:
      `🔑 API token **${safeText(created.name, 100)}** for this server:\n\`\`\`\n${created.token}\n\`\`\`\n` +
      'Copy it now: it is shown only this once and stored only as a hash. Send it as `Authorization: Bearer <token>`. ' +
      `It shows as \`${created.prefix}…\` in listings.`,
    ...ephemeral,
  });
};

/** The `token` group's subcommands. */
export const tokenSubcommands: Readonly<Record<string, SubcommandHandler>> = { create };
