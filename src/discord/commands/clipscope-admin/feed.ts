// /clipscope-admin feed add|list|edit|pause|resume|remove: clip feeds that post a Twitch channel's new clips to a
// Discord channel (docs/feed.md), through the feed service (null when Twitch is not configured).
import {
  ChannelType,
  PermissionFlagsBits,
  type APIEmbed,
  type ChatInputCommandInteraction,
  type SlashCommandSubcommandBuilder,
  type SlashCommandSubcommandGroupBuilder,
} from 'discord.js';
import type { Feed, FeedAdmin } from '../../../feed/admin';
import { feedAddInput, feedEditInput, feedIdInput, filtersOf, NEW_FEED_DEFAULTS } from '../../../feed/input';
import { TwitchApiError } from '../../../twitch/errors';
import type { BotContext } from '../../context';
import { COLORS, plural } from '../../embeds/format';
import { fitEmbed, safeText, truncate } from '../../embeds/limits';
import { parseOptions } from '../../options';
import { UserError } from '../../user-error';
import { ephemeral, type SubcommandHandler } from './shared';

const FEED_CHANNELS = [ChannelType.GuildText, ChannelType.GuildAnnouncement] as const;
const NEEDED: ReadonlyArray<[bigint, string]> = [
  [PermissionFlagsBits.ViewChannel, 'View Channel'],
  [PermissionFlagsBits.SendMessages, 'Send Messages'],
  [PermissionFlagsBits.EmbedLinks, 'Embed Links'],
  [PermissionFlagsBits.ReadMessageHistory, 'Read Message History'],
];

/** The options a feed's filters take, shared by add and edit. */
function filterOptions(s: SlashCommandSubcommandBuilder): SlashCommandSubcommandBuilder {
  return s
    .addIntegerOption((o) =>
      o.setName('min_views').setDescription('Post a clip once it has this many views (0: at once)').setMinValue(0).setMaxValue(10_000_000),
    )
    .addStringOption((o) => o.setName('games').setDescription('Only these games, comma-separated ("none": every game)').setMaxLength(500))
    .addStringOption((o) =>
      o.setName('exclude_games').setDescription('Never these games, comma-separated ("none": clear)').setMaxLength(500),
    )
    .addStringOption((o) =>
      o.setName('creators_exclude').setDescription('Never clips by these clippers, comma-separated ("none": clear)').setMaxLength(500),
    )
    .addIntegerOption((o) =>
      o
        .setName('max_per_hour')
        .setDescription('At most this many posts an hour, the rest summarised (0: no limit)')
        .setMinValue(0)
        .setMaxValue(100),
    )
    .addRoleOption((o) => o.setName('mention_role').setDescription('A role mentioned in every post'))
    .addBooleanOption((o) => o.setName('post_member_shared').setDescription('Also post clips a member already shared (default: yes)'))
    .addBooleanOption((o) => o.setName('taking_off').setDescription('Post "🔥 taking off" when a clip takes off (default: yes)'))
    .addChannelOption((o) =>
      o
        .setName('alert_channel')
        .setDescription('Post taking-off alerts here instead of the feed channel')
        .addChannelTypes(...FEED_CHANNELS),
    );
}

