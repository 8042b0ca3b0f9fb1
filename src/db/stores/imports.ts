// The DiscordChatExporter import's state (import_runs: how far each file got) and its writes. On SQLite the streaming
// parse records messages between awaits, so each of its transactions opens and commits within one synchronous stretch
// (openImportSession); on PostgreSQL a batch of parsed messages is written in one transaction (writeImportBatch). The
// statements are the same steps (./capture/steps.ts) on both.
import { connectionNow, run, type DeferredBatch, type Db } from '../client';
import { dialect, queries } from '../sql';
import { openCaptureBatchOn, openCaptureUpkeep } from './capture/batch';
import { captureJoins } from './capture/keys';
import { recordReactionSnapshotSteps, type ReactionSnapshot } from './capture/reactions';
import {
  recordMessageCountingClipsSteps,
  type ClipLink,
  type MessageRef,
  type MessageSnapshot,
  type RecordedMessage,
} from './capture/shares';
import { exec, get, all, runStepsAsync, runStepsNow, sqliteWriter, type Steps, type Writer } from './capture/steps';

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
  return queries(db).all<ImportRun>(
    `SELECT guild_id, channel_id, file_size, messages_imported, last_message_id, completed_at, byte_offset FROM import_runs
      WHERE file_path = ? ORDER BY updated_at DESC, guild_id`,
    [filePath],
  );
}

/** Which of the guild's given messages were ever recorded with a clip link (one read for a batch of an import). */
export async function messagesWithShares(db: Db, guildId: string, messageIds: readonly string[]): Promise<Set<string>> {
  if (messageIds.length === 0) return new Set();
  const rows = await queries(db).all<{ message_id: string }>(
    dialect(db, {
      sqlite: 'SELECT DISTINCT message_id FROM shares WHERE guild_id = ? AND message_id IN (SELECT value FROM json_each(?))',
      postgres: 'SELECT DISTINCT message_id FROM shares WHERE guild_id = ? AND message_id = ANY(?::text[])',
    }),
    [guildId, db.engine === 'postgres' ? ([...messageIds] as never) : JSON.stringify(messageIds)],
  );
  return new Set(rows.map((r) => r.message_id));
}

