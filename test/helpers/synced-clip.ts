// A Twitch clip as the channel sync writes it (writeSyncedClips), for tests that need clips with a known creator,
// view count and creation time: one broadcaster, one game, nothing else varying.
import type { TwitchClipRecord } from '../../src/db/stores/twitch-clips';

export interface SyncedClip {
  clip: TwitchClipRecord;
  url: string;
}

/** Clip `id` by Twitch user `creator` (named `Clipper<creator>` unless `creatorName` is given). */
export function syncedClip(id: string, creator: string, views: number, createdAt: number, creatorName = `Clipper${creator}`): SyncedClip {
  return {
    clip: {
      id,
      broadcasterId: 'b1',
      broadcasterName: 'Streamer',
      creatorId: creator,
      creatorName,
      gameId: 'g1',
      title: id,
      viewCount: views,
      createdAt,
      thumbnailUrl: '',
      duration: 30,
      videoId: null,
      vodOffset: null,
    },
    url: `https://clips.twitch.tv/${id}`,
  };
}
