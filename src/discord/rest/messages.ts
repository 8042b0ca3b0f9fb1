// What the REST senders share: posting a message (with files as multipart), reading the channel's latest messages to
// find an earlier attempt's post, and whether the bot may post in a channel, from permissions computed over REST.
import { PermissionFlagsBits, Routes } from 'discord.js';
import { NO_MENTIONS } from '../embeds/limits';
import { DiscordLookupError, THREAD_TYPES, type DiscordRest } from './discord-rest';
import { missingPermissions } from './permissions';

/** Discord's largest page of history: where findPosted looks for an earlier attempt's post. */
export const RECENT_MESSAGES = 100;

/** Channel types a bot posts messages in: text, announcement, and threads. */
export const SENDABLE_TYPES = new Set([0, 5, ...THREAD_TYPES]);

export const POST_NEEDS = [
  [PermissionFlagsBits.ViewChannel, 'View Channel'],
  [PermissionFlagsBits.SendMessages, 'Send Messages'],
  [PermissionFlagsBits.EmbedLinks, 'Embed Links'],
  [PermissionFlagsBits.ReadMessageHistory, 'Read Message History'],
] as const;

/** What GET /channels/{id}/messages gives that findPosted reads. */
export interface RestMessage {
  id: string;
  content?: string;
  author?: { id: string };
  embeds?: { title?: string }[];
}

export const allowedMentions = (roles: string[] = []) => ({ ...NO_MENTIONS, roles });

export async function recentMessages(discord: DiscordRest, channelId: string, limit = RECENT_MESSAGES): Promise<RestMessage[]> {
  const page = await discord.rest.get(Routes.channelMessages(channelId), { query: new URLSearchParams({ limit: String(limit) }) });
  return Array.isArray(page) ? (page as RestMessage[]) : [];
}

export async function postMessage(
  discord: DiscordRest,
  channelId: string,
  body: Record<string, unknown>,
  files?: { name: string; data: Uint8Array }[],
) {
  const sent = (await discord.rest.post(Routes.channelMessages(channelId), {
    body: files ? { ...body, attachments: files.map((f, id) => ({ id, filename: f.name })) } : body,
    ...(files ? { files: files.map((f) => ({ name: f.name, data: Buffer.from(f.data) })) } : {}),
  })) as { id: string };
  return sent.id;
}

/**
 * Null when the bot may post in the channel, else why not, as an admin can act on it. A guild or channel Discord
 * does not show (403/404) is a reason, not an error: the job pauses or skips it.
 */
export async function whyNotPostable(discord: DiscordRest, guildId: string, channelId: string, what: string): Promise<string | null> {
  const me = await discord.me();
  const guild = await discord.guild(guildId);
  if (!guild) return 'Clipscope is not in this server any more.';
  const channel = await discord.channel(channelId);
  if (!channel || channel.guild_id !== guildId) return `The ${what} channel <#${channelId}> no longer exists or Clipscope cannot see it.`;
  if (!SENDABLE_TYPES.has(channel.type)) return `<#${channelId}> is not a text channel Clipscope can post in.`;
  try {
    const missing = missingPermissions(await discord.permissionsIn(guildId, channelId, me.id), POST_NEEDS);
    return missing.length === 0 ? null : `Clipscope needs ${missing.join(', ')} in <#${channelId}>.`;
  } catch (error) {
    if (error instanceof DiscordLookupError) return error.message;
    throw error;
  }
}
