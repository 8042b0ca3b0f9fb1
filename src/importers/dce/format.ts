// The DiscordChatExporter JSON format as Clipscope reads it: the guild and channel header before `messages`, and the
// fields of each exported message (content, embeds, reactions), validated with zod and located in the file on failure.
import { z } from 'zod';
import { ExportSyntaxError, parseJson } from '../export-scanner';

const snowflake = z.string().regex(/^\d{1,20}$/, 'a Discord id (digits)');
const isoTimestamp = z
  .string()
  .refine((v) => !Number.isNaN(Date.parse(v)), 'an ISO 8601 timestamp')
  .transform((v) => Date.parse(v));
const optionalUrl = z.string().nullish();

const headerSchema = z.object({
  guild: z.object({ id: z.string().regex(/^\d{1,20}$/), name: z.string() }, { error: 'a guild object with id and name' }),
  channel: z.object(
    {
      id: snowflake,
      type: z.string(),
      categoryId: z.string().nullish(),
      category: z.string().nullish(),
      name: z.string(),
    },
    { error: 'a channel object with id, type and name' },
  ),
  exportedAt: z.string().nullish(),
});

/** The fields Clipscope reads from one exported message; everything else in it is ignored. */
export const exportedMessageSchema = z.object({
  id: snowflake,
  type: z.string(),
  timestamp: isoTimestamp,
  timestampEdited: isoTimestamp.nullish(),
  content: z.string(),
  author: z.object({
    id: snowflake,
    name: z.string(),
    nickname: z.string().nullish(),
    isBot: z.boolean(),
  }),
  embeds: z
    .array(z.object({ url: optionalUrl, video: z.object({ url: optionalUrl }).nullish() }))
    .optional()
    .default([]),
  reactions: z
    .array(
      z.object({
        emoji: z.object({ id: z.string().nullish(), name: z.string().nullish() }),
        count: z.number().int().nonnegative(),
        users: z.array(z.object({ id: snowflake })).optional(),
      }),
    )
    .optional()
    .default([]),
});
export type ExportedMessage = z.infer<typeof exportedMessageSchema>;

/** The channel an export is of, as Clipscope files it: a thread under its parent channel. */
export interface ExportHeader {
  guildId: string;
  channelId: string;
  threadId: string | null;
  channelName: string;
  /** When the export was taken (epoch ms), or null if the file does not say. */
  exportedAt: number | null;
}

/**
 * Reads the fields before `messages` (at `arrayStart`): a server channel's export, of `wantedGuild` when given.
 * Throws ExportSyntaxError otherwise.
 */
export function readExportHeader(header: Record<string, unknown>, arrayStart: number, wantedGuild: string | undefined): ExportHeader {
  const parsed = headerSchema.safeParse(header);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'header';
    throw new ExportSyntaxError(
      `not a DiscordChatExporter JSON export: "${field}" before "messages" is missing or invalid (expected ${issue?.message ?? 'the guild and channel header'})`,
      arrayStart,
    );
  }
  const { guild, channel, exportedAt } = parsed.data;
  if (channel.type.startsWith('Direct') || guild.id === '0') {
    throw new ExportSyntaxError(
      `this is an export of direct messages ("${channel.name}"), not of a server channel: Clipscope imports server channels only`,
      arrayStart,
    );
  }
  if (wantedGuild !== undefined && wantedGuild !== guild.id) {
    throw new ExportSyntaxError(
      `this export belongs to guild ${guild.id} ("${guild.name}"), not ${wantedGuild}: leave out --guild or pass the right id`,
      arrayStart,
    );
  }
  // DCE calls a thread's parent channel its "category"; threads and forum posts count for their parent channel.
  const isThread = channel.type.includes('Thread');
  const parentId = channel.categoryId && /^\d{1,20}$/.test(channel.categoryId) ? channel.categoryId : null;
  const exportedAtMs = exportedAt ? Date.parse(exportedAt) : Number.NaN;
  return {
    guildId: guild.id,
    channelId: isThread && parentId ? parentId : channel.id,
    threadId: isThread ? channel.id : null,
    channelName: channel.name,
    exportedAt: Number.isNaN(exportedAtMs) ? null : exportedAtMs,
  };
}

/**
 * Decodes and validates one element of messages[] (its JSON text at byte `start`); `index` is its number in the file.
 * Throws ExportSyntaxError, located in the file, if it is not a valid message.
 */
export function parseExportedMessage(json: string, start: number, index: number): ExportedMessage {
  const raw = parseJson(json, start);
  const parsed = exportedMessageSchema.safeParse(raw);
  if (!parsed.success) throw new ExportSyntaxError(describeInvalidMessage(raw, parsed.error, index), start);
  return parsed.data;
}

function describeInvalidMessage(raw: unknown, error: z.ZodError, index: number): string {
  const id =
    raw && typeof raw === 'object' && typeof (raw as { id?: unknown }).id === 'string' ? ` (id ${(raw as { id: string }).id})` : '';
  const problems = error.issues.slice(0, 3).map((issue) => {
    const field = issue.path.join('.') || 'message';
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    return missing ? `"${field}" is missing` : `"${field}" is invalid (${issue.message})`;
  });
  return `message ${index.toLocaleString('en-US')}${id} is not a valid DiscordChatExporter message: ${problems.join('; ')}`;
}
