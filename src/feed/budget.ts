// The feed's share of the Helix budget: a count of calls per run, on top of the pacer all Twitch work shares
// (src/twitch/pacing.ts), so a burst of feeds cannot crowd out enrichment, view refresh and channel sync.
import { ClipscopeError } from '../errors';
import type { TwitchApi } from '../twitch/client';

export class HelixBudgetSpent extends ClipscopeError {
  constructor() {
    super('feed_helix_budget', "the feed's Helix calls for this run are spent");
  }
}

export interface HelixBudget {
  /** Calls left in this run. */
  readonly left: number;
  /** Takes one call; throws HelixBudgetSpent when none is left. */
  spend(): void;
}

export function helixBudget(calls: number): HelixBudget {
  let left = Math.max(0, Math.floor(calls));
  return {
    get left() {
      return left;
    },
    spend() {
      if (left <= 0) throw new HelixBudgetSpent();
      left -= 1;
    },
  };
}

/**
 * The Twitch client with every call counted against `budget()` (the current run's). Lists are at most 100 ids,
 * one call each: the feed never asks for more at once.
 */
export function budgetedTwitch(twitch: TwitchApi, budget: () => HelixBudget): TwitchApi {
  return {
    async getClipsByIds(ids) {
      budget().spend();
      return twitch.getClipsByIds(ids);
    },
    async getClipsByBroadcaster(query) {
      budget().spend();
      return twitch.getClipsByBroadcaster(query);
    },
    async getGamesByIds(ids) {
      budget().spend();
      return twitch.getGamesByIds(ids);
    },
    async getUsersByLogins(logins) {
      budget().spend();
      return twitch.getUsersByLogins(logins);
    },
    async getArchiveVideos(query) {
      budget().spend();
      return twitch.getArchiveVideos(query);
    },
  };
}
