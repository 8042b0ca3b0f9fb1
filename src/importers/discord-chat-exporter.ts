// Imports DiscordChatExporter JSON exports: streams each file, validates every message, and records its clip
// shares and reactions through the same storage functions as live capture (source 'import'). Batches are
// committed together with the file's progress in import_runs, so an interrupted import resumes where it stopped
// and importing the same or an overlapping export again changes nothing that is already right.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { clipLinksOf, type MessageSnapshot } from '../capture/record-share';
import { canonicalClipUrl } from '../capture/clip-url';
import { emojiKey } from '../capture/record-reaction';
import type { Clock } from '../clock';
import type { Db } from '../db/database';
import { readGuildSettings } from '../db/guild-settings';
import { databaseFile, describeStorageProblem } from '../db/storage-errors';
import { ExportScanner, ExportSyntaxError, parseJson } from './export-scanner';
import { openImportSession, readImportRun, type ImportSession } from '../db/stores/imports';
import { ClipscopeError } from '../errors';

export interface ImportDeps {
  db: Db;
  clock: Clock;
}

export interface ImportOptions {
  /** Only import exports of this guild; a file of another guild is an error (guilds' data never mix). */
  guildId?: string;
  /** Read files again even when an earlier run completed them. */
  force?: boolean;
  /** Messages per transaction at most (default 1,000); each chunk read also ends one. */
  batchSize?: number;
  /** Bytes per read (default 1 MiB). */
  chunkSize?: number;
  /** Stops between chunks, everything read so far committed; the file's next import continues from there. */
  signal?: AbortSignal;
  /** Called after every chunk with the file's bytes read so far and the messages read in this run. */
  onProgress?: (progress: { file: string; bytesRead: number; fileSize: number; messagesRead: number }) => void;
}

export interface FileImportResult {
  file: string;
  /** 'stopped': interrupted through the signal; importing the file again continues where it stopped. */
  status: 'imported' | 'skipped' | 'stopped';
  /** Why the file was skipped: a completed earlier run, or a channel the guild does not capture. */
  skipped?: 'already_imported' | 'not_captured';
  /** The same, in words. */
  reason?: string;
  guildId: string | null;
  channelId: string | null;
  channelName: string | null;
  fileSize: number;
  /** Messages read in this run (a resumed run starts after the ones already imported). */
  messagesRead: number;
  /** Where a resumed run started, in messages already imported earlier. */
  resumedAfter: number;
  sharesAdded: number;
  clipsAdded: number;
}

/** A file that cannot be imported: the message names the file and the line and byte where the problem is. */
export class ImportError extends ClipscopeError {
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly byteOffset: number | null,
    readonly line: number | null,
    /** Messages of this file committed before the problem (they are kept). */
    readonly messagesKept: number,
  ) {
    super(
      'import',
      `${file}${line !== null ? `:${line}` : ''}: ${reason}${byteOffset !== null ? ` (byte ${byteOffset.toLocaleString('en-US')})` : ''}`,
      { userFacing: true, detail: { file, byteOffset, line, messagesKept } },
    );
  }
}

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

/** The .json files under the given paths (folders searched recursively), each once, in a stable order. */
export function listExportFiles(paths: readonly string[]): string[] {
  const found = new Set<string>();
  const visit = (p: string, explicit: boolean): void => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      throw new ImportError(p, 'no such file or folder', null, null, 0);
    }
    if (stat.isDirectory()) {
      const entries = fs.readdirSync(p, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
      for (const entry of entries) {
        const child = path.join(p, entry.name);
        if (entry.isDirectory()) visit(child, false);
        else if (entry.isFile() && entry.name.toLowerCase().endsWith('.json')) visit(child, false);
      }
    } else if (stat.isFile()) {
      if (explicit || p.toLowerCase().endsWith('.json')) found.add(path.resolve(p));
    }
  };
  for (const p of paths) visit(p, true);
  return [...found];
}

/** SQLite page cache during an import, in KiB. */
const IMPORT_CACHE_KIB = 16 * 1024;

