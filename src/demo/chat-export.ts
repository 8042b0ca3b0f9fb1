// Writes the synthetic community as DiscordChatExporter JSON exports (one file per channel and thread), streamed
// to disk so even a multi-gigabyte export needs little memory: the importer benchmark's input.
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import {
  buildGuild,
  createGuildContext,
  resolveCommunity,
  SnowflakeMaker,
  type ClipModel,
  type CommunityOptions,
  type EmojiModel,
  type GuildModel,
  type MessageModel,
  type Person,
} from './community';
import { Rng } from './random';
import { CHATTER } from './words';

export interface ChatExportOptions extends CommunityOptions {
  /** Folder to write into (created if missing). */
  dir: string;
  /** Average messages without a clip link per clip message. Default 0. */
  chatterPerShare?: number;
  onlyGuilds?: readonly number[];
  /** The export's exportedAt (default: the end of the window). */
  exportedAt?: number;
}

export interface ChatExportFile {
  path: string;
  guildId: string;
  channelId: string;
  messages: number;
  /** Messages that linked a clip when posted (and were not deleted). */
  clipMessages: number;
  bytes: number;
}

export interface ChatExportSummary {
  files: ChatExportFile[];
  messages: number;
  bytes: number;
}

const EMOJI_CODES: Record<string, string> = {
  '😂': 'joy',
  '🔥': 'fire',
  '💀': 'skull',
  '😭': 'sob',
  '👀': 'eyes',
  '❤️': 'heart',
  '👍': 'thumbsup',
  '🤣': 'rofl',
  '😮': 'open_mouth',
  '🐐': 'goat',
  '💯': '100',
  '👏🏽': 'clap_tone3',
};

/** Writes every channel and thread of the chosen guilds; deleted messages are absent, edits show their last text. */
export async function writeChatExports(options: ChatExportOptions): Promise<ChatExportSummary> {
  const resolved = resolveCommunity(options);
  const context = createGuildContext(resolved);
  const exportedAt = options.exportedAt ?? resolved.endAt;
  fs.mkdirSync(options.dir, { recursive: true });
  const summary: ChatExportSummary = { files: [], messages: 0, bytes: 0 };
  for (const index of options.onlyGuilds ?? resolved.guildSizes.map((_, i) => i)) {
    const guild = buildGuild(context, index);
    const rng = new Rng(resolved.seed, 700_000 + index);
    const chatterIds = new SnowflakeMaker(index, 2);
    const places = [
      ...guild.channels.map((c) => ({
        id: c.id,
        name: c.name,
        thread: false,
        parentId: null as string | null,
        parentName: null as string | null,
      })),
      ...guild.threads.map((t) => ({
        id: t.id,
        name: t.name,
        thread: true,
        parentId: t.parentId,
        parentName: guild.channels.find((c) => c.id === t.parentId)?.name ?? null,
      })),
    ];
    for (const place of places) {
      const messages = guild.messages.filter((m) =>
        place.thread ? m.threadId === place.id : m.threadId === null && m.channelId === place.id,
      );
      const file = path.join(
        options.dir,
        `${safeName(guild.name)} - ${safeName(place.parentName ?? 'Text Channels')} - ${safeName(place.name)} [${place.id}].json`,
      );
      const written = await writeChannelFile(file, guild, place, messages, exportedAt, options.chatterPerShare ?? 0, rng, chatterIds);
      summary.files.push({ path: file, guildId: guild.id, channelId: place.id, ...written });
      summary.messages += written.messages;
      summary.bytes += written.bytes;
    }
  }
  return summary;
}

