// Writes large DiscordChatExporter-shaped JSON exports for the streaming test and the import benchmark, without
// ever holding the file in memory: messages are formatted as DCE does (2-space indented) and written in blocks.
import fs from 'node:fs';

export interface GeneratedExport {
  file: string;
  bytes: number;
  messages: number;
  /** Messages carrying a clip link (and so shares, each message one). */
  clipMessages: number;
  /** Distinct clips among them. */
  distinctClips: number;
}

export interface GenerateOptions {
  guildId?: string;
  channelId?: string;
  /** Stop at this many messages … */
  messages?: number;
  /** … or once the file reaches this many bytes. */
  targetBytes?: number;
  /** One message in `clipEvery` carries a clip link (default 10). */
  clipEvery?: number;
}

const EPOCH = 1420070400000;

/** A snowflake for a time (ms) and a sequence number: increasing, as in a real export. */
function snowflake(ms: number, seq: number): string {
  return ((BigInt(ms - EPOCH) << 22n) | BigInt(seq & 0x3fffff)).toString();
}

function user(id: string, name: string, isBot: boolean, indent: string): string {
  return `{
${indent}  "id": "${id}",
${indent}  "name": "${name}",
${indent}  "discriminator": "0000",
${indent}  "nickname": "${name}",
${indent}  "color": null,
${indent}  "isBot": ${isBot},
${indent}  "roles": [],
${indent}  "avatarUrl": "https://cdn.discordapp.com/avatars/${id}/0123456789abcdef.png"
${indent}}`;
}

export function generateExport(file: string, options: GenerateOptions = {}): GeneratedExport {
  const guildId = options.guildId ?? '800000000000000001';
  const channelId = options.channelId ?? '810000000000000042';
  const maxMessages = options.messages ?? Number.POSITIVE_INFINITY;
  const targetBytes = options.targetBytes ?? Number.POSITIVE_INFINITY;
  const clipEvery = options.clipEvery ?? 10;
  const fd = fs.openSync(file, 'w');
  let bytes = 0;
  const write = (text: string): void => {
    const buffer = Buffer.from(text, 'utf8');
    fs.writeSync(fd, buffer);
    bytes += buffer.length;
  };
  write(`{
  "guild": {
    "id": "${guildId}",
    "name": "Generated Guild",
    "iconUrl": "https://cdn.discordapp.com/icons/${guildId}/icon.png"
  },
  "channel": {
    "id": "${channelId}",
    "type": "GuildTextChat",
    "categoryId": "805000000000000001",
    "category": "Text Channels",
    "name": "general",
    "topic": null
  },
  "dateRange": {
    "after": null,
    "before": null
  },
  "exportedAt": "2025-01-01T00:00:00.000+00:00",
  "messages": [`);
  const start = Date.UTC(2021, 0, 1);
  let count = 0;
  let clipMessages = 0;
  const clips = new Set<string>();
  let block: string[] = [];
  while (count < maxMessages && bytes < targetBytes) {
    const at = start + count * 37_000;
    const id = snowflake(at, count);
    const authorN = count % 500;
    const authorId = (900000000000000000n + BigInt(authorN)).toString();
    const isClip = count % clipEvery === 0;
    // Clips repeat: a popular clip is posted several times.
    const slug = `GeneratedClip${count % 7 === 0 ? count % 1000 : count}Kappa-${(count * 2654435761) % 100000}`;
    let content = `message number ${count}: \\"quoted\\" text with unicode ✨ and an escape \\\\ and a link-free sentence`;
    let reactions = '';
    if (isClip) {
      clipMessages++;
      clips.add(slug);
      content = `check this out https://clips.twitch.tv/${slug} 😂`;
      const reactor = (900000000000000000n + BigInt((authorN + 1) % 500)).toString();
      reactions = `
        {
          "emoji": {
            "id": "",
            "name": "😂",
            "code": "joy",
            "isAnimated": false,
            "imageUrl": "https://cdn.jsdelivr.net/gh/twitter/twemoji@latest/assets/svg/1f602.svg"
          },
          "count": 2,
          "users": [
            ${user(reactor, `user${(authorN + 1) % 500}`, false, '            ')}
          ]
        },
        {
          "emoji": {
            "id": "920000000000000001",
            "name": "PogChamp",
            "code": "PogChamp",
            "isAnimated": false,
            "imageUrl": "https://cdn.discordapp.com/emojis/920000000000000001.png"
          },
          "count": 3
        }
      `;
    }
    const iso = new Date(at).toISOString().replace('Z', '+00:00');
    block.push(`${count === 0 ? '' : ','}
    {
      "id": "${id}",
      "type": "Default",
      "timestamp": "${iso}",
      "timestampEdited": ${count % 50 === 0 ? `"${new Date(at + 60_000).toISOString().replace('Z', '+00:00')}"` : 'null'},
      "callEndedTimestamp": null,
      "isPinned": false,
      "content": "${content}",
      "author": ${user(authorId, `user${authorN}`, count % 97 === 0, '      ')},
      "attachments": [],
      "embeds": [],
      "stickers": [],
      "reactions": [${reactions}],
      "mentions": [],
      "inlineEmojis": []
    }`);
    count++;
    if (block.length >= 1000) {
      write(block.join(''));
      block = [];
    }
  }
  if (block.length > 0) write(block.join(''));
  write(`
  ],
  "messageCount": ${count}
}`);
  fs.closeSync(fd);
  // Bot-authored clip messages (every 97th message) are not counted by default; report them separately.
  return { file, bytes, messages: count, clipMessages, distinctClips: clips.size };
}

/** Clip messages whose author is not a bot (the shares an import with default settings records). */
export function humanClipMessages(messages: number, clipEvery = 10): number {
  let n = 0;
  for (let i = 0; i < messages; i += clipEvery) if (i % 97 !== 0) n++;
  return n;
}
