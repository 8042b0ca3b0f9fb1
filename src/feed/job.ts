// The clip feed's scheduled job (docs/feed.md): every minute, for each broadcaster some feed follows, take its lease
// (one process at a time), poll it when due within this run's Helix calls, then deliver each of its feeds.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../clock';
import type { Db } from '../db/database';
import { leaseBroadcaster, listAllFeeds, releaseBroadcaster, type AgedViews, type Feed } from '../db/stores/feeds';
import type { Logger } from '../logger';
import type { Job } from '../scheduler/scheduler';
import type { TwitchApi } from '../twitch/client';
import { createGameNames } from '../twitch/game-names';
import { budgetedTwitch, helixBudget, type HelixBudget } from './budget';
import { FAST_MS } from './cadence';
import { deliverFeed } from './deliver';
import { MAX_REFRESH_CALLS_PER_POLL, pollBroadcaster } from './poll';
import { alertTakingOff } from './taking-off';
import type { FeedSender } from './sender';

export const FEED_JOB_NAME = 'clip-feed';
/** Every minute: a busy channel is polled every FAST_MS, a feed's new clips go out within a minute of being seen. */
export const FEED_JOB_CRON = '15 * * * * *';
/** How long a broadcaster's lease lasts: longer than a run takes (bounded by RUN_DEADLINE_MS), so it is not taken over. */
const LEASE_MS = 5 * 60_000;
/** Deliveries stop starting after this long into a run; the rest wait for the next. */
const RUN_DEADLINE_MS = 2 * 60_000;

export interface FeedJobDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  twitch: TwitchApi;
  sender: FeedSender;
  /** Helix calls one run may make (FEED_HELIX_CALLS_PER_RUN). */
  helixCallsPerRun: number;
  /** This process's name in leases; a random one by default. */
  owner?: string;
}

export interface FeedRunSummary {
  broadcasters: number;
  polled: number;
  calls: number;
  posted: number;
  summarised: number;
  /** Taking-off alerts posted. */
  alerts: number;
  paused: number;
  resumed: number;
  /** Broadcasters another process held. */
  busy: number;
}

export interface FeedRunner {
  runOnce(): Promise<FeedRunSummary>;
}

export function createFeedRunner(deps: FeedJobDeps): FeedRunner {
  const owner = deps.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const logger = deps.logger.child({ component: 'feed' });
  let budget: HelixBudget = helixBudget(0);
  const twitch = budgetedTwitch(deps.twitch, () => budget);
  // Game names are remembered across runs (for a day), so a busy channel's few games cost one call.
  const gameNames = createGameNames(twitch, deps.clock);
  return {
    async runOnce() {
      budget = helixBudget(deps.helixCallsPerRun);
      const started = deps.clock.now();
      const deadline = started + RUN_DEADLINE_MS;
      const summary: FeedRunSummary = {
        broadcasters: 0,
        polled: 0,
        calls: 0,
        posted: 0,
        summarised: 0,
        alerts: 0,
        paused: 0,
        resumed: 0,
        busy: 0,
      };
      // Taking-off histories read this run, shared by the feeds of a server.
      const histories = new Map<string, AgedViews[][]>();
      const byBroadcaster = new Map<string, Feed[]>();
      for (const feed of await listAllFeeds(deps.db)) {
        if (feed.paused && feed.pauseCause === 'admin') continue;
        byBroadcaster.set(feed.broadcasterId, [...(byBroadcaster.get(feed.broadcasterId) ?? []), feed]);
      }
      let left = byBroadcaster.size;
      for (const [broadcasterId, feeds] of byBroadcaster) {
        summary.broadcasters += 1;
        left -= 1;
        const now = deps.clock.now();
        const state = await leaseBroadcaster(deps.db, { broadcasterId, owner, now, leaseUntil: now + LEASE_MS, intervalMs: FAST_MS });
        if (!state) {
          summary.busy += 1;
          continue;
        }
        try {
          if (state.nextPollAt <= now && budget.left > 0) {
            await pollBroadcaster({ db: deps.db, twitch, gameNames, logger, owner }, state, {
              now,
              from: Math.min(...feeds.map((f) => f.startsAt)),
              minViews: Math.max(0, ...feeds.map((f) => f.minViews)),
              takingOff: feeds.some((f) => f.takingOff),
              refreshCalls: refreshShare(budget.left, left + 1),
            });
            summary.polled += 1;
          }
          for (const feed of feeds) {
            if (deps.clock.now() > deadline) break;
            try {
              const feedDeps = { db: deps.db, sender: deps.sender, logger, now: () => deps.clock.now(), histories };
              const d = await deliverFeed(feedDeps, feed, deadline);
              if (!d.pausedFor) summary.alerts += await alertTakingOff(feedDeps, { ...feed, paused: feed.paused && !d.resumed }, deadline);
              summary.posted += d.posted;
              summary.summarised += d.summarised;
              if (d.pausedFor) summary.paused += 1;
              if (d.resumed) summary.resumed += 1;
            } catch (error) {
              logger.error({ err: error, guildId: feed.guildId, feedId: feed.id }, 'clip feed delivery failed; the next run tries again');
            }
          }
        } finally {
          await releaseBroadcaster(deps.db, broadcasterId, owner);
        }
      }
      // Every Helix call of the run went through the budget (Get Clips pages, view refreshes, game names).
      summary.calls = deps.helixCallsPerRun - budget.left;
      return summary;
    },
  };
}

/**
 * The Get Clips calls one broadcaster's poll may spend reading views again: an even share of the run's calls left
 * among the broadcasters still to come (this one included), less the call its own window needs, at least one, at most
 * MAX_REFRESH_CALLS_PER_POLL. A busy channel with thousands of clips waiting cannot take the calls of the others.
 */
export function refreshShare(callsLeft: number, broadcastersLeft: number): number {
  return Math.max(1, Math.min(MAX_REFRESH_CALLS_PER_POLL, Math.floor(callsLeft / Math.max(1, broadcastersLeft)) - 1));
}

export function formatFeedSummary(s: FeedRunSummary): string {
  if (s.broadcasters === 0) return 'no feeds';
  const parts = [`${s.polled} of ${s.broadcasters} channels polled (${s.calls} Helix calls)`, `${s.posted} clips posted`];
  if (s.summarised > 0) parts.push(`${s.summarised} summarised`);
  if (s.alerts > 0) parts.push(`${s.alerts} taking-off alerts`);
  if (s.paused > 0) parts.push(`${s.paused} feeds paused for permissions`);
  if (s.resumed > 0) parts.push(`${s.resumed} resumed`);
  if (s.busy > 0) parts.push(`${s.busy} channels held by another process`);
  return parts.join(', ');
}

export function createFeedJob(deps: FeedJobDeps): Job {
  const runner = createFeedRunner(deps);
  return { name: FEED_JOB_NAME, cron: FEED_JOB_CRON, run: async () => formatFeedSummary(await runner.runOnce()) };
}
