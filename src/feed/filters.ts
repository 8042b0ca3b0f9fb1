// Which of a broadcaster's clips a feed posts (docs/feed.md): pure, so the rule is read and tested in one place.
import type { Feed, FeedClip } from '../db/stores/feeds';

export const WEEK_MS = 7 * 86_400_000;

/** 'post' now; 'wait' for more views (judged again until the clip is a week old); 'skip' for good. */
export type ClipVerdict = 'post' | 'wait' | 'skip';

/** Case- and space-insensitive form of a game or creator name, as filters store them. */
export function normaliseName(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

export function judgeClip(
  feed: Pick<Feed, 'games' | 'excludeGames' | 'creatorsExclude' | 'minViews' | 'postMemberShared'>,
  clip: FeedClip,
  memberShared: boolean,
): ClipVerdict {
  const game = clip.gameName === null ? null : normaliseName(clip.gameName);
  // A clip whose game Twitch has not named yet cannot pass a game list; it waits for the name like for views.
  if (feed.games.length > 0 && game === null && clip.gameId !== '') return 'wait';
  if (feed.games.length > 0 && (game === null || !feed.games.includes(game))) return 'skip';
  if (game !== null && feed.excludeGames.includes(game)) return 'skip';
  if (feed.creatorsExclude.includes(normaliseName(clip.creatorName))) return 'skip';
  if (!feed.postMemberShared && memberShared) return 'skip';
  if (clip.viewCount < feed.minViews) return 'wait';
  return 'post';
}