/** The `feed` group's definition, added to /clipscope-admin in definition.ts. */
export function feedGroup(g: SlashCommandSubcommandGroupBuilder): SlashCommandSubcommandGroupBuilder {
  const feedId = (s: SlashCommandSubcommandBuilder) =>
    s.addIntegerOption((o) =>
      o.setName('feed').setDescription('The feed’s number, from /clipscope-admin feed list').setRequired(true).setMinValue(1),
    );
  return g
    .setName('feed')
    .setDescription('Post new clips of a Twitch channel to a Discord channel')
    .addSubcommand((s) =>
      filterOptions(
        s
          .setName('add')
          .setDescription('Post the new clips of a Twitch channel here')
          .addChannelOption((o) =>
            o
              .setName('channel')
              .setDescription('Where to post the clips')
              .setRequired(true)
              .addChannelTypes(...FEED_CHANNELS),
          )
          .addStringOption((o) =>
            o.setName('twitch').setDescription('The Twitch channel’s login, e.g. bigstreamer').setRequired(true).setMaxLength(100),
          ),
      ),
    )
    .addSubcommand((s) => s.setName('list').setDescription('This server’s clip feeds, their filters and state'))
    .addSubcommand((s) =>
      filterOptions(
        feedId(s.setName('edit').setDescription('Change a feed’s channel or filters')).addChannelOption((o) =>
          o
            .setName('channel')
            .setDescription('Post in this channel from now on')
            .addChannelTypes(...FEED_CHANNELS),
        ),
      ).addBooleanOption((o) => o.setName('clear_mention').setDescription('Stop mentioning a role')),
    )
    .addSubcommand((s) => feedId(s.setName('pause').setDescription('Stop posting until resumed')))
    .addSubcommand((s) => feedId(s.setName('resume').setDescription('Post again (clips made while paused are posted if under a week old)')))
    .addSubcommand((s) => feedId(s.setName('remove').setDescription('Delete a feed (what it posted stays)')));
}

function requireFeeds(ctx: BotContext): FeedAdmin {
  if (!ctx.services.feeds) {
    throw new UserError('Clip feeds need Twitch: set TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET for Clipscope and restart it.');
  }
  return ctx.services.feeds;
}

/** Refuses a channel Clipscope cannot post in, naming what it lacks there. */
function checkPostable(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, channelId: string): void {
  const channel = interaction.client.channels.cache.get(channelId);
  if (!channel || channel.isDMBased() || !channel.isSendable())
    throw new UserError(`<#${channelId}> is not a text channel Clipscope can see and post in.`);
  const me = interaction.client.user;
  const permissions = 'permissionsFor' in channel ? channel.permissionsFor(me) : null;
  const missing = NEEDED.filter(([flag]) => !permissions?.has(flag)).map(([, name]) => name);
  if (missing.length > 0)
    throw new UserError(`Clipscope needs ${missing.join(', ')} in <#${channelId}> to post clips there. Give it those, then try again.`);
}

const add: SubcommandHandler = async (interaction, ctx) => {
  const feeds = requireFeeds(ctx);
  const o = parseOptions(interaction, feedAddInput);
  checkPostable(interaction, o.channel);
  if (o.alert_channel) checkPostable(interaction, o.alert_channel);
  await interaction.deferReply(ephemeral);
  let feed: Feed;
  try {
    feed = await feeds.add(interaction.guildId, {
      channelId: o.channel,
      login: o.twitch,
      ...NEW_FEED_DEFAULTS,
      ...filtersOf(o),
    });
  } catch (error) {
    if (error instanceof TwitchApiError && error.kind !== 'rejected') {
      throw new UserError(
        'Twitch is unavailable right now (or refuses Clipscope’s credentials), so no feed was added. Please try again later.',
      );
    }
    throw error;
  }
  await interaction.editReply({
    content: `✅ Feed **#${feed.id}** posts new clips of **${safeText(feed.broadcasterName, 50)}** in <#${feed.channelId}>.\n${describeFilters(feed)}`,
    allowedMentions: ephemeral.allowedMentions,
  });
};

const list: SubcommandHandler = async (interaction, ctx) => {
  const feeds = await requireFeeds(ctx).list(interaction.guildId);
  await interaction.reply({ ...feedsReply(feeds), ...ephemeral });
};

