// The DiscordChatExporter import's state (import_runs: how far each file got) and its write session: the streaming
// parse records messages between awaits, so each of its transactions opens and commits within one synchronous stretch.
import { connectionNow, run, type DeferredBatch, type Db } from '../client';
import { openCaptureBatchOn } from './capture/batch';
import { REACTIONS_KEY } from './capture/keys';
import { recordReactionSnapshotOn, type ReactionSnapshot } from './capture/reactions';
import { recordMessageOn, type ClipLink, type MessageRef, type MessageSnapshot, type ShareChange } from './capture/shares';

export interface ImportRun {
  guild_id: string;
  channel_id: string;
  file_size: number;
  messages_imported: number;
  last_message_id: string | null;
  completed_at: number | null;
  byte_offset: number;
}

/** The runs of the file at `filePath`, one per guild whose export was read there, the most recent first. */
export function readImportRuns(db: Db, filePath: string): Promise<ImportRun[]> {
  return run(db, (c) =>
    c
      .statement<[string], ImportRun>(
        `SELECT guild_id, channel_id, file_size, messages_imported, last_message_id, completed_at, byte_offset FROM import_runs
          WHERE file_path = ? ORDER BY updated_at DESC, guild_id`,
      )
      .all(filePath),
  );
}

export interface ImportProgress {
  filePath: string;
  guildId: string;
  channelId: string;
  fileSize: number;
  messagesImported: number;
  lastMessageId: string | null;
  completedAt: number | null;
  byteOffset: number;
  now: number;
}

export interface ImportSession {
  /** Opens a transaction that is a capture batch (counters, journal and dirty hours written at commit). */
  begin(): void;
  /** Saves the file's progress and commits. */
  commit(progress: ImportProgress): void;
  rollback(): void;
  readonly inTransaction: boolean;
  countClips(guildId: string): number;
  sharesOf(message: MessageRef): Array<{ clip_id: string; deleted_at: number | null }>;
  /** Whether a live reaction with this emoji was recorded on the message after `after`. */
  hasNewerLiveReaction(message: MessageRef, emojiKey: string, after: number): boolean;
  observedAt(message: MessageRef): number | undefined;
  observe(message: MessageRef, at: number): void;
  recordMessage(message: MessageSnapshot, links: readonly ClipLink[], now: number): ShareChange;
  recordReactionSnapshot(snapshot: ReactionSnapshot, now: number): void;
  /** Sets the page cache size in KiB and returns a function that restores the previous size. */
  useCacheKib(kib: number): () => void;
}

/** The import's session on the connection; call only where no other transaction is open (the import's own process). */
export function openImportSession(db: Db): ImportSession {
  const c = connectionNow(db);
  let upkeep: DeferredBatch | null = null;
  let open = false;
  return {
    begin() {
      c.client.exec('BEGIN IMMEDIATE');
      open = true;
      upkeep = openCaptureBatchOn(c);
    },
    commit(progress) {
      c.statement(
        `INSERT INTO import_runs (file_path, guild_id, channel_id, file_size, messages_imported, last_message_id, completed_at, updated_at, byte_offset)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (guild_id, file_path) DO UPDATE SET channel_id = excluded.channel_id,
           file_size = excluded.file_size, messages_imported = excluded.messages_imported,
           last_message_id = excluded.last_message_id, completed_at = excluded.completed_at,
           updated_at = excluded.updated_at, byte_offset = excluded.byte_offset`,
      ).run(
        progress.filePath,
        progress.guildId,
        progress.channelId,
        progress.fileSize,
        progress.messagesImported,
        progress.lastMessageId,
        progress.completedAt,
        progress.now,
        progress.byteOffset,
      );
      upkeep?.flush();
      upkeep = null;
      c.client.exec('COMMIT');
      open = false;
    },
    rollback() {
      upkeep?.discard();
      upkeep = null;
      if (open && c.client.inTransaction) c.client.exec('ROLLBACK');
      open = false;
    },
    get inTransaction() {
      return open;
    },
    countClips: (guildId) =>
      c.statement<[string], { n: number }>('SELECT count(*) AS n FROM clips WHERE guild_id = ?').get(guildId)?.n ?? 0,
    sharesOf: (message) =>
      c
        .statement<[string, string], { clip_id: string; deleted_at: number | null }>(
          'SELECT clip_id, deleted_at FROM shares WHERE guild_id = ? AND message_id = ?',
        )
        .all(message.guildId, message.messageId),
    hasNewerLiveReaction: (message, emojiKey, after) =>
      c
        .statement<[string, string, string, number], { one: number }>(
          `SELECT 1 AS one FROM reactions ${REACTIONS_KEY} WHERE guild_id = ? AND message_id = ? AND emoji_key = ? AND reacted_at > ? LIMIT 1`,
        )
        .get(message.guildId, message.messageId, emojiKey, after) !== undefined,
    observedAt: (message) =>
      c
        .statement<[string, string], { observed_at: number }>(
          'SELECT observed_at FROM message_observations WHERE guild_id = ? AND message_id = ?',
        )
        .get(message.guildId, message.messageId)?.observed_at,
    observe(message, at) {
      c.statement(
        `INSERT INTO message_observations (guild_id, message_id, observed_at) VALUES (?, ?, ?)
         ON CONFLICT (guild_id, message_id) DO UPDATE SET observed_at = max(observed_at, excluded.observed_at)`,
      ).run(message.guildId, message.messageId, at);
    },
    recordMessage: (message, links, now) => recordMessageOn(c, message, links, now),
    recordReactionSnapshot(snapshot, now) {
      recordReactionSnapshotOn(c, snapshot, now);
    },
    useCacheKib(kib) {
      const previous = c.client.pragma('cache_size', { simple: true }) as number;
      c.client.pragma(`cache_size = ${-kib}`);
      return () => c.client.pragma(`cache_size = ${previous}`);
    },
  };
}
