// Where the import of one file stands across runs: the earlier run recorded in import_runs, whether this run skips the
// file, resumes after the messages already imported or starts over, and the progress committed with every batch.
import type { Db } from '../../db/database';
import { readImportRuns, type ImportProgress, type ImportRun } from '../../db/stores/imports';

export class ResumeState {
  /** Messages imported over every run of this file, as committed (or about to be, in the open transaction). */
  messages = 0;
  /** The byte offset just after the last of those messages. */
  offset = 0;
  lastMessageId: string | null = null;
  /** Where this run started, in messages already imported earlier. */
  resumedAfter = 0;
  /** Messages of this run actually committed (`messages` also counts the open transaction's). */
  committedThisRun = 0;

  private constructor(
    private readonly filePath: string,
    private readonly fileSize: number,
    /** The earlier runs of this very export, one per guild, the most recent first. */
    private readonly previous: readonly ImportRun[],
  ) {}

  /** Reads how far earlier runs of the file at `filePath` (an absolute path) got. */
  static async read(db: Db, filePath: string, fileSize: number): Promise<ResumeState> {
    // A file of another size at the same path is a new export: start over (the writes are idempotent anyway).
    const previous = (await readImportRuns(db, filePath)).filter((run) => run.file_size === fileSize);
    return new ResumeState(filePath, fileSize, previous);
  }

  /**
   * The earlier run that imported this export completely, if one did: the guild's own run when the import names
   * its guild (another guild's run of a file at this path says nothing about this one), else the latest run.
   */
  completedRun(guildId?: string): ImportRun | undefined {
    const run = guildId === undefined ? this.previous[0] : this.previous.find((r) => r.guild_id === guildId);
    return run !== undefined && run.completed_at !== null ? run : undefined;
  }

  /**
   * Called when the export's messages start at `arrayStart`: continues after the earlier run if it stopped part-way
   * through the same channel's export, and returns that run (the caller seeks past its messages); otherwise null.
   */
  start(arrayStart: number, guildId: string, channelId: string): ImportRun | null {
    this.offset = arrayStart;
    const previous = this.previous.find((run) => run.guild_id === guildId);
    const resumable =
      previous !== undefined && previous.completed_at === null && previous.byte_offset > arrayStart && previous.channel_id === channelId;
    if (!resumable) return null;
    this.messages = previous.messages_imported;
    this.offset = previous.byte_offset;
    this.lastMessageId = previous.last_message_id;
    this.resumedAfter = previous.messages_imported;
    return previous;
  }

  /** Counts one more message, `messageId`, ending at byte `end`. */
  advance(messageId: string, end: number): void {
    this.messages++;
    this.offset = end;
    this.lastMessageId = messageId;
  }

  /** The progress to commit with the open transaction; `completed` once the whole file is in. */
  progress(guildId: string, channelId: string, completed: boolean, now: number): ImportProgress {
    return {
      filePath: this.filePath,
      guildId,
      channelId,
      fileSize: this.fileSize,
      messagesImported: this.messages,
      lastMessageId: this.lastMessageId,
      completedAt: completed ? now : null,
      byteOffset: this.offset,
      now,
    };
  }

  /** Call once the progress is committed. */
  committed(): void {
    this.committedThisRun = this.messages - this.resumedAfter;
  }
}
