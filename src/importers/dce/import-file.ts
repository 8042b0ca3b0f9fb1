// Imports DiscordChatExporter JSON exports (the public entry): streams each file and commits its messages in batches with
// the file's progress, so an interrupted import resumes where it stopped and importing again changes nothing already right.
import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../../clock';
import type { Db } from '../../db/database';
import { databaseFile, describeStorageProblem } from '../../db/storage-errors';
import { ExportScanner, ExportSyntaxError, type ScannerLimits } from '../export-scanner';
import { messagesWithShares, openImportSession, writeImportBatch } from '../../db/stores/imports';
import { ClipscopeError } from '../../errors';
import {
  channelContext,
  hasLinksPastScanLimit,
  mayHoldClipLinks,
  readChannelContext,
  recordExportedMessage,
  type ChannelContext,
} from './batch-writer';
import { MAX_SCANNED_LENGTH } from '../../capture/clip-url';
import { parseExportedMessage, readExportHeader, type ExportedMessage, type ExportHeader } from './format';
import { ResumeState } from './resume-state';

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
  /** What a file may hold at most (message size, fields outside messages, nesting); defaults in the scanner. */
  limits?: Partial<ScannerLimits>;
  /** Stops between chunks, everything read so far committed; the file's next import continues from there. */
  signal?: AbortSignal;
  /** Called after every chunk with the file's bytes read so far and the messages read in this run. */
  onProgress?: (progress: { file: string; bytesRead: number; fileSize: number; messagesRead: number }) => void;
  /** Called with a line naming the file and message for what was imported only in part (links past the scan limit). */
  onWarning?: (line: string) => void;
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
  /** Clip rows this import created (a clip another import running at once created is theirs, not counted twice). */
  clipsAdded: number;
  /** Messages of this run with clip links past the scan limit, of which only the first were recorded. */
  warnings: number;
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
  const resume = await ResumeState.read(db, absolute, fileSize);

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
    warnings: 0,
  };

  const completedRun = resume.completedRun(options.guildId);
  if (completedRun !== undefined && !options.force) {
    await handle.close();
    return {
      ...result,
      status: 'skipped',
      skipped: 'already_imported',
      reason: 'already imported (use --force to read it again)',
      guildId: completedRun.guild_id,
      channelId: completedRun.channel_id,
      messagesRead: 0,
      resumedAfter: completedRun.messages_imported,
    };
  }

  let ctx: ChannelContext | null = null;
  // SQLite: a session of synchronous transactions on the connection. PostgreSQL (null here): the messages of each
  // chunk are parsed first and written afterwards, batchSize at a time, each batch one transaction with the progress.
  const session = db.engine === 'sqlite' ? openImportSession(db) : null;
  let header: ExportHeader | null = null;
  const parsed: Array<{ message: ExportedMessage; end: number }> = [];

  // SQLite: messages are recorded the moment they are parsed (so none outlives the young generation of the heap) inside
  // a transaction that is committed, with the file's progress, every batchSize messages and at the end of each chunk.
  // Transactions never span an await: other code sharing the connection never finds one open.
  // Each transaction is a capture batch, as live capture's: clip counters, dirty hours and the engagement journal
  // are written once per touched clip, hour and message at its commit instead of after every message and reaction
  // (per write, the journal read each clip message's engagement four times and the counters were recomputed thrice).
  let messagesInTx = 0;
  const begin = (): void => {
    session?.begin();
    messagesInTx = 0;
  };
  const commit = (completed: boolean): void => {
    if (!ctx || !session) return;
    if (!session.inTransaction) begin();
    session.commit(resume.progress(ctx.guildId, ctx.threadId ?? ctx.channelId, completed, clock.now()));
    resume.committed();
  };
  const rollback = (): void => session?.rollback();

  /** PostgreSQL: the guild's settings for the export (once), then the parsed messages, batchSize per transaction. */
  const writeParsed = async (completed: boolean): Promise<void> => {
    if (session) return;
    if (!ctx) {
      if (!header) return;
      ctx = await readChannelContext(db, header);
      if (ctx.notCaptured) throw new SkipFile(`#${ctx.channelName} is not one of the guild's capture channels`);
    }
    const context = ctx;
    const channelId = context.threadId ?? context.channelId;
    do {
      const batch = parsed.splice(0, batchSize);
      const done = completed && parsed.length === 0;
      // Most messages hold no clip link and were never recorded: one read for the batch finds the few that were, so
      // the rest cost no round trip each (recordExportedMessage would return 0 for them after reading their shares).
      const recorded = await messagesWithShares(
        db,
        context.guildId,
        batch.filter(({ message }) => !mayHoldClipLinks(message)).map(({ message }) => message.id),
      );
      let shares = 0;
      let clips = 0;
      await writeImportBatch(
        db,
        async (run) => {
          for (const { message, end } of batch) {
            if (mayHoldClipLinks(message) || recorded.has(message.id)) {
              const recorded = await run((writes) => recordExportedMessage(writes, context, message, clock.now()));
              shares += recorded.shares;
              clips += recorded.clips;
            }
            resume.advance(message.id, end);
          }
        },
        () => resume.progress(context.guildId, channelId, done, clock.now()),
      );
      resume.committed();
      result.sharesAdded += shares;
      result.clipsAdded += clips;
      result.messagesRead += batch.length;
    } while (parsed.length > 0);
  };

  const scanner = new ExportScanner(
    {
      onHeader(json, arrayStart) {
        const exportHeader = readExportHeader(json, arrayStart, options.guildId);
        result.guildId = exportHeader.guildId;
        result.channelId = exportHeader.threadId ?? exportHeader.channelId;
        result.channelName = exportHeader.channelName;
        if (session) {
          ctx = channelContext(db, exportHeader);
          if (ctx.notCaptured) throw new SkipFile(`#${ctx.channelName} is not one of the guild's capture channels`);
        } else header = exportHeader;
        const earlier = resume.start(arrayStart, exportHeader.guildId, exportHeader.threadId ?? exportHeader.channelId);
        if (earlier) {
          result.resumedAfter = earlier.messages_imported;
          scanner.seekAfterMessage(earlier.byte_offset, earlier.messages_imported);
        }
      },
      onMessage(json, start, end) {
        const message = parseExportedMessage(json, start, scanner.messagesScanned);
        if (hasLinksPastScanLimit(message)) {
          result.warnings++;
          options.onWarning?.(
            `${file}: message ${message.id} holds clip links past the first ${MAX_SCANNED_LENGTH.toLocaleString('en-US')} characters scanned for them: only the links before that were recorded`,
          );
        }
        if (!session) {
          parsed.push({ message, end });
          return;
        }
        if (!session.inTransaction) begin();
        const recorded = session.write((writes) => recordExportedMessage(writes, ctx as ChannelContext, message, clock.now()));
        result.sharesAdded += recorded.shares;
        result.clipsAdded += recorded.clips;
        result.messagesRead++;
        resume.advance(message.id, end);
        if (++messagesInTx >= batchSize) commit(false);
      },
    },
    options.limits,
  );

  // Imports write in message order and touch each page about once: SQLite's default 64 MB page cache would only
  // add RSS (it was a third of the peak), so the import runs with 16 MB and gives the connection its cache back.
  const restoreCache = session?.useCacheKib(IMPORT_CACHE_KIB) ?? ((): void => undefined);
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
        if (error instanceof ExportSyntaxError) {
          if (session?.inTransaction) commit(false);
          if (!session && parsed.length > 0) await writeParsed(false);
        }
        throw error;
      }
      if (session?.inTransaction) commit(false);
      if (!session && parsed.length > 0) await writeParsed(false);
      options.onProgress?.({ file, bytesRead: position, fileSize, messagesRead: result.messagesRead });
      if (options.signal?.aborted) {
        await handle.close();
        return { ...result, status: 'stopped' };
      }
    }
    scanner.end(fileSize);
    if (session) commit(true);
    else await writeParsed(true);
  } catch (error) {
    rollback();
    await handle.close();
    if (error instanceof SkipFile) return { ...result, status: 'skipped', skipped: 'not_captured', reason: error.message };
    if (error instanceof ExportSyntaxError) {
      const line = await lineAt(absolute, error.byteOffset);
      throw new ImportError(file, error.message, error.byteOffset, line, resume.messages - resume.resumedAfter);
    }
    // Disk full, a busy database or a lost PostgreSQL connection: name it and the database; the batches committed
    // before are kept and the next run of the same import continues after them.
    const storageProblem = describeStorageProblem(error, databaseFile(db));
    if (storageProblem) {
      const kept = resume.committedThisRun;
      throw new ImportError(file, `${storageProblem}; ${kept} messages of this run were kept, import again to continue`, null, null, kept);
    }
    throw error;
  } finally {
    restoreCache();
  }
  await handle.close();
  return result;
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
