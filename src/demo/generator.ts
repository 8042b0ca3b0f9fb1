// Writes a synthetic community into a Clipscope database through the product's own write paths
// (recordMessage, recordReactionAdded, recordMessagesDeleted, guild settings, the enrichment writer),
// in transactions of about a thousand writes, as live capture would. Deterministic: same options, same rows.
import type { Db } from '../db/client';
import { writeGuildSettings } from '../db/guild-settings';
import type { MessageSnapshot } from '../capture/record-share';
import { recordMessageNow, recordMessagesDeletedNow, recordReactionAddedNow } from '../capture/record-now';
import {
  buildGuild,
  createGuildContext,
  resolveCommunity,
  type ClipModel,
  type CommunityOptions,
  type GuildModel,
  type MessageModel,
  type ResolvedCommunityOptions,
} from './community';
import { connectionNow } from '../db/client';
import { writeSyncedClipsOn, writeTwitchClipOn, writeViewReadingsOn } from '../db/stores/twitch-clips';
import { upsertTwitchVideosOn, type TwitchVideoRecord } from '../db/stores/twitch-videos';
import { readingTimes, viewsAt, viewShapes, type ClipViewShape } from './view-history';
import { canonicalClipUrl } from '../capture/clip-url';
import { nextGameNameTry, unnamedGameIds } from '../twitch/game-name-repair';
import type { HelixClip } from '../twitch/schemas';
import { inBulkTransaction, withBulkLoadPragmas } from '../db/bulk';

export { resolveSize, SIZES, type SizeName, type CommunityOptions } from './community';

/** Writes per transaction (messages, reactions, clip rows, edits, deletions). */
export const WRITES_PER_TRANSACTION = 1000;

export interface GenerateOptions extends CommunityOptions {
  /** Called now and then with clips written so far and the total. */
  onProgress?: (doneClips: number, totalClips: number) => void;
  /** Only build these guild indexes (0 = largest); for splitting the work between processes. */
  onlyGuilds?: readonly number[];
  /**
   * For a fresh file nobody else has open: keep the rollback journal in memory and skip fsyncs during the build
   * (a crash means building again), then return to WAL and synchronous=NORMAL. A tenth of the disk writes.
   */
  bulk?: boolean;
}

export interface GenerateSummary {
  guilds: number;
  clips: number;
  sharedClips: number;
  messages: number;
  shares: number;
  reactions: number;
  edits: number;
  deletions: number;
  /** View readings in clip_view_history (the first lookups and the view refresh's later ones). */
  viewReadings: number;
  /** Product write calls made, each one event a live bot would have seen. */
  writes: number;
  durationMs: number;
}

/**
 * Generates the community into `db` (normally a fresh database). Synchronous: the whole build runs in tight
 * transactions; progress is reported through the callback between them.
 */
export function generateCommunity(target: Db, options: GenerateOptions): GenerateSummary {
  if (!options.bulk) return generateInto(target, options);
  return withBulkLoadPragmas(target, () => generateInto(target, options));
}

function generateInto(db: Db, options: GenerateOptions): GenerateSummary {
  const started = performance.now();
  const resolved = resolveCommunity(options);
  const context = createGuildContext(resolved);
  const guildIndexes = options.onlyGuilds ?? resolved.guildSizes.map((_, i) => i);
  const total = guildIndexes.reduce((sum, i) => sum + (resolved.guildSizes[i] ?? 0), 0);
  const summary: GenerateSummary = {
    guilds: guildIndexes.length,
    clips: 0,
    sharedClips: 0,
    messages: 0,
    shares: 0,
    reactions: 0,
    edits: 0,
    deletions: 0,
    viewReadings: 0,
    writes: 0,
    durationMs: 0,
  };
  let done = 0;
  options.onProgress?.(0, total);
  for (const index of guildIndexes) {
    const guild = buildGuild(context, index);
    writeGuild(db, resolved, guild, summary, (clips) => {
      done += clips;
      options.onProgress?.(done, total);
    });
  }
  summary.durationMs = performance.now() - started;
  return summary;
}

type WorkItem = { kind: 'sync'; at: number; clip: number } | { kind: 'message'; at: number; message: MessageModel };

