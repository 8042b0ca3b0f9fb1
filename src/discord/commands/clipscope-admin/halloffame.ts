// /clipscope-admin halloffame set|off: where and when the server's favourite shared clips are reposted
// (docs/hall-of-fame.md), through the hall of fame service.
import { ChannelType, PermissionFlagsBits, type ChatInputCommandInteraction, type SlashCommandSubcommandGroupBuilder } from 'discord.js';
import { z } from 'zod';
import type { HallOfFameAdmin, HallOfFameSettings } from '../../../hall-of-fame/admin';
import type { BotContext } from '../../context';
import { safeText } from '../../embeds/limits';
import { parseOptions } from '../../options';
import { UserError } from '../../user-error';
import { ephemeral, type SubcommandHandler } from './shared';

const HALL_CHANNELS = [ChannelType.GuildText, ChannelType.GuildAnnouncement] as const;
const NEEDED: ReadonlyArray<[bigint, string]> = [
  [PermissionFlagsBits.ViewChannel, 'View Channel'],
  [PermissionFlagsBits.SendMessages, 'Send Messages'],
  [PermissionFlagsBits.EmbedLinks, 'Embed Links'],
  [PermissionFlagsBits.ReadMessageHistory, 'Read Message History'],
];
const MAX_COUNT = 1000;
const MAX_EMOJIS = 20;

/** The `halloffame` group's definition, added to /clipscope-admin in definition.ts. */
export function hallOfFameGroup(g: SlashCommandSubcommandGroupBuilder): SlashCommandSubcommandGroupBuilder {
  return g
    .setName('halloffame')
    .setDescription('Repost the shared clips members react to most into a hall of fame channel')
    .addSubcommand((s) =>
      s
        .setName('set')
        .setDescription('Turn the hall of fame on, or change it (omitted options keep their value)')
        .addChannelOption((o) =>
          o
            .setName('channel')
            .setDescription('Where the clips are reposted')
            .setRequired(true)
            .addChannelTypes(...HALL_CHANNELS),
        )
        .addIntegerOption((o) =>
          o.setName('threshold').setDescription('Reactions a share needs (default 5)').setMinValue(1).setMaxValue(MAX_COUNT),
        )
        .addStringOption((o) =>
          o.setName('emojis').setDescription('Only these emojis count, e.g. ⭐ 🔥 ("all": every emoji, the default)').setMaxLength(500),
        )
        .addIntegerOption((o) =>
          o
            .setName('remove_below')
            .setDescription('Remove a repost whose count falls below this (0: never, the default)')
            .setMinValue(0)
            .setMaxValue(MAX_COUNT),
        )
        .addBooleanOption((o) => o.setName('self_reactions').setDescription('Count the sharer’s own reactions (default: no)'))
        .addBooleanOption((o) =>
          o.setName('nsfw').setDescription('Take shares from NSFW channels (the hall must be NSFW too; default: no)'),
        ),
    )
    .addSubcommand((s) => s.setName('off').setDescription('Stop reposting (what was reposted stays)'));
}

/** "⭐ 🔥, <:pog:123>" → the keys capture stores: the character, or `name:id` for a custom emoji. */
export function parseEmojiList(text: string): string[] | string {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === 'all' || trimmed === '') return [];
  const keys: string[] = [];
  for (const token of trimmed.split(/[\s,]+/).filter(Boolean)) {
    const custom = /^<a?:(\w{2,32}):(\d{1,20})>$/.exec(token);
    if (custom) keys.push(`${custom[1]}:${custom[2]}`);
    else if (/\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20E3/u.test(token) && token.length <= 32) keys.push(token);
    else return `“${safeText(token, 40)}” is not an emoji. Give emojis separated by spaces, e.g. ⭐ 🔥, or “all”.`;
  }
  const unique = [...new Set(keys)];
  return unique.length > MAX_EMOJIS ? `At most ${MAX_EMOJIS} emojis.` : unique;
}

