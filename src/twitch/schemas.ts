// The Helix payload shapes Clipscope reads (https://dev.twitch.tv/docs/api/reference), checked at the edge with zod,
// and the typed records the client hands out; one odd item of a list is rejected on its own.
import { z } from 'zod';

/** RFC 3339 as Helix sends it; also "YYYY-MM-DD HH:MM:SS" (UTC), which the Twitch CLI mock API sends. */
const twitchTime = z.union([
  z.iso.datetime({ offset: true }).transform((v) => Date.parse(v)),
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
    .transform((v) => Date.parse(`${v.replace(' ', 'T')}Z`)),
]);

const helixClipSchema = z.object({
  id: z.string().min(1),
  url: z.string(),
  embed_url: z.string().optional(),
  broadcaster_id: z.string(),
  broadcaster_name: z.string(),
  creator_id: z.string(),
  creator_name: z.string().optional(),
  /** The Twitch CLI mock API names the creator here instead of creator_name. */
  creator_login: z.string().optional(),
  video_id: z.string().optional(),
  /** '' when Twitch knows no game for the clip. */
  game_id: z.string(),
  language: z.string().optional(),
  title: z.string(),
  view_count: z.number().int().nonnegative(),
  created_at: twitchTime,
  thumbnail_url: z.string(),
  duration: z.number().nonnegative(),
  vod_offset: z.number().int().nonnegative().nullable().optional(),
  is_featured: z.boolean().optional(),
});

export const helixGameSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  box_art_url: z.string().optional(),
  igdb_id: z.string().optional(),
});

export const helixUserSchema = z.object({
  id: z.string().min(1),
  login: z.string().min(1),
  display_name: z.string(),
  created_at: twitchTime.optional(),
});

/** A video's length as Twitch writes it ("3h8m33s", "45m2s", "12s"), in whole seconds. */
export function parseTwitchDuration(text: string): number {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!match || text === '') throw new Error(`"${text.slice(0, 40)}" is not a Twitch duration like 3h8m33s`);
  return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}

const helixVideoSchema = z.object({
  id: z.string().min(1),
  stream_id: z.string().nullable().optional(),
  user_id: z.string().min(1),
  user_login: z.string().optional(),
  user_name: z.string(),
  title: z.string(),
  created_at: twitchTime,
  type: z.string(),
  duration: z.string().transform((v, ctx) => {
    try {
      return parseTwitchDuration(v);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  }),
});

export const envelopeSchema = z.object({
  data: z.array(z.unknown()),
  pagination: z.object({ cursor: z.string().optional() }).partial().optional(),
});

export type HelixEnvelope = z.infer<typeof envelopeSchema>;

/** A clip as Clipscope uses it: Helix's fields, with the creation time as epoch ms. */
export interface HelixClip {
  id: string;
  url: string;
  broadcasterId: string;
  broadcasterName: string;
  creatorId: string;
  creatorName: string;
  gameId: string;
  title: string;
  viewCount: number;
  createdAt: number;
  thumbnailUrl: string;
  duration: number;
  /** The broadcast the clip was taken from (null: Twitch names none, e.g. no VOD was kept). */
  videoId: string | null;
  /** Seconds into that broadcast (null: the VOD is gone or not processed yet). */
  vodOffset: number | null;
}

/** A past broadcast (Get Videos, type=archive) as Clipscope uses it. */
export interface HelixVideo {
  id: string;
  streamId: string | null;
  broadcasterId: string;
  broadcasterName: string;
  title: string;
  /** When the broadcast started, epoch ms. */
  startedAt: number;
  durationSeconds: number;
}

export function parseVideo(item: unknown): HelixVideo {
  const video = helixVideoSchema.parse(item);
  return {
    id: video.id,
    streamId: video.stream_id ? video.stream_id : null,
    broadcasterId: video.user_id,
    broadcasterName: video.user_name,
    title: video.title,
    startedAt: video.created_at,
    durationSeconds: video.duration,
  };
}

export interface HelixGame {
  id: string;
  name: string;
}

export interface HelixUser {
  id: string;
  login: string;
  displayName: string;
}

/** An item of a Helix list that did not have the documented shape. */
export interface RejectedItem {
  /** The item's id, when it had a readable one. */
  id: string | null;
  problem: string;
}

export interface ClipLookup {
  clips: HelixClip[];
  rejected: RejectedItem[];
}

export interface ClipPage extends ClipLookup {
  /** The cursor of the next page; absent on the last page. */
  cursor: string | null;
}

export function parseClip(item: unknown): HelixClip {
  const clip = helixClipSchema.parse(item);
  return {
    id: clip.id,
    url: clip.url,
    broadcasterId: clip.broadcaster_id,
    broadcasterName: clip.broadcaster_name,
    creatorId: clip.creator_id,
    creatorName: clip.creator_name ?? clip.creator_login ?? '',
    gameId: clip.game_id,
    title: clip.title,
    viewCount: clip.view_count,
    createdAt: clip.created_at,
    thumbnailUrl: clip.thumbnail_url,
    duration: clip.duration,
    videoId: clip.video_id ? clip.video_id : null,
    // An offset without its broadcast places the clip nowhere: both or neither.
    vodOffset: clip.video_id ? (clip.vod_offset ?? null) : null,
  };
}

/** Parses each list item on its own, so one odd record does not spoil the other 99. */
export function parseItems<T>(items: unknown[], parse: (item: unknown) => T): { clips: T[]; rejected: RejectedItem[] } {
  const parsed: T[] = [];
  const rejected: RejectedItem[] = [];
  for (const item of items) {
    try {
      parsed.push(parse(item));
    } catch (error) {
      const id =
        typeof item === 'object' && item !== null && typeof (item as { id?: unknown }).id === 'string' ? (item as { id: string }).id : null;
      const problem =
        error instanceof z.ZodError ? error.issues.map((i) => `${i.path.join('.') || '(item)'}: ${i.message}`).join('; ') : String(error);
      rejected.push({ id, problem: `Twitch sent a record without the documented shape (${problem.slice(0, 300)})` });
    }
  }
  return { clips: parsed, rejected };
}