function writeGuild(
  db: Db,
  resolved: ResolvedCommunityOptions,
  guild: GuildModel,
  summary: GenerateSummary,
  onClips: (n: number) => void,
): void {
  const streams = streamsOf(guild);
  inBulkTransaction(db, () => {
    writeGuildSettings(db, guild.id, { guildName: guild.name, timezone: guild.timezone }, resolved.startAt);
    // The broadcasts the channel sync would have read for the guild's channels (stream moments).
    upsertTwitchVideosOn(connectionNow(db), guild.id, streams.videos, resolved.startAt);
  });

  // Live order: Twitch sync finds unshared clips; messages arrive with their reactions, edits and deletions.
  const items: WorkItem[] = [];
  guild.clips.forEach((clip, i) => {
    if (!clip.shared) items.push({ kind: 'sync', at: clip.seenAt, clip: i });
  });
  const shapes = viewShapes(resolved.seed, guild.index, guild.clips);
  const views = (clip: number) => writeViewHistory(db, guild, clip, shapes[clip] as ClipViewShape, resolved.endAt, summary);
  for (const message of guild.messages) items.push({ kind: 'message', at: message.postedAt, message });
  items.sort((a, b) => a.at - b.at);

  let next = 0;
  while (next < items.length) {
    let writes = 0;
    let clipsInBatch = 0;
    inBulkTransaction(db, () => {
      while (next < items.length && writes < WRITES_PER_TRANSACTION) {
        const item = items[next++] as WorkItem;
        if (item.kind === 'sync') {
          // The Twitch channel sync's own write: a new 'twitch_sync' row plus Helix's data on every guild's row.
          const model = guild.clips[item.clip] as ClipModel;
          const names = new Map([[model.game.id, model.game.name as string | null]]);
          const clip = helixClipOf(model, streams.placement.get(model.clipId));
          const at = model.seenAt;
          writeSyncedClipsOn(
            connectionNow(db),
            guild.id,
            [{ clip, url: canonicalClipUrl(clip.id) }],
            names,
            unnamedGameIds(names),
            nextGameNameTry(1, at),
            at,
          );
          writes += 2 + views(item.clip);
          clipsInBatch++;
          summary.clips++;
        } else {
          writes += writeMessage(db, guild, item.message, summary);
          for (const clip of item.message.firstShareOf) writes += views(clip);
          clipsInBatch += item.message.firstShareOf.length;
        }
      }
    });
    summary.writes += writes;
    onClips(clipsInBatch);
  }
}

/**
 * The clip's view history after its first lookup (src/demo/view-history.ts): the earlier readings as the view refresh
 * stored them, then its latest lookup through the refresh's own write, which leaves the row's views and
 * views_refreshed_at as a live bot's would be. Returns the writes made.
 */
function writeViewHistory(db: Db, guild: GuildModel, index: number, shape: ClipViewShape, endAt: number, summary: GenerateSummary): number {
  const clip = guild.clips[index] as ClipModel;
  const times = readingTimes(clip.createdAt, clip.seenAt, endAt, shape.jitterSeed);
  const counts = viewsAt(times, clip.createdAt, shape.halfMs, clip.viewCount);
  const c = connectionNow(db);
  // Every reading but the latest (the first lookup's own reading is overwritten with the count of its time).
  const earlier = times.slice(0, -1).map((at, i) => [at, counts[i] as number] as const);
  writeViewReadingsOn(c, clip.clipId, earlier);
  summary.viewReadings += times.length;
  if (times.length === 1) return 0;
  writeTwitchClipOn(c, helixClipOf(clip, placements.get(guild)?.get(clip.clipId)), {
    now: times[times.length - 1] as number,
    gameName: clip.game.name,
  });
  return earlier.length + 1;
}

/** A model message as live capture would see it, recorded under `guildId`; null when its author is unknown. */
export function messageSnapshotOf(guildId: string, guild: GuildModel, message: MessageModel): MessageSnapshot | null {
  const author = guild.members[message.author];
  if (!author) return null;
  return {
    guildId,
    channelId: message.channelId,
    threadId: message.threadId,
    messageId: message.id,
    authorId: author.id,
    authorName: author.name,
    authorIsBot: author.isBot,
    postedAt: message.postedAt,
    content: message.content,
    source: 'discord',
  };
}

