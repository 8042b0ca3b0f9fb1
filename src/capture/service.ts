// What a capture source (the live gateway, a history crawl) gets instead of a database handle: a write queue whose
// writes see a typed writer, the per-event settings read, and the few reads a source needs to decide what to fetch.
import type { Clock } from '../clock';
import type { Db } from '../db/database';
import { getGuildSettings, parseIdList, rememberGuildName, type GuildSettings } from '../db/guild-settings';
import type { Logger } from '../logger';
import { readCaptureSettingsNow } from './capture-settings';
import { hasRecordedShares, readBackfillCheckpoint, writeBackfillPage, type BackfillCheckpoint, type BackfillPage } from './crawled-page';
import { createCaptureQueue } from './queue';
import {
  recordReactionAdded,
  recordReactionRemoved,
  recordReactionsCleared,
  recordReactionSnapshot,
  type ReactionEvent,
  type ReactionSnapshot,
} from './record-reaction';
import {
  isKnownClipMessage,
  recordMessage,
  recordMessagesDeleted,
  type MessageRef,
  type MessageSnapshot,
  type ShareChange,
} from './record-share';

/** The writes one capture event may make, all inside the batch's transaction and at the batch's time. */
export interface CaptureWriter {
  recordMessage(message: MessageSnapshot): Promise<ShareChange>;
  /** Marks the guild's given messages deleted; ids the guild never recorded are ignored. */
  recordMessagesDeleted(guildId: string, messageIds: readonly string[]): Promise<number>;
  reactionAdded(event: ReactionEvent): Promise<boolean>;
  reactionRemoved(event: ReactionEvent): Promise<boolean>;
  reactionsCleared(target: MessageRef & { emojiKey?: string | null }): Promise<number>;
  reactionSnapshot(snapshot: ReactionSnapshot): Promise<void>;
  rememberGuildName(guildId: string, name: string): Promise<void>;
}

/** The part of a guild's settings capture consults on every event. */
export interface CaptureSettings {
  /** Empty = every channel the bot can see. */
  captureChannelIds: string[];
  includeBots: boolean;
}

export interface CaptureService {
  /** Queues one event's writes; they are committed with the next batch (see queue.ts), never dropped. */
  write(describe: string, fn: (writer: CaptureWriter) => Promise<unknown> | void): void;
  /** Writes waiting for the next commit. */
  readonly pending: number;
  /** Resolves once everything written so far is committed. */
  flush(): Promise<void>;
  /** Stops taking writes and commits what is pending. */
  stop(): Promise<void>;
  /**
   * The guild's capture settings, read at once: a change made by a command applies to the very next event. A read
   * on the primary key costs microseconds (the general settings read costs far more per call).
   */
  settingsNow(guildId: string): CaptureSettings;
  /** Whether the guild's message was ever recorded with a clip link (even if since deleted). */
  isKnownClipMessage(guildId: string, messageId: string): Promise<boolean>;
  /** Where the data lives, for log lines about storage problems. */
  readonly location: string;
}

function writerFor(db: Db, now: number): CaptureWriter {
  return {
    recordMessage: (message) => recordMessage(db, message, now),
    recordMessagesDeleted: (guildId, messageIds) => recordMessagesDeleted(db, guildId, messageIds, now),
    reactionAdded: (event) => recordReactionAdded(db, event, now),
    reactionRemoved: (event) => recordReactionRemoved(db, event, now),
    reactionsCleared: (target) => recordReactionsCleared(db, target, now),
    reactionSnapshot: (snapshot) => recordReactionSnapshot(db, snapshot, now),
    rememberGuildName: (guildId, name) => rememberGuildName(db, guildId, name, now),
  };
}

export function createCaptureService(db: Db, options: { logger: Logger; clock: Clock; batchMax: number }): CaptureService {
  const queue = createCaptureQueue({ db, ...options });
  return {
    write(describe, fn) {
      queue.push({ describe, run: (tx, now) => fn(writerFor(tx, now)) });
    },
    get pending() {
      return queue.pending;
    },
    flush: () => queue.flush(),
    stop: () => queue.stop(),
    settingsNow(guildId) {
      const row = readCaptureSettingsNow(db, guildId);
      if (!row) return { captureChannelIds: [], includeBots: false };
      return { captureChannelIds: parseIdList(row.ids), includeBots: row.bots === 1 };
    },
    isKnownClipMessage: (guildId, messageId) => isKnownClipMessage(db, { guildId, messageId }),
    location: db.location,
  };
}

/** What a history crawl reads and writes: the guild's settings, its checkpoint per channel, and each page. */
export interface CrawlStore {
  settings(guildId: string): Promise<GuildSettings>;
  readCheckpoint(guildId: string, channelId: string): Promise<BackfillCheckpoint | undefined>;
  hasRecordedShares(guildId: string, messageId: string): Promise<boolean>;
  /** Writes a page as capture writes (deletions it reveals, messages, reactions) with the checkpoint, in one transaction. */
  writePage(page: BackfillPage, sharesFoundBefore: number): Promise<number>;
}

export function createCrawlStore(db: Db): CrawlStore {
  return {
    settings: (guildId) => getGuildSettings(db, guildId),
    readCheckpoint: (guildId, channelId) => readBackfillCheckpoint(db, guildId, channelId),
    hasRecordedShares: (guildId, messageId) => hasRecordedShares(db, { guildId, messageId }),
    writePage: (page, sharesFoundBefore) => writeBackfillPage(db, page, sharesFoundBefore),
  };
}