async function writeChannelFile(
  file: string,
  guild: GuildModel,
  place: { id: string; name: string; thread: boolean; parentId: string | null; parentName: string | null },
  messages: MessageModel[],
  exportedAt: number,
  chatterPerShare: number,
  rng: Rng,
  chatterIds: SnowflakeMaker,
): Promise<{ messages: number; clipMessages: number; bytes: number }> {
  const out = fs.createWriteStream(file, { encoding: 'utf8' });
  let bytes = 0;
  const write = async (text: string): Promise<void> => {
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  const header = {
    guild: { id: guild.id, name: guild.name, iconUrl: 'https://cdn.discordapp.com/embed/avatars/0.png' },
    channel: {
      id: place.id,
      type: place.thread ? 'GuildPublicThread' : 'GuildTextChat',
      categoryId: place.parentId ?? '0',
      category: place.parentName ?? 'Text Channels',
      name: place.name,
      topic: null,
    },
    dateRange: { after: null, before: null },
    exportedAt: dceTimestamp(exportedAt),
  };
  const headerJson = JSON.stringify(header, null, 2);
  await write(`${headerJson.slice(0, -2)},\n  "messages": [\n`);
  let count = 0;
  let clipMessages = 0;
  let previousAt = place.thread ? (guild.threads.find((t) => t.id === place.id)?.createdAt ?? guild.createdAt) : guild.createdAt;
  const emit = async (message: Record<string, unknown>): Promise<void> => {
    await write(`${count === 0 ? '' : ',\n'}    ${JSON.stringify(message)}`);
    count++;
  };
  for (const message of messages) {
    const chatter = chatterPerShare > 0 ? Math.floor(rng.next() * 2 * chatterPerShare + 0.5) : 0;
    for (let k = 0; k < chatter; k++) {
      const at = previousAt + Math.floor(((k + 1) / (chatter + 1)) * (message.postedAt - previousAt));
      const author = guild.members[rng.int(guild.members.length - 2)] as Person;
      await emit(exportMessage(chatterIds.at(at), at, null, rng.pick(CHATTER), author, [], []));
    }
    previousAt = message.postedAt;
    if (message.deletedAt !== null) continue;
    const author = guild.members[message.author] as Person;
    const content = message.edit?.content ?? message.content;
    const clips = message.clips.map((c) => guild.clips[c] as ClipModel).filter((c) => content.includes(c.clipId));
    await emit(exportMessage(message.id, message.postedAt, message.edit?.at ?? null, content, author, clips, reactionsOf(guild, message)));
    clipMessages++;
  }
  await write(`\n  ],\n  "messageCount": ${count}\n}\n`);
  out.end();
  await once(out, 'finish');
  return { messages: count, clipMessages, bytes };
}

function exportMessage(
  id: string,
  at: number,
  editedAt: number | null,
  content: string,
  author: Person,
  clips: ClipModel[],
  reactions: unknown[],
): Record<string, unknown> {
  return {
    id,
    type: 'Default',
    timestamp: dceTimestamp(at),
    timestampEdited: editedAt === null ? null : dceTimestamp(editedAt),
    callEndedTimestamp: null,
    isPinned: false,
    content,
    author: exportUser(author),
    attachments: [],
    // Discord's link previews of the clips.
    embeds: clips.map((clip) => ({
      title: clip.title,
      url: clip.url,
      timestamp: null,
      description: `Watch ${clip.broadcaster.name}'s clip titled "${clip.title}"`,
      color: '#6441A5',
      thumbnail: { url: clip.thumbnailUrl, width: 480, height: 272 },
      images: [],
      fields: [],
      inlineEmojis: [],
    })),
    stickers: [],
    reactions,
    mentions: [],
    inlineEmojis: [],
  };
}

function exportUser(person: Person): Record<string, unknown> {
  return {
    id: person.id,
    name: person.login,
    discriminator: '0000',
    nickname: person.name,
    color: null,
    isBot: person.isBot,
    roles: [],
    avatarUrl: 'https://cdn.discordapp.com/embed/avatars/0.png',
  };
}

function reactionsOf(guild: GuildModel, message: MessageModel): unknown[] {
  const byEmoji = new Map<number, Person[]>();
  for (const reaction of message.reactions) {
    const users = byEmoji.get(reaction.emoji) ?? [];
    users.push(guild.members[reaction.user] as Person);
    byEmoji.set(reaction.emoji, users);
  }
  return [...byEmoji].map(([emojiIndex, users]) => {
    const emoji = guild.emojis[emojiIndex] as EmojiModel;
    return { emoji: exportEmoji(emoji), count: users.length, users: users.map(exportUser) };
  });
}

function exportEmoji(emoji: EmojiModel): Record<string, unknown> {
  if (emoji.id) {
    return {
      id: emoji.id,
      name: emoji.name,
      code: emoji.name,
      isAnimated: emoji.animated,
      imageUrl: `https://cdn.discordapp.com/emojis/${emoji.id}.${emoji.animated ? 'gif' : 'png'}`,
    };
  }
  const codepoints = [...emoji.name]
    .map((c) => c.codePointAt(0)?.toString(16))
    .filter((c) => c !== 'fe0f')
    .join('-');
  return {
    id: '',
    name: emoji.name,
    code: EMOJI_CODES[emoji.name] ?? emoji.name,
    isAnimated: false,
    imageUrl: `https://cdn.jsdelivr.net/gh/twitter/twemoji@latest/assets/svg/${codepoints}.svg`,
  };
}

/** DiscordChatExporter's timestamps: ISO 8601 with an offset. */
function dceTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

function safeName(name: string): string {
  return name.replace(/[\\/:*?"<>|]/g, '_');
}
