// The history crawl's state: a checkpoint per channel, and each crawled page written with it in one transaction. The
// page's statements are steps (./capture/steps.ts): one synchronous transaction on SQLite, awaited on PostgreSQL.
import { run, type Db } from '../client';
import { queries } from '../sql';
import { openCaptureUpkeep } from './capture/batch';
import { recordReactionSnapshotSteps, type ReactionSnapshot } from './capture/reactions';
import { recordMessageSteps, recordMessagesDeletedSteps, type ClipLink, type MessageRef, type MessageSnapshot } from './capture/shares';
import { all, exec, runStepsAsync, runStepsNow, sqliteWriter, type Steps, type Writer } from './capture/steps';
import { OBSERVE_MESSAGE } from './imports';

export interface BackfillCheckpoint {
  before_message_id: string | null;
  since_ts: number | null;
  messages_scanned: number;
  shares_found: number;
  completed_at: number | null;
}

export function readBackfillCheckpoint(db: Db, guildId: string, channelId: string): Promise<BackfillCheckpoint | undefined> {
  return queries(db).get<BackfillCheckpoint>(
    `SELECT before_message_id, since_ts, messages_scanned, shares_found, completed_at FROM backfill_checkpoints
          WHERE guild_id = ? AND channel_id = ?`,
    [guildId, channelId],
  );
}

/** Whether any share was ever recorded for the guild's message (an edit may have removed its links since). */
export async function hasRecordedShares(db: Db, message: MessageRef): Promise<boolean> {
  return (
    (await queries(db).get('SELECT 1 AS one FROM shares WHERE guild_id = ? AND message_id = ? LIMIT 1', [
      message.guildId,
      message.messageId,
    ])) !== undefined
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
  if (db.engine === 'sqlite') {
    return run(db, (c) => c.client.transaction(() => runStepsNow(c, pageSteps(sqliteWriter(c), page, sharesFoundBefore))).immediate());
  }
  // PostgreSQL: the page is one capture batch, so its counters, journal and dirty hours are written once at its end.
  return db.transaction(async (tx) => {
    const w: Writer = { engine: 'postgres', key: tx };
    const upkeep = openCaptureUpkeep(w);
    try {
      const added = await runStepsAsync(tx, pageSteps(w, page, sharesFoundBefore));
      await runStepsAsync(tx, upkeep.flush());
      return added;
    } catch (error) {
      upkeep.discard();
      throw error;
    }
  });
}

function* pageSteps(w: Writer, page: BackfillPage, sharesFoundBefore: number): Steps<number> {
  const { now } = page;
  if (page.span) {
    const { span } = page;
    const gone = (yield* all<{ message_id: string }>(
      `SELECT DISTINCT message_id FROM shares
          WHERE guild_id = ? AND posted_at BETWEEN ? AND ? AND channel_id = ? AND coalesce(thread_id, '') = ? AND deleted_at IS NULL`,
      [page.guildId, span.oldestAt, span.newestAt, page.countedChannelId, page.threadId ?? ''],
    ))
      .map((r) => r.message_id)
      .filter((id) => !span.presentIds.has(id) && BigInt(id) >= span.lowId && BigInt(id) <= span.highId);
    if (gone.length > 0) yield* recordMessagesDeletedSteps(w, page.guildId, gone, now);
  }
  let added = 0;
  for (const { snapshot, links, reactions } of page.messages) {
    added += (yield* recordMessageSteps(w, snapshot, links, now)).added.length;
    yield* exec(OBSERVE_MESSAGE[w.engine], [snapshot.guildId, snapshot.messageId, page.fetchedAt]);
    for (const reaction of reactions) yield* recordReactionSnapshotSteps(w, reaction, now);
  }
  const { checkpoint } = page;
  yield* exec(
    `INSERT INTO backfill_checkpoints (guild_id, channel_id, before_message_id, since_ts, messages_scanned, shares_found, completed_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (guild_id, channel_id) DO UPDATE SET before_message_id = excluded.before_message_id,
             since_ts = excluded.since_ts, messages_scanned = excluded.messages_scanned, shares_found = excluded.shares_found,
             completed_at = excluded.completed_at, updated_at = excluded.updated_at`,
    [
      page.guildId,
      page.channelId,
      checkpoint.beforeMessageId,
      checkpoint.sinceTs,
      checkpoint.messagesScanned,
      sharesFoundBefore + added,
      checkpoint.completed ? now : null,
      now,
    ],
  );
  return added;
}
