// What /clipscope-admin feed asks of the feed (presentation never holds the database): create, list, edit, pause,
// resume and remove a guild's feeds. A Twitch login is resolved through Get Users; an unknown one is said so.
import type { Clock } from '../clock';
import type { Db } from '../db/database';
import { createFeed, getFeed, listFeeds, removeFeed, setFeedPaused, updateFeed, type Feed, type FeedFilters } from '../db/stores/feeds';
import { ClipscopeError } from '../errors';
import type { TwitchApi } from '../twitch/client';
import { normaliseName } from './filters';

/** A guild may have this many feeds. */
export const MAX_FEEDS_PER_GUILD = 25;

export type { Feed, FeedFilters };

/** A problem with what an admin asked, shown to them as it is. */
export class FeedAdminError extends ClipscopeError {
  constructor(message: string) {
    super('feed_admin', message, { userFacing: true });
  }
}

export interface FeedAdmin {
  /** Creates a feed of `login`'s clips in `channelId`; it posts clips made from now on. */
  add(guildId: string, input: { channelId: string; login: string } & FeedFilters): Promise<Feed>;
  list(guildId: string): Promise<Feed[]>;
  /** Null when the guild has no feed `id`. */
  edit(guildId: string, id: number, change: Partial<FeedFilters> & { channelId?: string }): Promise<Feed | null>;
  /** Pauses (by an admin) or resumes; null when the guild has no feed `id`. */
  setPaused(guildId: string, id: number, paused: boolean): Promise<Feed | null>;
  remove(guildId: string, id: number): Promise<boolean>;
}

/** Names as the filters compare them: trimmed, case-folded, without duplicates. */
export function filterNames(names: readonly string[]): string[] {
  return [...new Set(names.map(normaliseName).filter((n) => n.length > 0))];
}

export function createFeedAdmin(deps: { db: Db; clock: Clock; twitch: TwitchApi }): FeedAdmin {
  const { db, clock } = deps;
  const clean = <T extends Partial<FeedFilters>>(f: T): T => ({
    ...f,
    ...(f.games ? { games: filterNames(f.games) } : {}),
    ...(f.excludeGames ? { excludeGames: filterNames(f.excludeGames) } : {}),
    ...(f.creatorsExclude ? { creatorsExclude: filterNames(f.creatorsExclude) } : {}),
  });
  return {
    async add(guildId, input) {
      if ((await listFeeds(db, guildId)).length >= MAX_FEEDS_PER_GUILD) {
        throw new FeedAdminError(`This server already has ${MAX_FEEDS_PER_GUILD} feeds, the most it may have; remove one first.`);
      }
      const login = input.login.trim().replace(/^@/, '').toLowerCase();
      const [user] = await deps.twitch.getUsersByLogins([login]);
      if (!user) throw new FeedAdminError(`Twitch knows no channel "${login}"; check the login (the name in twitch.tv/<login>).`);
      const { channelId, login: _login, ...filters } = input;
      return createFeed(
        db,
        {
          guildId,
          channelId,
          broadcasterId: user.id,
          broadcasterLogin: user.login.toLowerCase(),
          broadcasterName: user.displayName,
          ...clean(filters),
        },
        clock.now(),
      );
    },
    list: (guildId) => listFeeds(db, guildId),
    edit: (guildId, id, change) => updateFeed(db, guildId, id, clean(change), clock.now()),
    async setPaused(guildId, id, paused) {
      const pause = paused ? { cause: 'admin' as const, reason: 'paused by an admin' } : null;
      if (!(await getFeed(db, guildId, id))) return null;
      await setFeedPaused(db, guildId, id, pause, clock.now());
      return getFeed(db, guildId, id);
    },
    remove: (guildId, id) => removeFeed(db, guildId, id),
  };
}
