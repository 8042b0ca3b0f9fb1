// Figure 1 (storage half): capture events/s through the storage layer alone (recordMessage, recordReactionAdded,
// recordMessagesDeleted in capture batches of 1,000 events, as the bot's queue commits them) on a copy of the
// generated database, and beside it the SQLite floor: bare prepared-statement upserts of the same kind of events on
// the same schema.
import fs from 'node:fs';
import path from 'node:path';
import { extractClipLinks } from '../src/capture/clip-url';
import type { ReactionEvent } from '../src/capture/record-reaction';
import type { MessageSnapshot } from '../src/capture/record-share';
import { closeDatabase, openDatabase, type Db } from '../src/db/client';
import { buildGuild, createGuildContext, resolveCommunity } from '../src/demo/community';
import { messageSnapshotOf } from '../src/demo/generator';
import { figure, ratio, summarise } from './measure';
import type { BenchContext, BenchSection, Figure } from './types';
import { sqliteClient } from '../src/db/client';
import { inCaptureBatch } from '../src/capture/capture-batch';
import { recordReactionAdded } from '../src/capture/record-reaction';
import { recordMessage, recordMessagesDeleted } from '../src/capture/record-share';
import { inBulkTransaction as inTransaction } from '../src/db/bulk';

const BATCH = 1000;
/** Clips of the fresh community each run captures: ~2.5 events per clip (messages, reactions, edits, deletions). */
const CLIPS_PER_RUN = 6_000;

export type StorageEvent =
  | { kind: 'message'; snapshot: MessageSnapshot; now: number }
  | { kind: 'reaction'; event: ReactionEvent; now: number }
  | { kind: 'delete'; guildId: string; messageId: string; now: number };

/**
 * A fresh stream of live events for the database's largest guild: new clips, their shares, reactions, edits and
 * deletions, none of them already stored (each run uses its own seed), in the order a bot would see them.
 */
export function freshEvents(ctx: BenchContext, guildId: string, runSeed: number, clips = CLIPS_PER_RUN): StorageEvent[] {
  const resolved = resolveCommunity({ clips, seed: runSeed, endAt: ctx.endAt, guilds: 1 });
  const guild = buildGuild(createGuildContext(resolved), 0);
  const events: StorageEvent[] = [];
  for (const message of guild.messages) {
    const snapshot = messageSnapshotOf(guildId, guild, message);
    if (!snapshot) continue;
    events.push({ kind: 'message', snapshot, now: message.postedAt });
    for (const reaction of message.reactions) {
      const user = guild.members[reaction.user];
      const emoji = guild.emojis[reaction.emoji];
      if (!user || !emoji) continue;
      events.push({
        kind: 'reaction',
        event: { guildId, channelId: message.channelId, messageId: message.id, emojiKey: emoji.key, userId: user.id, at: reaction.at },
        now: reaction.at,
      });
    }
    if (message.edit) events.push({ kind: 'message', snapshot: { ...snapshot, content: message.edit.content }, now: message.edit.at });
    if (message.deletedAt !== null) events.push({ kind: 'delete', guildId, messageId: message.id, now: message.deletedAt });
  }
  return events;
}

/** The events through the product's capture functions, BATCH per capture batch (one transaction each), as the bot's queue writes them. */
export async function applyThroughStorageLayer(db: Db, events: StorageEvent[]): Promise<void> {
  for (let start = 0; start < events.length; start += BATCH) {
    const batch = events.slice(start, start + BATCH);
    await inCaptureBatch(db, async (tx) => {
      for (const e of batch) {
        if (e.kind === 'message') await recordMessage(tx, e.snapshot, e.now);
        else if (e.kind === 'reaction') await recordReactionAdded(tx, e.event, e.now);
        else await recordMessagesDeleted(tx, e.guildId, [e.messageId], e.now);
      }
    });
  }
}

export type FloorEvent =
  | { kind: 'message'; snapshot: MessageSnapshot; links: Array<{ clipId: string; url: string }>; now: number }
  | { kind: 'reaction'; event: ReactionEvent }
  | { kind: 'delete'; guildId: string; messageId: string; now: number };

/** The same events with their links already extracted: the floor measures SQLite, not our parsing. */
export function floorEvents(events: StorageEvent[]): FloorEvent[] {
  return events.map((e) =>
    e.kind === 'message' ? { kind: 'message', snapshot: e.snapshot, links: extractClipLinks(e.snapshot.content), now: e.now } : e,
  );
}

/**
 * The floor: one prepared upsert per row an event must write (clip + share per link, one reaction row, one
 * share update per deletion), no counters recomputed, no dirty hours. `batch` events per transaction.
 */
