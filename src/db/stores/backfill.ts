// The history crawl's state: a checkpoint per channel, and each crawled page written with it in one transaction.
import { run, type Db } from '../client';
import { recordReactionSnapshotOn, type ReactionSnapshot } from './capture/reactions';
import { recordMessageOn, recordMessagesDeletedOn, type ClipLink, type MessageRef, type MessageSnapshot } from './capture/shares';

export interface BackfillCheckpoint {
  before_message_id: string | null;
  since_ts: number | null;
  messages_scanned: number;
  shares_found: number;
  completed_at: number | null;
}

export function readBackfillCheckpoint(db: Db, guildId: string, channelId: string): Promise<BackfillCheckpoint | undefined> {
  return run(db, (c) =>
    c
      .statement<[string, string], BackfillCheckpoint>(
        `SELECT before_message_id, since_ts, messages_scanned, shares_found, completed_at FROM backfill_checkpoints
          WHERE guild_id = ? AND channel_id = ?`,
      )
      .get(guildId, channelId),
  );
}

/** Whether any share was ever recorded for the guild's message (an edit may have removed its links since). */
export function hasRecordedShares(db: Db, message: MessageRef): Promise<boolean> {
  return run(
    db,
    (c) =>
      c.statement('SELECT 1 FROM shares WHERE guild_id = ? AND message_id = ? LIMIT 1').get(message.guildId, message.messageId) !==
      undefined,
  );
}

export interface BackfillPage {
  guildId: string;
  channelId: string;
  /** The channel the shares count for (a thread's parent). */
  countedChannelId: string;
  threadId: string | null;
  /** The page's time span and the ids in it: a clip message recorded there that the page lacks was deleted. */
  span: { oldestAt: number; newestAt: number; lowId: bigint; highId: bigint; presentIds: ReadonlySet<string> } | null;
  messages: ReadonlyArray<{ snapshot: MessageSnapshot; links: readonly ClipLink[]; reactions: readonly ReactionSnapshot[] }>;
  fetchedAt: number;
  checkpoint: { beforeMessageId: string | null; sinceTs: number | null; messagesScanned: number; completed: boolean };
  now: number;
}

/** Writes one crawled page in one transaction: deletions seen, messages and reactions, observations, the checkpoint. Returns the clip shares added. */
export function writeBackfillPage(db: Db, page: BackfillPage, sharesFoundBefore: number): Promise<number> {
  return run(db, (c) =>
    c.client
      .transaction(() => {
        const { now } = page;
        if (page.span) {
          const { span } = page;
          const gone = c
            .statement<[string, number, number, string, string], { message_id: string }>(
              `SELECT DISTINCT message_id FROM shares
                WHERE guild_id = ? AND posted_at BETWEEN ? AND ? AND channel_id = ? AND coalesce(thread_id, '') = ? AND deleted_at IS NULL`,
            )
            .all(page.guildId, span.oldestAt, span.newestAt, page.countedChannelId, page.threadId ?? '')
            .map((r) => r.message_id)
            .filter((id) => !span.presentIds.has(id) && BigInt(id) >= span.lowId && BigInt(id) <= span.highId);
          if (gone.length > 0) recordMessagesDeletedOn(c, page.guildId, gone, now);
        }
        const observe = c.statement(
          `INSERT INTO message_observations (guild_id, message_id, observed_at) VALUES (?, ?, ?)
           ON CONFLICT (guild_id, message_id) DO UPDATE SET observed_at = max(observed_at, excluded.observed_at)`,
        );
        let added = 0;
        for (const { snapshot, links, reactions } of page.messages) {
          added += recordMessageOn(c, snapshot, links, now).added.length;
          observe.run(snapshot.guildId, snapshot.messageId, page.fetchedAt);
          for (const reaction of reactions) recordReactionSnapshotOn(c, reaction, now);
        }
        const { checkpoint } = page;
        c.statement(
          `INSERT INTO backfill_checkpoints (guild_id, channel_id, before_message_id, since_ts, messages_scanned, shares_found, completed_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (guild_id, channel_id) DO UPDATE SET before_message_id = excluded.before_message_id,
             since_ts = excluded.since_ts, messages_scanned = excluded.messages_scanned, shares_found = excluded.shares_found,
             completed_at = excluded.completed_at, updated_at = excluded.updated_at`,
        ).run(
          page.guildId,
          page.channelId,
          checkpoint.beforeMessageId,
          checkpoint.sinceTs,
          checkpoint.messagesScanned,
          sharesFoundBefore + added,
          checkpoint.completed ? now : null,
          now,
        );
        return added;
      })
      .immediate(),
  );
}
