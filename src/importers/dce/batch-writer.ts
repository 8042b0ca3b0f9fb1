// Turns validated export messages into the same share and reaction rows as live capture (source 'import'), inside the
// import's transactions, without undoing what a newer export, a crawl or live capture already recorded.
import { clipLinksOf, type MessageSnapshot } from '../../capture/record-share';
import { canonicalClipUrl, MAX_SCANNED_LENGTH } from '../../capture/clip-url';
import { emojiKey } from '../../capture/record-reaction';
import type { Db } from '../../db/database';
import { getGuildSettings, readGuildSettings, type GuildSettings } from '../../db/guild-settings';
import type { ImportWrites } from '../../db/stores/imports';
import type { Steps } from '../../db/stores/capture/steps';
import type { ExportedMessage, ExportHeader } from './format';

/** The export's channel together with the guild's capture settings that apply to it. */
export interface ChannelContext extends ExportHeader {
  includeBots: boolean;
  /** Set when the guild captures only some channels and this is not one of them: the file is skipped. */
  notCaptured: boolean;
}

/** The context the messages of an export are recorded in: its channel and the guild's capture settings (SQLite, at once). */
export function channelContext(db: Db, header: ExportHeader): ChannelContext {
  return contextOf(header, readGuildSettings(db, header.guildId));
}

/** channelContext on either engine. */
export async function readChannelContext(db: Db, header: ExportHeader): Promise<ChannelContext> {
  return contextOf(header, await getGuildSettings(db, header.guildId));
}

function contextOf(header: ExportHeader, settings: Pick<GuildSettings, 'includeBots' | 'captureChannelIds'>): ChannelContext {
  return {
    ...header,
    includeBots: settings.includeBots,
    // As live capture: when the guild lists capture channels, only those (a thread by its parent) count.
    notCaptured:
      settings.captureChannelIds.length > 0 &&
      !settings.captureChannelIds.includes(header.channelId) &&
      !settings.captureChannelIds.includes(header.threadId ?? header.channelId),
  };
}

const mentionsTwitch = /twitch\.tv/i;

/** Whether a message may hold a clip link (its text or an embed mentions twitch.tv): most messages do not. */
export function mayHoldClipLinks(message: ExportedMessage): boolean {
  return (
    mentionsTwitch.test(message.content) ||
    message.embeds.some((e) => mentionsTwitch.test(e.url ?? '') || mentionsTwitch.test(e.video?.url ?? ''))
  );
}

/** The text clip links are looked for in: the content and the embeds' links, as clipLinksOf joins them. */
function linkTextLength(message: ExportedMessage): number {
  let length = message.content.length;
  for (const e of message.embeds) length += (e.url ? e.url.length + 1 : 0) + (e.video?.url ? e.video.url.length + 1 : 0);
  return length;
}

/**
 * Whether the message mentions twitch.tv beyond the text capture scans for clip links (MAX_SCANNED_LENGTH characters):
 * only the links before that are recorded, and the import says so. A link cut by the limit counts as beyond it.
 */
export function hasLinksPastScanLimit(message: ExportedMessage): boolean {
  if (linkTextLength(message) <= MAX_SCANNED_LENGTH) return false;
  const embedUrls = message.embeds.flatMap((e) => [e.url, e.video?.url].filter((u): u is string => Boolean(u)));
  const text = [message.content, ...embedUrls].join('\n');
  return mentionsTwitch.test(text.slice(Math.max(0, MAX_SCANNED_LENGTH - 200)));
}

/** What recording one message added: shares, and clip rows this import created (not another writer at once). */
export interface RecordedExport {
  shares: number;
  clips: number;
}

const NOTHING: RecordedExport = { shares: 0, clips: 0 };

/**
 * Records one message's shares and reactions, as steps of the import's writes (run at once on SQLite, awaited on
 * PostgreSQL); returns the shares and clips added. Call inside a transaction.
 */
export function* recordExportedMessage(
  session: ImportWrites,
  ctx: ChannelContext,
  message: ExportedMessage,
  now: number,
): Steps<RecordedExport> {
  if (message.author.isBot && !ctx.includeBots) return NOTHING;
  const embedUrls: string[] = [];
  for (const embed of message.embeds) {
    if (embed.url) embedUrls.push(embed.url);
    if (embed.video?.url) embedUrls.push(embed.video.url);
  }
  // Every read and write below is the export's guild's: a message id another guild also has is a different message.
  const ref = { guildId: ctx.guildId, messageId: message.id };
  const rows = yield* session.sharesOf(ref);
  const maybeLinks = mentionsTwitch.test(message.content) || embedUrls.some((u) => mentionsTwitch.test(u));
  // Most messages share no clip and were never recorded: nothing to do (the cheap common path).
  if (!maybeLinks && rows.length === 0) return NOTHING;
  if (ctx.exportedAt !== null && rows.length > 0) {
    // A newer export or a crawl already recorded this message: this export is older and changes nothing.
    const seen = yield* session.observedAt(ref);
    if (seen !== undefined && seen > ctx.exportedAt) return NOTHING;
  }

  const snapshot: MessageSnapshot = {
    guildId: ctx.guildId,
    channelId: ctx.channelId,
    threadId: ctx.threadId,
    messageId: message.id,
    authorId: message.author.id,
    authorName: message.author.nickname || message.author.name,
    authorIsBot: message.author.isBot,
    postedAt: message.timestamp,
    content: message.content,
    embedUrls,
    source: 'import',
  };
  let toRecord = snapshot;
  if (rows.length > 0) {
    // The database may already know a newer state of this message (live capture, a newer export).
    const links = new Set(clipLinksOf(snapshot).map((l) => l.clipId));
    const wanted = new Set(links);
    for (const row of rows) {
      // Deleted after this export was taken: the export is older than the deletion, which stands.
      if (row.deleted_at !== null && wanted.has(row.clip_id) && (ctx.exportedAt === null || row.deleted_at > ctx.exportedAt)) {
        wanted.delete(row.clip_id);
      }
      // The export shows the message never edited, yet we know a link it lacks: that came from a later edit.
      if (row.deleted_at === null && !wanted.has(row.clip_id) && message.timestampEdited == null) wanted.add(row.clip_id);
    }
    if (wanted.size !== links.size || [...wanted].some((id) => !links.has(id))) {
      toRecord = { ...snapshot, content: '', embedUrls: [...wanted].map(canonicalClipUrl) };
    }
  }
  const change = yield* session.recordMessage(toRecord, clipLinksOf(toRecord), now);
  const recorded = { shares: change.added.length, clips: change.clipsCreated };
  if (rows.length === 0 && change.added.length === 0) return recorded;
  if (ctx.exportedAt !== null) yield* session.observe(ref, ctx.exportedAt);

  for (const reaction of message.reactions) {
    const key = emojiKey(reaction.emoji);
    if (key === null) continue;
    // Live events newer than this export know better than its numbers.
    if (ctx.exportedAt !== null && (yield* session.hasNewerLiveReaction(ref, key, ctx.exportedAt))) continue;
    const userIds = reaction.users?.map((u) => u.id) ?? [];
    yield* session.recordReactionSnapshot(
      {
        guildId: ctx.guildId,
        channelId: ctx.channelId,
        messageId: message.id,
        emojiKey: key,
        count: Math.max(reaction.count, userIds.length),
        userIds,
        // When the reaction happened is unknown; the message's time keeps it in the right period.
        at: message.timestamp,
      },
      now,
    );
  }
  return recorded;
}