const edit: SubcommandHandler = async (interaction, ctx) => {
  const o = parseOptions(interaction, feedEditInput);
  if (o.channel) checkPostable(interaction, o.channel);
  if (o.alert_channel) checkPostable(interaction, o.alert_channel);
  const change = { ...filtersOf(o), ...(o.channel ? { channelId: o.channel } : {}), ...(o.clear_mention ? { mentionRoleId: null } : {}) };
  if (Object.keys(change).length === 0) throw new UserError('Give at least one option to change (e.g. `min_views` or `channel`).');
  const feed = await requireFeeds(ctx).edit(interaction.guildId, o.feed, change);
  if (!feed) throw noFeed(o.feed);
  await interaction.reply({ content: `✏️ Feed **#${feed.id}** updated.\n${describeFilters(feed)}`, ...ephemeral });
};

const pauseOrResume =
  (paused: boolean): SubcommandHandler =>
  async (interaction, ctx) => {
    const { feed: id } = parseOptions(interaction, feedIdInput);
    const feed = await requireFeeds(ctx).setPaused(interaction.guildId, id, paused);
    if (!feed) throw noFeed(id);
    await interaction.reply({ content: paused ? `⏸️ Feed **#${id}** paused.` : `▶️ Feed **#${id}** resumed.`, ...ephemeral });
  };

const remove: SubcommandHandler = async (interaction, ctx) => {
  const { feed: id } = parseOptions(interaction, feedIdInput);
  if (!(await requireFeeds(ctx).remove(interaction.guildId, id))) throw noFeed(id);
  await interaction.reply({
    content: `🗑️ Feed **#${id}** removed. What it posted stays, and is never posted again in that channel.`,
    ...ephemeral,
  });
};

/** The `feed` group's subcommands. */
export const feedSubcommands: Readonly<Record<string, SubcommandHandler>> = {
  add,
  list,
  edit,
  pause: pauseOrResume(true),
  resume: pauseOrResume(false),
  remove,
};

function noFeed(id: number): UserError {
  return new UserError(`This server has no feed #${id}; \`/clipscope-admin feed list\` shows its feeds.`);
}

function describeFilters(f: Feed): string {
  const parts = [
    f.minViews > 0 ? `at least ${plural(f.minViews, 'view')}` : null,
    f.games.length > 0 ? `games: ${safeText(f.games.join(', '), 200)}` : null,
    f.excludeGames.length > 0 ? `not: ${safeText(f.excludeGames.join(', '), 200)}` : null,
    f.creatorsExclude.length > 0 ? `not by: ${safeText(f.creatorsExclude.join(', '), 200)}` : null,
    f.maxPerHour !== null ? `at most ${f.maxPerHour}/hour` : null,
    f.mentionRoleId ? `mentions <@&${f.mentionRoleId}>` : null,
    f.postMemberShared ? null : 'skips clips members shared first',
    f.takingOff ? `taking-off alerts${f.alertChannelId ? ` in <#${f.alertChannelId}>` : ''}` : 'no taking-off alerts',
  ].filter(Boolean);
  return parts.length > 0 ? `Filters: ${parts.join(' · ')}` : 'No filters: every new clip is posted.';
}

/** One line per feed: where, whose, filters and state (with the reason a paused feed gives). */
export function feedLine(f: Feed): string {
  const state = f.paused ? (f.pauseCause === 'permissions' ? `⚠️ paused: ${truncate(f.pauseReason ?? '', 200)}` : '⏸️ paused') : '▶️ posting';
  return `**#${f.id}** ${safeText(f.broadcasterName, 50)} → <#${f.channelId}> · ${state}\n${describeFilters(f)}`;
}

function feedsReply(feeds: Feed[]): { content?: string; embeds?: APIEmbed[] } {
  if (feeds.length === 0) return { content: 'This server has no clip feeds yet. Add one with `/clipscope-admin feed add`.' };
  return {
    embeds: [
      fitEmbed({
        title: '📣 Clip feeds',
        color: COLORS.brand,
        description: feeds.map(feedLine).join('\n\n'),
        footer: { text: 'Clipscope' },
      }),
    ],
  };
}