interface ChannelContext {
  guildId: string;
  channelId: string;
  threadId: string | null;
  channelName: string;
  /** When the export was taken (epoch ms), or null if the file does not say. */
  exportedAt: number | null;
  includeBots: boolean;
  /** Set when the guild captures only some channels and this is not one of them: the file is skipped. */
  notCaptured: boolean;
}

/** Ends the reading of a file that is skipped on purpose (not an error). */
class SkipFile extends Error {}

/** Imports one export file. Throws ImportError (after committing every valid message before the problem). */
export async function importExportFile(deps: ImportDeps, file: string, options: ImportOptions = {}): Promise<FileImportResult> {
  const { clock } = deps;
  const db = deps.db;
  const absolute = path.resolve(file);
  const batchSize = options.batchSize ?? 1000;
  const chunkSize = options.chunkSize ?? 1024 * 1024;
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(absolute, 'r');
  } catch (error) {
    throw new ImportError(file, `cannot open: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, null, null, 0);
  }
  const fileSize = (await handle.stat()).size;
  const previous = await readImportRun(db, absolute);
  // A file of another size at the same path is a new export: start over (the writes are idempotent anyway).
  const sameFile = previous !== undefined && previous.file_size === fileSize;

  const result: FileImportResult = {
    file,
    status: 'imported',
    guildId: null,
    channelId: null,
    channelName: null,
    fileSize,
    messagesRead: 0,
    resumedAfter: 0,
    sharesAdded: 0,
    clipsAdded: 0,
  };

  if (sameFile && previous.completed_at !== null && !options.force) {
    await handle.close();
    return {
      ...result,
      status: 'skipped',
      skipped: 'already_imported',
      reason: 'already imported (use --force to read it again)',
      guildId: previous.guild_id,
      channelId: previous.channel_id,
      messagesRead: 0,
      resumedAfter: previous.messages_imported,
    };
  }

  let ctx: ChannelContext | null = null;
  // Progress as committed (or about to be, in the open transaction): totals over every run of this file.
  let recordedMessages = 0;
  let recordedOffset = 0;
  // Messages of this run actually committed (recordedMessages also counts the open transaction's).
  let committedThisRun = 0;
  let lastMessageId: string | null = null;
  let clipsBefore = 0;
  const session = openImportSession(db);
  const writer = createBatchWriter(session);

  // Messages are recorded the moment they are parsed (so none outlives the young generation of the heap) inside a
  // transaction that is committed, with the file's progress, every batchSize messages and at the end of each chunk.
  // Transactions never span an await: other code sharing the connection never finds one open.
  // Each transaction is a capture batch, as live capture's: clip counters, dirty hours and the engagement journal
  // are written once per touched clip, hour and message at its commit instead of after every message and reaction
  // (per write, the journal read each clip message's engagement four times and the counters were recomputed thrice).
  let messagesInTx = 0;
  const begin = (): void => {
    session.begin();
    messagesInTx = 0;
  };
  const commit = (completed: boolean): void => {
    if (!ctx) return;
    if (!session.inTransaction) begin();
    const now = clock.now();
    session.commit({
      filePath: absolute,
      guildId: ctx.guildId,
      channelId: ctx.threadId ?? ctx.channelId,
      fileSize,
      messagesImported: recordedMessages,
      lastMessageId,
      completedAt: completed ? now : null,
      byteOffset: recordedOffset,
      now,
    });
    committedThisRun = recordedMessages - result.resumedAfter;
  };
  const rollback = (): void => session.rollback();

  const scanner = new ExportScanner({
    onHeader(header, arrayStart) {
      ctx = channelContext(db, header, arrayStart, options.guildId);
      result.guildId = ctx.guildId;
      result.channelId = ctx.threadId ?? ctx.channelId;
      result.channelName = ctx.channelName;
      if (ctx.notCaptured) throw new SkipFile(`#${ctx.channelName} is not one of the guild's capture channels`);
      clipsBefore = session.countClips(ctx.guildId);
      recordedOffset = arrayStart;
      const resumable =
        sameFile &&
        previous.completed_at === null &&
        previous.byte_offset > arrayStart &&
        previous.guild_id === ctx.guildId &&
        previous.channel_id === (ctx.threadId ?? ctx.channelId);
      if (resumable) {
        recordedMessages = previous.messages_imported;
        recordedOffset = previous.byte_offset;
        lastMessageId = previous.last_message_id;
        result.resumedAfter = previous.messages_imported;
        scanner.seekAfterMessage(previous.byte_offset, previous.messages_imported);
      }
    },
    onMessage(json, start, end) {
      const raw = parseJson(json, start);
      const parsed = exportedMessageSchema.safeParse(raw);
      if (!parsed.success) {
        throw new ExportSyntaxError(describeInvalidMessage(raw, parsed.error, scanner.messagesScanned), start);
      }
      if (!session.inTransaction) begin();
      result.sharesAdded += writer.record(ctx as ChannelContext, parsed.data, clock.now());
      result.messagesRead++;
      recordedMessages++;
      recordedOffset = end;
      lastMessageId = parsed.data.id;
      if (++messagesInTx >= batchSize) commit(false);
    },
  });

  // Imports write in message order and touch each page about once: SQLite's default 64 MB page cache would only
  // add RSS (it was a third of the peak), so the import runs with 16 MB and gives the connection its cache back.
  const restoreCache = session.useCacheKib(IMPORT_CACHE_KIB);
  const buffer = Buffer.allocUnsafe(chunkSize);
  let position = 0;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, chunkSize, position);
      if (bytesRead === 0) break;
      try {
        position = scanner.push(buffer.subarray(0, bytesRead), position);
      } catch (error) {
        // Bad input: keep every valid message before it. Anything else (a database error): undo the open batch.
        if (error instanceof ExportSyntaxError && session.inTransaction) commit(false);
        throw error;
      }
      if (session.inTransaction) commit(false);
      options.onProgress?.({ file, bytesRead: position, fileSize, messagesRead: result.messagesRead });
      if (options.signal?.aborted) {
        await handle.close();
        return { ...result, status: 'stopped' };
      }
    }
    scanner.end(fileSize);
    commit(true);
  } catch (error) {
    rollback();
    await handle.close();
    if (error instanceof SkipFile) return { ...result, status: 'skipped', skipped: 'not_captured', reason: error.message };
    if (error instanceof ExportSyntaxError) {
      const line = await lineAt(absolute, error.byteOffset);
      throw new ImportError(file, error.message, error.byteOffset, line, recordedMessages - result.resumedAfter);
    }
    // Disk full or a busy database: name it and the database file; the batches committed before are kept and the
    // next run of the same import continues after them.
    const storageProblem = describeStorageProblem(error, databaseFile(db));
    if (storageProblem) {
      const kept = committedThisRun;
      throw new ImportError(file, `${storageProblem}; ${kept} messages of this run were kept, import again to continue`, null, null, kept);
    }
    throw error;
  } finally {
    restoreCache();
  }
  await handle.close();
  if (ctx) result.clipsAdded = session.countClips((ctx as ChannelContext).guildId) - clipsBefore;
  return result;
}

