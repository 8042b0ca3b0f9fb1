// Builders for realistic Discord API v10 payloads (gateway dispatches and REST bodies), snowflakes as strings.
// Field names and shapes follow the Discord API documentation; only what a bot can rely on is filled in.

export const DISCORD_EPOCH = 1_420_070_400_000;

export const ChannelTypes = {
  GuildText: 0,
  DM: 1,
  GuildAnnouncement: 5,
  AnnouncementThread: 10,
  PublicThread: 11,
  PrivateThread: 12,
  GuildForum: 15,
} as const;

let increment = 0;

/** A fresh snowflake whose creation time is `at` (epoch ms, default now); unique within the process. */
export function snowflake(at: number = Date.now()): string {
  increment = (increment + 1) % 4096;
  return ((BigInt(at - DISCORD_EPOCH) << 22n) | BigInt(increment)).toString();
}

/** The creation time encoded in a snowflake, epoch ms. */
export function snowflakeTime(id: string): number {
  return Number(BigInt(id) >> 22n) + DISCORD_EPOCH;
}

export interface ApiUser {
  id: string;
  username: string;
  discriminator: string;
  global_name: string | null;
  avatar: string | null;
  bot?: boolean;
  [key: string]: unknown;
}

export function user(fields: Partial<ApiUser> & { id?: string } = {}): ApiUser {
  const id = fields.id ?? snowflake();
  return { username: `user${id.slice(-4)}`, discriminator: '0', global_name: null, avatar: null, ...fields, id };
}

export interface ApiMember {
  user: ApiUser;
  nick: string | null;
  roles: string[];
  joined_at: string;
  deaf: boolean;
  mute: boolean;
  flags: number;
  [key: string]: unknown;
}

export function member(of: ApiUser, fields: Partial<Omit<ApiMember, 'user'>> = {}): ApiMember {
  return { nick: null, roles: [], joined_at: '2024-01-01T00:00:00.000Z', deaf: false, mute: false, flags: 0, ...fields, user: of };
}

export interface ApiChannel {
  id: string;
  type: number;
  guild_id?: string;
  name?: string;
  parent_id?: string | null;
  [key: string]: unknown;
}

export function textChannel(fields: Partial<ApiChannel> & { guild_id: string }): ApiChannel {
  const id = fields.id ?? snowflake();
  return {
    type: ChannelTypes.GuildText,
    name: `channel-${id.slice(-4)}`,
    position: 0,
    parent_id: null,
    permission_overwrites: [],
    nsfw: false,
    topic: null,
    last_message_id: null,
    rate_limit_per_user: 0,
    ...fields,
    id,
  };
}

export function forumChannel(fields: Partial<ApiChannel> & { guild_id: string }): ApiChannel {
  return textChannel({
    available_tags: [],
    default_reaction_emoji: null,
    default_sort_order: null,
    default_forum_layout: 0,
    ...fields,
    type: ChannelTypes.GuildForum,
  });
}

/** A thread (public by default), or a forum post when its parent is a forum channel. */
export function threadChannel(fields: Partial<ApiChannel> & { guild_id: string; parent_id: string }): ApiChannel {
  const id = fields.id ?? snowflake();
  return {
    type: ChannelTypes.PublicThread,
    name: `thread-${id.slice(-4)}`,
    owner_id: snowflake(),
    last_message_id: null,
    message_count: 0,
    member_count: 1,
    rate_limit_per_user: 0,
    total_message_sent: 0,
    thread_metadata: {
      archived: false,
      auto_archive_duration: 1440,
      archive_timestamp: new Date().toISOString(),
      locked: false,
    },
    ...fields,
    id,
  };
}

export interface ApiRole {
  id: string;
  name: string;
  permissions: string;
  [key: string]: unknown;
}

/** VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY | EMBED_LINKS | ATTACH_FILES | ADD_REACTIONS */
export const BOT_PERMISSIONS = ((1n << 10n) | (1n << 11n) | (1n << 16n) | (1n << 14n) | (1n << 15n) | (1n << 6n)).toString();

export function role(fields: Partial<ApiRole> & { id: string }): ApiRole {
  return {
    name: '@everyone',
    permissions: BOT_PERMISSIONS,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: 0,
    managed: false,
    mentionable: false,
    flags: 0,
    ...fields,
  };
}

