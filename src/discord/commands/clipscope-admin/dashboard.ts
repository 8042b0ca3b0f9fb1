// /clipscope-admin dashboard viewers: a role whose members may open this server's dashboard read-only after signing
// in with Discord (managers always can). The dashboard's settings panel changes the same setting.
import { z } from 'zod';
import { parseOptions } from '../../options';
import { actorOf, ephemeral, type SubcommandHandler } from './shared';

const viewersOptions = z.object({ role: z.string().regex(/^\d+$/).optional(), clear: z.boolean().optional() });

const viewers: SubcommandHandler = async (interaction, ctx) => {
  const input = parseOptions(interaction, viewersOptions);
  const guildId = interaction.guildId;
  let settings = await ctx.settings.get(guildId);
  let saved = false;
  if (input.clear === true || input.role !== undefined) {
    const role = input.clear === true ? null : (input.role ?? null);
    // @everyone's id is the guild's: that would open the dashboard to every member.
    if (role === guildId) {
      await interaction.reply({
        content: 'Pick a role other than @everyone: the dashboard shows the server’s numbers to its viewers.',
        ...ephemeral,
      });
      return;
    }
    settings = await ctx.settings.update(guildId, { dashboardViewerRoleId: role }, ctx.clock.now(), actorOf(interaction));
    saved = true;
  }
  const line = settings.dashboardViewerRoleId
    ? `Members with <@&${settings.dashboardViewerRoleId}> may view this server’s dashboard (read-only) after signing in with Discord; members with Manage Server may change its settings.`
    : 'Only members with Manage Server (and the owner) may open this server’s dashboard. Pick a `role:` to let its members view it read-only.';
  await interaction.reply({ content: `${saved ? '✅ Saved. ' : ''}${line}`, ...ephemeral });
};

/** The `dashboard` group's subcommands. */
export const dashboardSubcommands: Readonly<Record<string, SubcommandHandler>> = { viewers };
