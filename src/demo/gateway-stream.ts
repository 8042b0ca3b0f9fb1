// The synthetic community as a stream of Discord gateway dispatches, for the capture benchmark's fake gateway:
// GUILD_CREATE for each guild, then its messages in time order, each followed by its reactions, edit and deletion.
import {
  buildGuild,
  createGuildContext,
  resolveCommunity,
  SnowflakeMaker,
  type CommunityOptions,
  type GuildModel,
  type MessageModel,
} from './community';
import { apiEmoji, apiGuild, apiMember, apiMessage } from './discord-shapes';
import { Rng } from './random';
import { CHATTER } from './words';

export type DispatchName = 'GUILD_CREATE' | 'MESSAGE_CREATE' | 'MESSAGE_UPDATE' | 'MESSAGE_DELETE' | 'MESSAGE_REACTION_ADD';

/** A gateway payload with opcode 0 (dispatch), as it goes over the websocket. */
export interface GatewayDispatch {
  op: 0;
  s: number;
  t: DispatchName;
  d: Record<string, unknown>;
}

export interface GatewayStreamOptions extends CommunityOptions {
  /** Average messages without a clip link per clip message (real channels are mostly chat). Default 0. */
  chatterPerShare?: number;
  /** Only these guild indexes (0 = largest). */
  onlyGuilds?: readonly number[];
  /** First sequence number (default 1). */
  firstSequence?: number;
}

/** Every dispatch of the community, lazily: memory holds one guild's model at a time. */
export function* gatewayDispatches(options: GatewayStreamOptions): Generator<GatewayDispatch> {
  const resolved = resolveCommunity(options);
  const context = createGuildContext(resolved);
  const indexes = options.onlyGuilds ?? resolved.guildSizes.map((_, i) => i);
  let s = options.firstSequence ?? 1;
  for (const index of indexes) {
    const guild = buildGuild(context, index);
    yield { op: 0, s: s++, t: 'GUILD_CREATE', d: apiGuild(guild) };
    for (const d of guildDispatches(guild, resolved.seed, options.chatterPerShare ?? 0)) {
      yield { op: 0, s: s++, t: d.t, d: d.d };
    }
  }
}

function* guildDispatches(
  guild: GuildModel,
  seed: number,
  chatterPerShare: number,
): Generator<{ t: DispatchName; d: Record<string, unknown> }> {
  const rng = new Rng(seed, 500_000 + guild.index);
  const chatterIds = new SnowflakeMaker(guild.index, 1);
  let previousAt = guild.createdAt;
  for (const message of guild.messages) {
    // Chat between clip messages, spread over the time since the previous one.
    const chatter = chatterPerShare > 0 ? Math.floor(rng.next() * 2 * chatterPerShare + 0.5) : 0;
    for (let k = 0; k < chatter; k++) {
      const at = previousAt + Math.floor(((k + 1) / (chatter + 1)) * (message.postedAt - previousAt));
      const channel = guild.channels[rng.int(guild.channels.length)];
      if (!channel) break;
      const chat: Pick<MessageModel, 'id' | 'channelId' | 'threadId' | 'author' | 'postedAt'> = {
        id: chatterIds.at(at),
        channelId: channel.id,
        threadId: null,
        author: rng.int(guild.members.length - 2),
        postedAt: at,
      };
      yield { t: 'MESSAGE_CREATE', d: apiMessage(guild, chat, rng.pick(CHATTER), null) };
    }
    previousAt = message.postedAt;
    yield* messageDispatches(guild, message);
  }
}

/** MESSAGE_CREATE, then reactions, the edit and the deletion in the order they happened. */
export function* messageDispatches(guild: GuildModel, message: MessageModel): Generator<{ t: DispatchName; d: Record<string, unknown> }> {
  yield { t: 'MESSAGE_CREATE', d: apiMessage(guild, message, message.content, null) };
  const author = guild.members[message.author];
  let editDone = message.edit === null;
  for (const reaction of message.reactions) {
    if (!editDone && message.edit && message.edit.at <= reaction.at) {
      yield { t: 'MESSAGE_UPDATE', d: apiMessage(guild, message, message.edit.content, message.edit.at) };
      editDone = true;
    }
    const user = guild.members[reaction.user];
    const emoji = guild.emojis[reaction.emoji];
    if (!user || !emoji) throw new Error(`reaction on ${message.id} refers to an unknown member or emoji`);
    yield {
      t: 'MESSAGE_REACTION_ADD',
      d: {
        user_id: user.id,
        channel_id: message.threadId ?? message.channelId,
        message_id: message.id,
        guild_id: guild.id,
        member: apiMember(guild, user, true),
        emoji: apiEmoji(emoji),
        message_author_id: author?.id,
        burst: false,
        burst_colors: [],
        type: 0,
      },
    };
  }
  if (!editDone && message.edit) {
    yield { t: 'MESSAGE_UPDATE', d: apiMessage(guild, message, message.edit.content, message.edit.at) };
  }
  if (message.deletedAt !== null) {
    yield { t: 'MESSAGE_DELETE', d: { id: message.id, channel_id: message.threadId ?? message.channelId, guild_id: guild.id } };
  }
}
