// The jobs' senders over REST alone (no gateway client): the clip feed, the hall of fame, the monthly report and
// clipper roles (the digest's is ./digest-sender.ts), for the DISCORD_PROCESSES > 1 parent and jobs-only processes
// (docs/adr/0037). Same contracts, same rendering and the same messages for admins as the gateway senders beside them; permissions
// come from ./discord-rest.ts instead of the gateway's cache.
import { DiscordAPIError, PermissionFlagsBits, Routes } from 'discord.js';
import { FeedDeliveryError, type FeedSender } from '../../feed/sender';
import type { HallOfFameSender } from '../../hall-of-fame/sender';
import type { ReportSender } from '../../reports/monthly';
import type { RoleChangeOutcome, RoleSender } from '../../roles/sender';
import { COLORS } from '../embeds/format';
import { fitEmbed } from '../embeds/limits';
import { feedDeliveryError, feedMarker, renderFeedMessage } from '../feed-sender';
import { hallOfFameDeliveryError, jumpLink, renderRepost } from '../hall-of-fame-sender';
import { reportDeliveryError } from '../report-sender';
import { roleDeliveryError } from '../role-sender';
import { permissionGuild, THREAD_TYPES, type DiscordRest } from './discord-rest';
import { allowedMentions, postMessage, recentMessages, whyNotPostable } from './messages';
import { basePermissions } from './permissions';

