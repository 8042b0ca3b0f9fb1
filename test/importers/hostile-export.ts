// Writes hostile DiscordChatExport files for the importer's bound tests: each part is a string or a string repeated
// many times, streamed to disk in small blocks so that a file of tens of MB costs the test almost no memory.
import fs from 'node:fs';

export type ExportPart = string | { repeat: string; times: number };

/** Writes the parts one after another to `file`; returns the file's size in bytes. */
export function writeExportParts(file: string, parts: readonly ExportPart[]): number {
  const fd = fs.openSync(file, 'w');
  let size = 0;
  const write = (text: string): void => {
    size += fs.writeSync(fd, text);
  };
  try {
    for (const part of parts) {
      if (typeof part === 'string') {
        write(part);
        continue;
      }
      // About 64 KiB per write, whatever the unit's length.
      const perBlock = Math.max(1, Math.floor(65_536 / Math.max(1, part.repeat.length)));
      const block = part.repeat.repeat(perBlock);
      let left = part.times;
      for (; left >= perBlock; left -= perBlock) write(block);
      if (left > 0) write(part.repeat.repeat(left));
    }
  } finally {
    fs.closeSync(fd);
  }
  return size;
}

export const GUILD = '800000000000000001';

/** The header fields of a valid export, as JSON text without the braces (a channel the guild captures). */
export const HEADER_FIELDS = `"guild":{"id":"${GUILD}","name":"Clip Fans"},"channel":{"id":"810000000000000002","type":"GuildTextChat","name":"clips"},"exportedAt":"2024-06-01T12:00:00.000+00:00"`;

/** One valid message sharing the clip `slug`, as JSON text. */
export function clipMessage(id: string, slug: string, extraFields = ''): string {
  return `{"id":"${id}","type":"Default","timestamp":"2024-04-01T15:00:00.000+00:00","content":"https://clips.twitch.tv/${slug}","author":{"id":"900000000000000002","name":"bob","isBot":false}${extraFields}}`;
}