const snowflake = z.string().regex(/^\d{1,20}$/, 'a Discord id');
const setSchema = z
  .object({
    channel: snowflake,
    threshold: z.number().int().min(1, `1 to ${MAX_COUNT}`).max(MAX_COUNT, `1 to ${MAX_COUNT}`).optional(),
    emojis: z
      .string()
      .max(500)
      .transform((v, ctx) => {
        const parsed = parseEmojiList(v);
        if (typeof parsed === 'string') {
          ctx.addIssue({ code: 'custom', message: parsed });
          return z.NEVER;
        }
        return parsed;
      })
      .optional(),
    remove_below: z.number().int().min(0, `0 (never) to ${MAX_COUNT}`).max(MAX_COUNT, `0 (never) to ${MAX_COUNT}`).optional(),
    self_reactions: z.boolean().optional(),
    nsfw: z.boolean().optional(),
  })
  .strict();

function service(ctx: BotContext): HallOfFameAdmin {
  if (!ctx.services.hallOfFame) throw new UserError('The hall of fame is not available in this Clipscope.');
  return ctx.services.hallOfFame;
}

/** Refuses a channel Clipscope cannot post in, naming what it lacks there; says whether it is NSFW. */
function checkPostable(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, channelId: string): { nsfw: boolean } {
  const channel = interaction.client.channels.cache.get(channelId);
  if (!channel || channel.isDMBased() || !channel.isSendable())
    throw new UserError(`<#${channelId}> is not a text channel Clipscope can see and post in.`);
  const permissions = 'permissionsFor' in channel ? channel.permissionsFor(interaction.client.user) : null;
  const missing = NEEDED.filter(([flag]) => !permissions?.has(flag)).map(([, name]) => name);
  if (missing.length > 0)
    throw new UserError(`Clipscope needs ${missing.join(', ')} in <#${channelId}> to repost clips there. Give it those, then try again.`);
  return { nsfw: 'nsfw' in channel && channel.nsfw === true };
}

const set: SubcommandHandler = async (interaction, ctx) => {
  const o = parseOptions(interaction, setSchema);
  const hall = checkPostable(interaction, o.channel);
  const admin = service(ctx);
  if (o.nsfw === true && !hall.nsfw)
    throw new UserError(
      `<#${o.channel}> is not age-restricted, so it cannot take clips from NSFW channels. Mark it NSFW in its settings, or leave \`nsfw\` off.`,
    );
  const current = await admin.get(interaction.guildId);
  const threshold = o.threshold ?? current?.threshold ?? 5;
  const removeBelow = o.remove_below === undefined ? (current?.removeBelow ?? null) : o.remove_below === 0 ? null : o.remove_below;
  if (removeBelow !== null && removeBelow > threshold)
    throw new UserError(
      `\`remove_below\` (${removeBelow}) must not be above \`threshold\` (${threshold}): a repost would be removed at once.`,
    );
  // A hall moved to a channel that is not NSFW stops taking NSFW shares.
  const nsfw = (o.nsfw ?? current?.nsfw ?? false) && hall.nsfw;
  const settings = await admin.set(interaction.guildId, {
    channelId: o.channel,
    threshold,
    removeBelow,
    nsfw,
    ...(o.emojis !== undefined ? { emojis: o.emojis } : {}),
    ...(o.self_reactions !== undefined ? { selfReactions: o.self_reactions } : {}),
  });
  await interaction.reply({ content: `🏆 Hall of fame on.\n${describeHallOfFame(settings)}`, ...ephemeral });
};

const off: SubcommandHandler = async (interaction, ctx) => {
  const was = await service(ctx).off(interaction.guildId);
  await interaction.reply({
    content: was
      ? '🏆 Hall of fame off. What it reposted stays.'
      : 'The hall of fame was not on. Turn it on with `/clipscope-admin halloffame set`.',
    ...ephemeral,
  });
};

/** The `halloffame` group's subcommands. */
export const hallOfFameSubcommands: Readonly<Record<string, SubcommandHandler>> = { set, off };

export function describeHallOfFame(s: HallOfFameSettings): string {
  const emojis = s.emojis.length === 0 ? 'any emoji' : s.emojis.map((e) => (/^.+:\d+$/.test(e) ? `<:${e}>` : e)).join(' ');
  return [
    `Shares with **${s.threshold}** reactions (${emojis}) are reposted in <#${s.channelId}>.`,
    s.removeBelow === null
      ? 'Reposts are never removed for their count.'
      : `A repost is removed if its count falls below **${s.removeBelow}**.`,
    s.selfReactions ? 'The sharer’s own reactions count.' : 'The sharer’s own reactions do not count.',
    s.nsfw ? 'Shares in NSFW channels are reposted too.' : 'Shares in NSFW channels are never reposted.',
  ].join('\n');
}