export function createRestFeedSender(discord: DiscordRest): FeedSender {
  return {
    async checkChannel(guildId, channelId) {
      try {
        const reason = await whyNotPostable(discord, guildId, channelId, 'feed');
        return reason === null ? null : { reason };
      } catch (error) {
        // Discord did not answer (5xx, a timeout): no verdict this run; pausing would be wrong.
        throw new FeedDeliveryError('transient', `Discord could not be asked: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
    async send(channelId, message, nonce) {
      try {
        const roles = message.kind === 'clip' && message.mentionRoleId ? [message.mentionRoleId] : [];
        return await postMessage(discord, channelId, {
          content: renderFeedMessage(message),
          allowed_mentions: allowedMentions(roles),
          nonce,
          enforce_nonce: true,
        });
      } catch (error) {
        throw feedDeliveryError(channelId, error);
      }
    },
    poster() {
      const me = discord.knownMe();
      return me ? { id: me.id, name: me.global_name ?? me.username } : null;
    },
    async findPosted(channelId, message) {
      try {
        const marker = feedMarker(message);
        const me = await discord.me();
        const mine = (await recentMessages(discord, channelId)).find(
          (m) => m.author?.id === me.id && (m.content === marker || (m.content ?? '').startsWith(`${marker}\n`)),
        );
        return mine?.id ?? null;
      } catch (error) {
        throw feedDeliveryError(channelId, error);
      }
    },
  };
}

export function createRestHallOfFameSender(discord: DiscordRest): HallOfFameSender {
  return {
    async checkHall(guildId, channelId) {
      try {
        return await whyNotPostable(discord, guildId, channelId, 'hall of fame');
      } catch (error) {
        // Not known now: the pass is blocked with the reason and tried again on the next one.
        return `Discord could not be asked about <#${channelId}>: ${error instanceof Error ? error.message : String(error)}`;
      }
    },
    async isNsfw(guildId, channelId) {
      let channel = await discord.channel(channelId).catch(() => null);
      if (!channel || channel.guild_id !== guildId) return null;
      if (THREAD_TYPES.has(channel.type) && channel.parent_id) channel = await discord.channel(channel.parent_id).catch(() => null);
      return channel ? channel.nsfw === true : null;
    },
    isBot: (userId) => discord.isBot(userId),
    async send(hallChannelId, repost, nonce) {
      try {
        return await postMessage(discord, hallChannelId, {
          content: renderRepost(repost),
          allowed_mentions: allowedMentions(),
          nonce,
          enforce_nonce: true,
        });
      } catch (error) {
        throw hallOfFameDeliveryError(hallChannelId, error);
      }
    },
    async findPosted(hallChannelId, repost) {
      try {
        const link = jumpLink(repost);
        const me = await discord.me();
        const recent = await recentMessages(discord, hallChannelId);
        return recent.find((m) => m.author?.id === me.id && (m.content ?? '').split('\n').includes(link))?.id ?? null;
      } catch (error) {
        throw hallOfFameDeliveryError(hallChannelId, error);
      }
    },
    async edit(hallChannelId, repostMessageId, repost) {
      try {
        await discord.rest.patch(Routes.channelMessage(hallChannelId, repostMessageId), {
          body: { content: renderRepost(repost), allowed_mentions: allowedMentions() },
        });
      } catch (error) {
        throw hallOfFameDeliveryError(hallChannelId, error);
      }
    },
    async remove(hallChannelId, repostMessageId) {
      try {
        await discord.rest.delete(Routes.channelMessage(hallChannelId, repostMessageId));
      } catch (error) {
        throw hallOfFameDeliveryError(hallChannelId, error);
      }
    },
  };
}

/** A monthly report goes out once a month, so an earlier attempt's post is among the latest few. */
const RECENT_REPORT_MESSAGES = 50;

export function createRestReportSender(discord: DiscordRest): ReportSender {
  return {
    async send(channelId, post, nonce) {
      try {
        return await postMessage(
          discord,
          channelId,
          {
            embeds: [fitEmbed({ title: post.title, description: post.description, color: COLORS.brand, footer: { text: 'Clipscope' } })],
            allowed_mentions: allowedMentions(),
            nonce,
            enforce_nonce: true,
          },
          post.files.map((f) => ({ name: f.name, data: f.bytes })),
        );
      } catch (error) {
        throw reportDeliveryError(channelId, error);
      }
    },
    async findPosted(channelId, post) {
      const me = await discord.me();
      const recent = await recentMessages(discord, channelId, RECENT_REPORT_MESSAGES);
      return recent.find((m) => m.author?.id === me.id && m.embeds?.[0]?.title === post.title)?.id ?? null;
    },
  };
}

export function createRestRoleSender(discord: DiscordRest): RoleSender {
  const change = async (add: boolean, guildId: string, userId: string, roleId: string, reason: string): Promise<RoleChangeOutcome> => {
    let roles: string[] | null;
    try {
      roles = await discord.memberRoles(guildId, userId, { fresh: true });
    } catch (error) {
      throw roleDeliveryError(error);
    }
    if (roles === null) return 'left';
    if (roles.includes(roleId) === add) return 'already';
    try {
      const route = Routes.guildMemberRole(guildId, userId, roleId);
      if (add) await discord.rest.put(route, { reason });
      else await discord.rest.delete(route, { reason });
      return 'done';
    } catch (error) {
      // Left between the fetch and the change.
      if (error instanceof DiscordAPIError && error.code === 10007) return 'left';
      throw roleDeliveryError(error);
    }
  };
  return {
    async checkRole(guildId, roleId) {
      try {
        const guild = await discord.guild(guildId);
        if (!guild) return 'Clipscope is not in this server any more.';
        const role = guild.roles.find((r) => r.id === roleId);
        if (!role) return `The role ${roleId} no longer exists; remove its rule with \`/clipscope-admin roles remove\`.`;
        if (role.id === guild.id) return '@everyone is every member’s role; pick another role.';
        if (role.managed)
          return `<@&${role.id}> is managed by an integration (a bot’s own role, boosts or subscriptions); pick another role.`;
        const me = await discord.me();
        const mine = await discord.memberRoles(guildId, me.id);
        if (mine === null) return 'Clipscope is not in this server any more.';
        const permissions = basePermissions(permissionGuild(guild), me.id, mine);
        if ((permissions & PermissionFlagsBits.ManageRoles) === 0n)
          return 'Clipscope needs the **Manage Roles** permission to give and take roles. Grant it to Clipscope’s role, then try again.';
        const highest = guild.roles
          .filter((r) => mine.includes(r.id) || r.id === guild.id)
          .reduce((a, b) => (comparePositions(a, b) >= 0 ? a : b));
        if (comparePositions(highest, role) <= 0)
          return `<@&${role.id}> is not below Clipscope’s highest role (<@&${highest.id}>), so Discord does not let Clipscope give it. Move Clipscope’s role above it in Server Settings → Roles, then try again.`;
        return null;
      } catch (error) {
        // Not known now: the rule waits for the next run with the reason shown.
        return `Discord could not be asked about the role ${roleId}: ${error instanceof Error ? error.message : String(error)}`;
      }
    },
    addRole: (guildId, userId, roleId, reason) => change(true, guildId, userId, roleId, reason),
    removeRole: (guildId, userId, roleId, reason) => change(false, guildId, userId, roleId, reason),
  };
}

/** Discord's role order: position, then the older role (smaller id) above on a tie. */
function comparePositions(a: { id: string; position: number }, b: { id: string; position: number }): number {
  if (a.position !== b.position) return a.position - b.position;
  return BigInt(a.id) < BigInt(b.id) ? 1 : BigInt(a.id) > BigInt(b.id) ? -1 : 0;
}
