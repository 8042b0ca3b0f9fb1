// Discord API shapes of the synthetic community's people, emoji and messages (as the gateway sends them).
import type { EmojiModel, GuildModel, MessageModel, Person } from './community';

/** Discord's timestamp format: ISO 8601 with microseconds and an explicit offset. */
export function discordTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');
}

export function apiUser(person: Person): Record<string, unknown> {
  return {
    id: person.id,
    username: person.login,
    discriminator: '0',
    global_name: person.isBot ? null : person.name,
    avatar: null,
    ...(person.isBot ? { bot: true } : {}),
    public_flags: 0,
  };
}

export function apiMember(guild: GuildModel, person: Person, withUser: boolean): Record<string, unknown> {
  return {
    ...(withUser ? { user: apiUser(person) } : {}),
    roles: [],
    joined_at: discordTimestamp(guild.createdAt + 86_400_000),
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    nick: null,
    avatar: null,
    communication_disabled_until: null,
  };
}

export function apiEmoji(emoji: EmojiModel): Record<string, unknown> {
  return emoji.id ? { id: emoji.id, name: emoji.name, animated: emoji.animated } : { id: null, name: emoji.name };
}

/** The message as MESSAGE_CREATE / MESSAGE_UPDATE carry it. */
export function apiMessage(
  guild: GuildModel,
  message: Pick<MessageModel, 'id' | 'channelId' | 'threadId' | 'author' | 'postedAt'>,
  content: string,
  editedAt: number | null,
): Record<string, unknown> {
  const author = guild.members[message.author];
  if (!author) throw new Error(`message ${message.id} has no author`);
  return {
    id: message.id,
    // A message in a thread arrives with the thread as its channel.
    channel_id: message.threadId ?? message.channelId,
    guild_id: guild.id,
    author: apiUser(author),
    member: apiMember(guild, author, false),
    content,
    timestamp: discordTimestamp(message.postedAt),
    edited_timestamp: editedAt === null ? null : discordTimestamp(editedAt),
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    type: 0,
    flags: 0,
    components: [],
  };
}

export function apiGuild(guild: GuildModel): Record<string, unknown> {
  const owner = guild.owner;
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    description: null,
    owner_id: owner.id,
    region: 'deprecated',
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 1,
    default_message_notifications: 1,
    explicit_content_filter: 2,
    mfa_level: 0,
    nsfw_level: 0,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: 'en-US',
    system_channel_id: guild.channels[1]?.id ?? null,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    vanity_url_code: null,
    features: [],
    roles: [
      {
        id: guild.id,
        name: '@everyone',
        color: 0,
        hoist: false,
        position: 0,
        permissions: '1071698660929',
        managed: false,
        mentionable: false,
        flags: 0,
      },
    ],
    emojis: guild.emojis
      .filter((e) => e.id !== null)
      .map((e) => ({ id: e.id, name: e.name, animated: e.animated, roles: [], require_colons: true, managed: false, available: true })),
    stickers: [],
    joined_at: discordTimestamp(guild.createdAt + 86_400_000),
    large: guild.members.length > 250,
    unavailable: false,
    member_count: guild.members.length,
    voice_states: [],
    members: [apiMember(guild, owner, true)],
    channels: guild.channels.map((c) => ({
      id: c.id,
      type: 0,
      name: c.name,
      position: c.position,
      topic: null,
      nsfw: false,
      last_message_id: null,
      rate_limit_per_user: 0,
      permission_overwrites: [],
      parent_id: null,
    })),
    threads: guild.threads.map((t) => ({
      id: t.id,
      guild_id: guild.id,
      parent_id: t.parentId,
      owner_id: t.ownerId,
      type: 11,
      name: t.name,
      last_message_id: null,
      rate_limit_per_user: 0,
      message_count: 0,
      member_count: 1,
      total_message_sent: 0,
      flags: 0,
      thread_metadata: {
        archived: false,
        auto_archive_duration: 10080,
        archive_timestamp: discordTimestamp(t.createdAt),
        locked: false,
        create_timestamp: discordTimestamp(t.createdAt),
      },
    })),
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}
