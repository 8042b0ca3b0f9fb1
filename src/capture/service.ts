// What a capture source (the live gateway, a history crawl) gets instead of a database handle: a write queue whose
// writes see a typed writer, the per-event settings read, and the few reads a source needs to decide what to fetch.
import type { Clock } from '../clock';
import type { Db } from '../db/database';
import { getGuildSettings, parseIdList, rememberGuildName, type GuildSettings } from '../db/guild-settings';
import type { Logger } from '../logger';
import { readCaptureSettingsChanged, readCaptureSettingsNow } from './capture-settings';
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
  /** The guild's name and icon hash (null: none) as the gateway shows them. */
  rememberGuildName(guildId: string, name: string, icon: string | null): Promise<void>;
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
   * The guild's capture settings, at once: on SQLite read in the same tick, so a change made by a command applies to
   * the very next event (a read on the primary key costs microseconds); on PostgreSQL from memory, refreshed every
   * settingsRefreshMs from the rows changed since.
   */
  settingsNow(guildId: string): CaptureSettings;
  /**
   * Resolves once settingsNow answers from the database: at once on SQLite; on PostgreSQL after the first read of
   * every guild's capture settings (start the gateway after it).
   */
  readonly ready: Promise<void>;
  /** Re-reads the settings changed since the last look now (PostgreSQL; nothing to do on SQLite). */
  refreshSettings(): Promise<void>;
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
    rememberGuildName: (guildId, name, icon) => rememberGuildName(db, guildId, name, now, icon),
  };
}

export interface CaptureServiceOptions {
  logger: Logger;
  clock: Clock;
  batchMax: number;
  /** PostgreSQL: how often the capture settings changed since the last look are re-read (default 1 000 ms). */
  settingsRefreshMs?: number;
}

export function createCaptureService(db: Db, options: CaptureServiceOptions): CaptureService {
  const { settingsRefreshMs, ...queueOptions } = options;
  const queue = createCaptureQueue({ db, ...queueOptions });
  const settings = db.engine === 'postgres' ? followCaptureSettings(db, options.logger, settingsRefreshMs ?? 1_000) : null;
  return {
    write(describe, fn) {
      queue.push({ describe, run: (tx, now) => fn(writerFor(tx, now)) });
    },
    get pending() {
      return queue.pending;
    },
    flush: () => queue.flush(),
    async stop() {
      settings?.stop();
      await queue.stop();
    },
    settingsNow(guildId) {
      if (settings) return settings.get(guildId);
      const row = readCaptureSettingsNow(db, guildId);
      if (!row) return { captureChannelIds: [], includeBots: false };
      return { captureChannelIds: parseIdList(row.ids), includeBots: row.bots === 1 };
    },
    ready: settings?.ready ?? Promise.resolve(),
    refreshSettings: () => settings?.refresh() ?? Promise.resolve(),
    isKnownClipMessage: (guildId, messageId) => isKnownClipMessage(db, { guildId, messageId }),
    location: db.location,
  };
}

// Settings rows changed this long before the newest one seen are read again: another process's clock may lag ours.
const CLOCK_SKEW_MARGIN_MS = 60_000;

/**
 * PostgreSQL: every guild's capture settings in memory, loaded once and then refreshed from the rows changed since
 * (one small read per interval; a guild without a row has the defaults). A change made by a command,
 * in this process or another, applies within the interval.
 */
function followCaptureSettings(
  db: Db,
  logger: Logger,
  intervalMs: number,
): { get(guildId: string): CaptureSettings; ready: Promise<void>; refresh(): Promise<void>; stop(): void } {
  const byGuild = new Map<string, CaptureSettings>();
  let newest = 0;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let failing = false;
  const refresh = async (): Promise<void> => {
    try {
      for (const row of await readCaptureSettingsChanged(db, newest === 0 ? 0 : newest - CLOCK_SKEW_MARGIN_MS)) {
        byGuild.set(row.guildId, { captureChannelIds: row.captureChannelIds, includeBots: row.includeBots });
        newest = Math.max(newest, row.updatedAt);
      }
      if (failing) logger.info('capture: guild settings readable again');
      failing = false;
    } catch (error) {
      // The settings in memory stay in force; the next interval tries again.
      if (!failing) logger.warn({ err: error }, 'capture: cannot re-read guild settings; the last ones read stay in force');
      failing = true;
    }
  };
  const loop = (): void => {
    if (stopped) return;
    timer = setTimeout(() => void refresh().then(loop), intervalMs);
    timer.unref();
  };
  const ready = refresh().then(loop);
  return {
    get: (guildId) => byGuild.get(guildId) ?? { captureChannelIds: [], includeBots: false },
    ready,
    refresh,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
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