export function applyFloor(db: Db, events: FloorEvent[], batch: number): void {
  const client = sqliteClient(db);
  const upsertClip = client.prepare(
    `INSERT INTO clips (guild_id, clip_id, url, first_seen_at, first_shared_at, last_updated_at, source)
     VALUES (?, ?, ?, ?, ?, ?, 'discord') ON CONFLICT (guild_id, clip_id) DO NOTHING`,
  );
  const upsertShare = client.prepare(
    `INSERT INTO shares (guild_id, channel_id, thread_id, message_id, clip_id, author_id, author_name, author_is_bot, posted_at, source)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'discord') ON CONFLICT (guild_id, message_id, clip_id) DO NOTHING`,
  );
  const upsertReaction = client.prepare(
    `INSERT INTO reactions (guild_id, channel_id, message_id, emoji_key, user_id, reacted_at)
     VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id, message_id, emoji_key, user_id) DO NOTHING`,
  );
  const markDeleted = client.prepare('UPDATE shares SET deleted_at = ? WHERE guild_id = ? AND message_id = ? AND deleted_at IS NULL');
  const apply = (e: FloorEvent): void => {
    if (e.kind === 'message') {
      const s = e.snapshot;
      for (const link of e.links) {
        upsertClip.run(s.guildId, link.clipId, link.url, e.now, s.postedAt, e.now);
        upsertShare.run(
          s.guildId,
          s.channelId,
          s.threadId ?? null,
          s.messageId,
          link.clipId,
          s.authorId,
          s.authorName,
          s.authorIsBot ? 1 : 0,
          s.postedAt,
        );
      }
    } else if (e.kind === 'reaction') {
      const r = e.event;
      upsertReaction.run(r.guildId, r.channelId, r.messageId, r.emojiKey, r.userId, r.at);
    } else {
      markDeleted.run(e.now, e.guildId, e.messageId);
    }
  };
  for (let start = 0; start < events.length; start += batch) {
    const slice = events.slice(start, start + batch);
    inTransaction(db, () => {
      for (const e of slice) apply(e);
    });
  }
}

/** The section; `clipsPerRun` sets the events per run (smaller only for the harness's own tests). */
export function captureStorageSection(clipsPerRun = CLIPS_PER_RUN): BenchSection {
  return {
    name: 'capture',
    title: 'Capture: storage layer alone vs the SQLite floor (events/s)',
    async run(ctx) {
      const copy = path.join(ctx.workDir, 'capture.db');
      fs.copyFileSync(ctx.databasePath, copy);
      const db = openDatabase({ path: copy });
      try {
        const largest = db.$client
          .prepare<[], { guild_id: string; n: number }>(
            'SELECT guild_id, count(*) AS n FROM clips GROUP BY guild_id ORDER BY n DESC LIMIT 1',
          )
          .get();
        if (!largest) throw new Error(`${ctx.databasePath} has no clips: generate it first`);
        ctx.log(`capturing into guild ${largest.guild_id} (${largest.n.toLocaleString('en-US')} clips)`);
        let eventsPerRun = 0;
        // Each variant and run gets events of its own seed, so no run replays rows an earlier one stored.
        const seedFor = (variant: number, run: number): number => (ctx.seed * 7919 + 1_000_003 * variant + run + 100) >>> 0;
        const variants: Array<{ name: string; apply: (events: StorageEvent[]) => void | Promise<void> }> = [
          { name: 'storage', apply: (events) => applyThroughStorageLayer(db, events) },
          { name: 'batched', apply: (events) => applyFloor(db, floorEvents(events), BATCH) },
          { name: 'one', apply: (events) => applyFloor(db, floorEvents(events), events.length) },
        ];
        const wall = new Map(variants.map((v) => [v.name, [] as number[]]));
        const cpu = new Map(variants.map((v) => [v.name, [] as number[]]));
        // Variants take turns within each run, so a busy spell on the machine hits all of them alike.
        for (let run = -1; run < ctx.runs; run++) {
          for (const [i, variant] of variants.entries()) {
            const events = freshEvents(ctx, largest.guild_id, seedFor(i + 1, run + 1), clipsPerRun);
            eventsPerRun = events.length;
            const cpu0 = process.cpuUsage();
            const t0 = performance.now();
            await variant.apply(events);
            const seconds = (performance.now() - t0) / 1000;
            const used = process.cpuUsage(cpu0);
            if (run < 0) continue;
            wall.get(variant.name)?.push(events.length / seconds);
            cpu.get(variant.name)?.push(events.length / ((used.user + used.system) / 1e6));
          }
        }
        const storage = summarise(wall.get('storage') ?? []);
        const floorBatched = summarise(wall.get('batched') ?? []);
        const floorOne = summarise(wall.get('one') ?? []);
        const perRun = `${eventsPerRun.toLocaleString('en-US')} events per run (messages, reactions, edits, deletions) into the largest guild`;
        const storageFigure = figure('capture.storage_events_per_s', storage, 'events/s', {
          better: 'higher',
          note: `recordMessage/recordReactionAdded/recordMessagesDeleted in capture batches of ${BATCH}, as the bot's queue commits them; ${perRun}`,
        });
        const batchedFigure = figure('capture.floor_batched_events_per_s', floorBatched, 'events/s', {
          better: 'higher',
          note: `bare prepared upserts of the same rows, ${BATCH} events per transaction`,
        });
        const oneFigure = figure('capture.floor_one_txn_events_per_s', floorOne, 'events/s', {
          better: 'higher',
          note: 'bare prepared upserts of the same rows, all in one transaction',
        });
        const figures: Figure[] = [
          storageFigure,
          batchedFigure,
          oneFigure,
          ratio('capture.storage_vs_batched_floor', storageFigure, batchedFigure, 'goal ≥ 0.7×'),
          ratio('capture.storage_vs_one_txn_floor', storageFigure, oneFigure, 'product / floor in one transaction'),
          figure('capture.storage_events_per_cpu_s', summarise(cpu.get('storage') ?? []), 'events/CPU-s', {
            better: 'higher',
            note: 'the same runs per second of CPU time: steadier than wall time on a shared machine',
          }),
          figure('capture.floor_batched_events_per_cpu_s', summarise(cpu.get('batched') ?? []), 'events/CPU-s', { better: 'higher' }),
        ];
        return figures;
      } finally {
        closeDatabase(db);
      }
    },
  };
}
