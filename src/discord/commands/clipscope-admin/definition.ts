// The /clipscope-admin definition Discord registers: its subcommands, groups and options.
import { ChannelType, InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import { WEEKDAYS } from '../../embeds/format';
import { feedGroup } from './feed';
import { hallOfFameGroup } from './halloffame';
import { rolesGroup } from './roles';
import { reportSubcommand } from './report';
import { reportEmailGroup } from './report-email';
import { moodsGroup } from './moods';

const TEXT_CHANNELS = [ChannelType.GuildText, ChannelType.GuildAnnouncement] as const;
const CAPTURE_CHANNELS = [ChannelType.GuildText, ChannelType.GuildAnnouncement, ChannelType.GuildForum, ChannelType.GuildMedia] as const;

export const data = new SlashCommandBuilder()
  .setName('clipscope-admin')
  .setDescription('Clipscope settings and maintenance for this server')
  .setContexts(InteractionContextType.Guild)
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .addSubcommand((s) => s.setName('status').setDescription('Settings, queues, last background runs and errors'))
  .addSubcommand((s) =>
    s
      .setName('digest')
      .setDescription('Where and when the weekly digest is posted (no options: show the current setup)')
      .addChannelOption((o) =>
        o
          .setName('channel')
          .setDescription('Channel to post the digest in')
          .addChannelTypes(...TEXT_CHANNELS),
      )
      .addIntegerOption((o) =>
        o
          .setName('day')
          .setDescription('Day of the week to post on')
          .addChoices(...WEEKDAYS.map((name, i) => ({ name, value: i + 1 }))),
      )
      .addIntegerOption((o) =>
        o.setName('hour').setDescription('Hour to post at, 0–23, in the server timezone').setMinValue(0).setMaxValue(23),
      )
      .addStringOption((o) =>
        o
          .setName('timezone')
          .setDescription('Server timezone for the digest and all periods, e.g. Europe/Berlin')
          .setAutocomplete(true)
          .setMaxLength(64),
      )
      .addBooleanOption((o) => o.setName('enabled').setDescription('Turn the weekly digest on or off')),
  )
  .addSubcommand((s) =>
    s
      .setName('capture')
      .setDescription('Which channels and authors Clipscope records clip links from')
      .addChannelOption((o) =>
        o
          .setName('add_channel')
          .setDescription('Also record in this channel')
          .addChannelTypes(...CAPTURE_CHANNELS),
      )
      .addChannelOption((o) =>
        o
          .setName('remove_channel')
          .setDescription('Stop recording in this channel')
          .addChannelTypes(...CAPTURE_CHANNELS),
      )
      .addBooleanOption((o) => o.setName('all_channels').setDescription('Record in every channel Clipscope can see (clears the list)'))
      .addBooleanOption((o) => o.setName('include_bots').setDescription('Also record clip links posted by bots')),
  )
  .addSubcommandGroup((g) =>
    g
      .setName('twitch')
      .setDescription('Twitch channels and clip enrichment')
      .addSubcommand((s) =>
        s
          .setName('add')
          .setDescription('Follow Twitch channels and import all their clips')
          .addStringOption((o) =>
            o.setName('channels').setDescription('Twitch logins, separated by spaces or commas').setRequired(true).setMaxLength(500),
          ),
      )
      .addSubcommand((s) => s.setName('list').setDescription('The Twitch channels this server follows, with their last sync'))
      .addSubcommand((s) =>
        s
          .setName('remove')
          .setDescription('Stop following Twitch channels (their clips stay)')
          .addStringOption((o) =>
            o.setName('channels').setDescription('Twitch logins, separated by spaces or commas').setRequired(true).setMaxLength(500),
          ),
      )
      .addSubcommand((s) => s.setName('sync').setDescription('Fetch new clips of the followed Twitch channels now'))
      .addSubcommand((s) => s.setName('retry').setDescription('Retry the clips whose Twitch details could not be fetched')),
  )
  .addSubcommand((s) => s.setName('aggregate').setDescription('Recompute this server’s leaderboards and summaries now'))
  .addSubcommandGroup((g) =>
    g
      .setName('token')
      .setDescription('HTTP API tokens for this server')
      .addSubcommand((s) =>
        s
          .setName('create')
          .setDescription('Create an API token (shown once, only to you)')
          .addStringOption((o) => o.setName('name').setDescription('What the token is for, e.g. "stream overlay"').setMaxLength(100)),
      ),
  )
  .addSubcommandGroup((g) =>
    g
      .setName('dashboard')
      .setDescription('Who may open this server’s dashboard after signing in with Discord')
      .addSubcommand((s) =>
        s
          .setName('viewers')
          .setDescription('A role whose members may view the dashboard read-only (no options: show it)')
          .addRoleOption((o) => o.setName('role').setDescription('Members with this role may view the dashboard'))
          .addBooleanOption((o) => o.setName('clear').setDescription('Managers only again (removes the viewer role)')),
      ),
  )
  .addSubcommandGroup(feedGroup)
  .addSubcommandGroup(hallOfFameGroup)
  .addSubcommandGroup(rolesGroup)
  .addSubcommand(reportSubcommand)
  .addSubcommandGroup(reportEmailGroup)
  .addSubcommandGroup(moodsGroup)
  .addSubcommand((s) =>
    s
      .setName('backfill')
      .setDescription('Record the clip links already in a channel’s history')
      .addChannelOption((o) =>
        o
          .setName('channel')
          .setDescription('Channel to crawl')
          .setRequired(true)
          .addChannelTypes(...CAPTURE_CHANNELS),
      )
      .addStringOption((o) =>
        o.setName('since').setDescription('Only messages after this date, YYYY-MM-DD (default: all history)').setMaxLength(10),
      ),
  );