function channelContext(db: Db, header: Record<string, unknown>, arrayStart: number, wantedGuild: string | undefined): ChannelContext {
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
  const settings = readGuildSettings(db, guild.id);
  return {
    guildId: guild.id,
    channelId: isThread && parentId ? parentId : channel.id,
    threadId: isThread ? channel.id : null,
    channelName: channel.name,
    exportedAt: Number.isNaN(exportedAtMs) ? null : exportedAtMs,
    includeBots: settings.includeBots,
    // As live capture: when the guild lists capture channels, only those (a thread by its parent) count.
    notCaptured:
      settings.captureChannelIds.length > 0 &&
      !settings.captureChannelIds.includes(isThread && parentId ? parentId : channel.id) &&
      !settings.captureChannelIds.includes(channel.id),
  };
}

/** Records one message's shares and reactions; returns the number of shares added. Call inside a transaction. */
function createBatchWriter(session: ImportSession): { record(ctx: ChannelContext, message: ExportedMessage, now: number): number } {
  const mentionsTwitch = /twitch\.tv/i;

  return {
    record(ctx, message, now) {
      if (message.author.isBot && !ctx.includeBots) return 0;
      const embedUrls: string[] = [];
      for (const embed of message.embeds) {
        if (embed.url) embedUrls.push(embed.url);
        if (embed.video?.url) embedUrls.push(embed.video.url);
      }
      const rows = session.sharesOf(message.id);
      const maybeLinks = mentionsTwitch.test(message.content) || embedUrls.some((u) => mentionsTwitch.test(u));
      // Most messages share no clip and were never recorded: nothing to do (the cheap common path).
      if (!maybeLinks && rows.length === 0) return 0;
      if (ctx.exportedAt !== null && rows.length > 0) {
        // A newer export or a crawl already recorded this message: this export is older and changes nothing.
        const seen = session.observedAt(message.id);
        if (seen !== undefined && seen > ctx.exportedAt) return 0;
      }

      const snapshot: MessageSnapshot = {
        guildId: ctx.guildId,
        channelId: ctx.channelId,
        threadId: ctx.threadId,
        messageId: message.id,
        authorId: message.author.id,
        authorName: message.author.nickname || message.author.name,
        authorIsBot: message.author.isBot,
        postedAt: message.timestamp,
        content: message.content,
        embedUrls,
        source: 'import',
      };
      let toRecord = snapshot;
      if (rows.length > 0) {
        // The database may already know a newer state of this message (live capture, a newer export).
        const links = new Set(clipLinksOf(snapshot).map((l) => l.clipId));
        const wanted = new Set(links);
        for (const row of rows) {
          // Deleted after this export was taken: the export is older than the deletion, which stands.
          if (row.deleted_at !== null && wanted.has(row.clip_id) && (ctx.exportedAt === null || row.deleted_at > ctx.exportedAt)) {
            wanted.delete(row.clip_id);
          }
          // The export shows the message never edited, yet we know a link it lacks: that came from a later edit.
          if (row.deleted_at === null && !wanted.has(row.clip_id) && message.timestampEdited == null) wanted.add(row.clip_id);
        }
        if (wanted.size !== links.size || [...wanted].some((id) => !links.has(id))) {
          toRecord = { ...snapshot, content: '', embedUrls: [...wanted].map(canonicalClipUrl) };
        }
      }
      const change = session.recordMessage(toRecord, clipLinksOf(toRecord), now);
      if (rows.length === 0 && change.added.length === 0) return 0;
      if (ctx.exportedAt !== null) session.observe(message.id, ctx.guildId, ctx.exportedAt);

      for (const reaction of message.reactions) {
        const key = emojiKey(reaction.emoji);
        if (key === null) continue;
        // Live events newer than this export know better than its numbers.
        if (ctx.exportedAt !== null && session.hasNewerLiveReaction(message.id, key, ctx.exportedAt)) continue;
        const userIds = reaction.users?.map((u) => u.id) ?? [];
        session.recordReactionSnapshot(
          {
            guildId: ctx.guildId,
            channelId: ctx.channelId,
            messageId: message.id,
            emojiKey: key,
            count: Math.max(reaction.count, userIds.length),
            userIds,
            // When the reaction happened is unknown; the message's time keeps it in the right period.
            at: message.timestamp,
          },
          now,
        );
      }
      return change.added.length;
    },
  };
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

/** The 1-based line of a byte offset, counted by streaming the file (only ever needed for an error). */
export async function lineAt(file: string, byteOffset: number): Promise<number> {
  let line = 1;
  let seen = 0;
  const stream = fs.createReadStream(file, { end: Math.max(0, byteOffset - 1), highWaterMark: 1024 * 1024 });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let i = chunk.indexOf(0x0a);
    while (i >= 0) {
      line++;
      i = chunk.indexOf(0x0a, i + 1);
    }
    seen += chunk.length;
  }
  return byteOffset === 0 || seen === 0 ? 1 : line;
}