export interface FakeGuild {
  id: string;
  name: string;
  ownerId?: string;
  channels?: ApiChannel[];
  threads?: ApiChannel[];
  roles?: ApiRole[];
  members?: ApiMember[];
  /** The roles the bot's own member has in this guild (its permissions and highest role come from them). */
  botRoles?: string[];
}

/** The GUILD_CREATE dispatch body of a guild (the bot's own member is added by the fake). */
export function guildCreate(guild: FakeGuild, botMember?: ApiMember): Record<string, unknown> {
  const members = [...(guild.members ?? [])];
  if (botMember && !members.some((m) => m.user.id === botMember.user.id)) members.push(botMember);
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: guild.ownerId ?? members[0]?.user.id ?? snowflake(),
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: guild.roles ?? [role({ id: guild.id })],
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: 'en-US',
    public_updates_channel_id: null,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    joined_at: '2024-01-01T00:00:00.000Z',
    large: false,
    unavailable: false,
    member_count: members.length,
    voice_states: [],
    members,
    channels: (guild.channels ?? []).map(({ guild_id: _ignored, ...c }) => c),
    threads: guild.threads ?? [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

export interface ApiEmoji {
  id: string | null;
  name: string | null;
  animated?: boolean;
}

export interface ApiMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  author: ApiUser;
  content: string;
  timestamp: string;
  edited_timestamp: string | null;
  [key: string]: unknown;
}

/** A MESSAGE_CREATE body (or a REST message object when guild_id/member are left out). */
export function message(fields: Partial<ApiMessage> & { channel_id: string; author: ApiUser; member?: Partial<ApiMember> }): ApiMessage {
  const id = fields.id ?? snowflake();
  return {
    type: 0,
    content: '',
    timestamp: new Date(snowflakeTime(id)).toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    flags: 0,
    components: [],
    ...fields,
    id,
  };
}

/** An embed as Discord generates it for a clip link. */
export function clipEmbed(url: string, title = 'A clip'): Record<string, unknown> {
  return { type: 'video', url, title, provider: { name: 'Twitch' } };
}

/** A MESSAGE_UPDATE body carrying only some fields (Discord may send just id, channel and what changed). */
export function messageUpdate(
  fields: { id: string; channel_id: string; guild_id?: string } & Record<string, unknown>,
): Record<string, unknown> {
  return { edited_timestamp: new Date().toISOString(), ...fields };
}

export function messageDelete(fields: { id: string; channel_id: string; guild_id?: string }): Record<string, unknown> {
  return { ...fields };
}

export function messageDeleteBulk(fields: { ids: string[]; channel_id: string; guild_id?: string }): Record<string, unknown> {
  return { ...fields };
}

export interface ReactionTarget {
  channel_id: string;
  message_id: string;
  guild_id?: string;
}

export function reactionAdd(
  fields: ReactionTarget & { user_id: string; emoji: ApiEmoji; member?: ApiMember; message_author_id?: string },
): Record<string, unknown> {
  return { burst: false, type: 0, burst_colors: [], ...fields };
}

export function reactionRemove(fields: ReactionTarget & { user_id: string; emoji: ApiEmoji }): Record<string, unknown> {
  return { burst: false, type: 0, ...fields };
}

export function reactionRemoveAll(fields: ReactionTarget): Record<string, unknown> {
  return { ...fields };
}

export function reactionRemoveEmoji(fields: ReactionTarget & { emoji: ApiEmoji }): Record<string, unknown> {
  return { ...fields };
}

/** The `reactions` array of a REST message object. */
export function messageReactions(counts: { emoji: ApiEmoji; count: number; me?: boolean }[]): Record<string, unknown>[] {
  return counts.map(({ emoji, count, me }) => ({
    emoji,
    count,
    count_details: { burst: 0, normal: count },
    me: me ?? false,
    me_burst: false,
    burst_colors: [],
  }));
}

/** A THREAD_CREATE body for a thread started in `parent`. */
export function threadCreate(thread: ApiChannel, newlyCreated = true): Record<string, unknown> {
  return { ...thread, newly_created: newlyCreated };
}