/** How many clips the guild has (the import reports the clips it added). */
export async function countGuildClips(db: Db, guildId: string): Promise<number> {
  return (await queries(db).get<{ n: number }>('SELECT count(*) AS n FROM clips WHERE guild_id = ?', [guildId]))?.n ?? 0;
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

/** The reads and writes the import makes for one message, as steps for either engine. */
export interface ImportWrites {
  sharesOf(message: MessageRef): Steps<Array<{ clip_id: string; deleted_at: number | null }>>;
  /** Whether a live reaction with this emoji was recorded on the message after `after`. */
  hasNewerLiveReaction(message: MessageRef, emojiKey: string, after: number): Steps<boolean>;
  observedAt(message: MessageRef): Steps<number | undefined>;
  observe(message: MessageRef, at: number): Steps<void>;
  /** Also says how many clip rows it created: the import's count of new clips, right when imports run at once. */
  recordMessage(message: MessageSnapshot, links: readonly ClipLink[], now: number): Steps<RecordedMessage>;
  recordReactionSnapshot(snapshot: ReactionSnapshot, now: number): Steps<void>;
}

const OBSERVE = {
  sqlite: `INSERT INTO message_observations (guild_id, message_id, observed_at) VALUES (?, ?, ?)
         ON CONFLICT (guild_id, message_id) DO UPDATE SET observed_at = max(observed_at, excluded.observed_at)`,
  postgres: `INSERT INTO message_observations AS o (guild_id, message_id, observed_at) VALUES (?, ?, ?)
         ON CONFLICT (guild_id, message_id) DO UPDATE SET observed_at = greatest(o.observed_at, excluded.observed_at)`,
};
export { OBSERVE as OBSERVE_MESSAGE };

export function importWrites(w: Writer): ImportWrites {
  const newerLive = `SELECT 1 AS one FROM reactions ${captureJoins(w.engine).reactionsKey} WHERE guild_id = ? AND message_id = ? AND emoji_key = ? AND reacted_at > ? LIMIT 1`;
  return {
    sharesOf: (message) =>
      all('SELECT clip_id, deleted_at FROM shares WHERE guild_id = ? AND message_id = ?', [message.guildId, message.messageId]),
    *hasNewerLiveReaction(message, emojiKey, after) {
      return (yield* get(newerLive, [message.guildId, message.messageId, emojiKey, after])) !== undefined;
    },
    *observedAt(message) {
      return (yield* get<{ observed_at: number }>('SELECT observed_at FROM message_observations WHERE guild_id = ? AND message_id = ?', [
        message.guildId,
        message.messageId,
      ]))?.observed_at;
    },
    *observe(message, at) {
      yield* exec(OBSERVE[w.engine], [message.guildId, message.messageId, at]);
    },
    recordMessage: (message, links, now) => recordMessageCountingClipsSteps(w, message, links, now),
    recordReactionSnapshot: (snapshot, now) => recordReactionSnapshotSteps(w, snapshot, now),
  };
}

function* saveProgress(progress: ImportProgress): Steps<void> {
  yield* exec(
    `INSERT INTO import_runs (file_path, guild_id, channel_id, file_size, messages_imported, last_message_id, completed_at, updated_at, byte_offset)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (guild_id, file_path) DO UPDATE SET channel_id = excluded.channel_id,
           file_size = excluded.file_size, messages_imported = excluded.messages_imported,
           last_message_id = excluded.last_message_id, completed_at = excluded.completed_at,
           updated_at = excluded.updated_at, byte_offset = excluded.byte_offset`,
    [
      progress.filePath,
      progress.guildId,
      progress.channelId,
      progress.fileSize,
      progress.messagesImported,
      progress.lastMessageId,
      progress.completedAt,
      progress.now,
      progress.byteOffset,
    ],
  );
}

/** The SQLite import's session: synchronous transactions on the connection. */
export interface ImportSession {
  /** Opens a transaction that is a capture batch (counters, journal and dirty hours written at commit). */
  begin(): void;
  /** Saves the file's progress and commits. */
  commit(progress: ImportProgress): void;
  rollback(): void;
  readonly inTransaction: boolean;
  countClips(guildId: string): number;
  /** Runs the import's steps for one message at once, inside the open transaction. */
  write<T>(make: (writes: ImportWrites) => Steps<T>): T;
  /** Sets the page cache size in KiB and returns a function that restores the previous size. */
  useCacheKib(kib: number): () => void;
}

/** The import's session on the connection; call only where no other transaction is open (the import's own process). */
export function openImportSession(db: Db): ImportSession {
  const c = connectionNow(db);
  const writes = importWrites(sqliteWriter(c));
  let upkeep: DeferredBatch | null = null;
  let open = false;
  return {
    begin() {
      c.client.exec('BEGIN IMMEDIATE');
      open = true;
      upkeep = openCaptureBatchOn(c);
    },
    commit(progress) {
      runStepsNow(c, saveProgress(progress));
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
    write: (make) => runStepsNow(c, make(writes)),
    useCacheKib(kib) {
      const previous = c.client.pragma('cache_size', { simple: true }) as number;
      c.client.pragma(`cache_size = ${-kib}`);
      return () => c.client.pragma(`cache_size = ${previous}`);
    },
  };
}

/**
 * Writes a batch of the import on either engine in one transaction that is a capture batch: `write` runs each
 * message's steps, then the file's progress is saved with them. Nothing of the batch is kept if it throws.
 */
export function writeImportBatch(
  db: Db,
  write: (run: <T>(make: (writes: ImportWrites) => Steps<T>) => Promise<T>) => Promise<void>,
  progress: () => ImportProgress,
): Promise<void> {
  return db.transaction(async (tx) => {
    const w: Writer = tx.engine === 'sqlite' ? sqliteWriter(connectionNow(tx)) : { engine: 'postgres', key: tx };
    const writes = importWrites(w);
    const runOn = <T>(steps: Steps<T>): Promise<T> =>
      tx.engine === 'sqlite' ? run(tx, (c) => runStepsNow(c, steps)) : runStepsAsync(tx, steps);
    const upkeep = openCaptureUpkeep(w);
    try {
      await write((make) => runOn(make(writes)));
      await runOn(saveProgress(progress()));
      await runOn(upkeep.flush());
    } catch (error) {
      upkeep.discard();
      throw error;
    }
  });
}