function writeMessage(db: Db, guild: GuildModel, message: MessageModel, summary: GenerateSummary): number {
  let writes = 1;
  const snapshot = messageSnapshotOf(guild.id, guild, message);
  if (!snapshot) throw new Error(`message ${message.id} has no author`);
  const change = recordMessageNow(db, snapshot, message.postedAt);
  summary.messages++;
  summary.shares += change.added.length;
  for (const clipIndex of message.firstShareOf) {
    const clip = guild.clips[clipIndex] as ClipModel;
    // The enrichment job's own write for a successful Get Clips answer.
    writeTwitchClipOn(connectionNow(db), helixClipOf(clip, placements.get(guild)?.get(clip.clipId)), {
      now: clip.seenAt,
      gameName: clip.game.name,
    });
    writes++;
    summary.clips++;
    summary.sharedClips++;
  }

  // Reactions, the edit and the deletion, in the order they happened.
  let editDone = message.edit === null;
  for (const reaction of message.reactions) {
    if (!editDone && message.edit && message.edit.at <= reaction.at) {
      recordMessageNow(db, { ...snapshot, content: message.edit.content }, message.edit.at);
      editDone = true;
      summary.edits++;
      writes++;
    }
    const emoji = guild.emojis[reaction.emoji];
    const user = guild.members[reaction.user];
    if (!emoji || !user) throw new Error(`reaction on ${message.id} refers to an unknown emoji or member`);
    recordReactionAddedNow(
      db,
      { guildId: guild.id, channelId: message.channelId, messageId: message.id, emojiKey: emoji.key, userId: user.id, at: reaction.at },
      reaction.at,
    );
    summary.reactions++;
    writes++;
  }
  if (!editDone && message.edit) {
    recordMessageNow(db, { ...snapshot, content: message.edit.content }, message.edit.at);
    summary.edits++;
    writes++;
  }
  if (message.deletedAt !== null) {
    recordMessagesDeletedNow(db, guild.id, [message.id], message.deletedAt);
    summary.deletions++;
    writes++;
  }
  return writes;
}

const DAY_MS = 86_400_000;

/** Where Twitch would place a clip in its broadcast. */
export interface ClipPlacement {
  videoId: string;
  vodOffset: number | null;
}

/** A small stable hash of a text (FNV-1a), so derived details vary without drawing from the model's random stream. */
function hashOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const placements = new WeakMap<GuildModel, Map<string, ClipPlacement>>();

/**
 * The guild's broadcasts, derived from its clips without changing the model: one per broadcaster and UTC day with
 * clips, starting 10 to 40 minutes before the day's first clip and ending 15 minutes after its last. One clip in ten
 * has no offset (its VOD expired before Twitch was asked), as Twitch answers for old clips.
 */
export function streamsOf(guild: GuildModel): { videos: TwitchVideoRecord[]; placement: Map<string, ClipPlacement> } {
  const days = new Map<string, { broadcaster: ClipModel['broadcaster']; first: number; last: number; clips: ClipModel[] }>();
  for (const clip of guild.clips) {
    const key = `${clip.broadcaster.id}:${Math.floor(clip.createdAt / DAY_MS)}`;
    const day = days.get(key);
    if (!day) days.set(key, { broadcaster: clip.broadcaster, first: clip.createdAt, last: clip.createdAt, clips: [clip] });
    else {
      day.first = Math.min(day.first, clip.createdAt);
      day.last = Math.max(day.last, clip.createdAt);
      day.clips.push(clip);
    }
  }
  const videos: TwitchVideoRecord[] = [];
  const placement = new Map<string, ClipPlacement>();
  for (const [key, day] of days) {
    const id = String(1_000_000_000 + (hashOf(key) % 1_000_000_000));
    const startedAt = day.first - (600 + (hashOf(`${key}:lead`) % 1800)) * 1000;
    videos.push({
      id,
      streamId: null,
      broadcasterId: day.broadcaster.id,
      broadcasterName: day.broadcaster.name,
      title: `${day.broadcaster.name} live: ${new Date(startedAt).toISOString().slice(0, 10)}`,
      startedAt,
      durationSeconds: Math.ceil((day.last - startedAt) / 1000) + 900,
    });
    for (const clip of day.clips)
      placement.set(clip.clipId, {
        videoId: id,
        vodOffset: hashOf(`${clip.clipId}:vod`) % 10 === 0 ? null : Math.floor((clip.createdAt - startedAt) / 1000),
      });
  }
  placements.set(guild, placement);
  return { videos, placement };
}

/** The clip as Helix Get Clips describes it (src/twitch/schemas.ts), for the Twitch writers. */
export function helixClipOf(clip: ClipModel, placement?: ClipPlacement): HelixClip {
  return {
    id: clip.clipId,
    url: clip.url,
    title: clip.title,
    broadcasterId: clip.broadcaster.id,
    broadcasterName: clip.broadcaster.name,
    creatorId: clip.creator.id,
    creatorName: clip.creator.name,
    gameId: clip.game.id,
    viewCount: clip.viewCount,
    duration: clip.duration,
    thumbnailUrl: clip.thumbnailUrl,
    createdAt: clip.createdAt,
    videoId: placement?.videoId ?? null,
    vodOffset: placement?.vodOffset ?? null,
  };
}
