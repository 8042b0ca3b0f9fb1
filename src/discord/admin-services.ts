// Connects /clipscope-admin to the parts of Clipscope that own the work it starts: aggregation, Twitch channel
// sync and enrichment retries, API tokens and history crawls. A part that is not configured stays null.
import { createCrawlStore } from '../capture/service';
import { wasReported } from '../errors';
import { aggregateAnalytics, formatAggregateSummary } from '../analytics/aggregate';
import type { Clock } from '../clock';
import type { Db } from '../db/database';
import { databaseFile, describeStorageProblem } from '../db/storage-errors';
import { createApiToken } from '../auth/tokens';
import type { Logger } from '../logger';
import { createExclusive, type Exclusive } from '../scheduler/exclusive';
import { registerTwitchChannels, removeTwitchChannel, syncGuildChannels } from '../twitch/channel-sync';
import type { TwitchApi } from '../twitch/client';
import { retryFailedClips } from '../db/stores/twitch-clips';
import { backfillChannel, createDiscordRest } from './backfill';
import type { AdminServices, FollowedChannel } from './context';
import { reportEmailStore } from '../db/stores/report-emails';
import { reportStore } from '../db/stores/reports';
import { listTwitchChannelsWithClips } from '../db/stores/twitch-channels';
import { createFeedAdmin } from '../feed/admin';
import { createHallOfFameAdmin } from '../hall-of-fame/admin';
import { createRolesAdmin } from '../roles/admin';
import { createMoodAdmin } from '../analytics/mood-overrides';

export interface AdminServicesDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Null when TWITCH_CLIENT_ID / TWITCH_CLIENT_SECRET are not set. */
  twitch: TwitchApi | null;
  discord: { token: string; apiBaseUrl: string };
  /** Shared with the scheduled aggregation jobs so an admin's run never overlaps them; one of its own by default. */
  aggregation?: Exclusive;
}

export function createAdminServices({
  db,
  clock,
  logger,
  twitch,
  discord,
  aggregation = createExclusive(),
}: AdminServicesDeps): AdminServices {
  const rest = createDiscordRest(discord);
  return {
    aggregateGuild: async (guildId) =>
      formatAggregateSummary(await aggregation.run(() => aggregateAnalytics(db, { guildId }, { clock, logger }))),
    twitch: twitch
      ? {
          registerChannels: async (guildId, logins) =>
            (await registerTwitchChannels({ db, clock, twitch }, guildId, logins)).map((c) => ({
              login: c.broadcasterLogin,
              name: c.broadcasterName,
            })),
          startSync: (guildId) => {
            // Runs in the background: a full first sync of a big channel takes minutes; status shows the outcome.
            syncGuildChannels({ db, clock, twitch, logger }, guildId).then(
              ({ synced, errors }) => logger.info({ guildId, channels: synced.length, errors }, 'Twitch channel sync finished'),
              (error: unknown) => {
                const storage = describeStorageProblem(error, databaseFile(db));
                // Refused credentials have been logged once by the Twitch client already.
                const level = wasReported(error) ? 'debug' : 'error';
                logger[level]({ err: error, guildId }, storage ? `Twitch channel sync stopped: ${storage}` : 'Twitch channel sync failed');
              },
            );
          },
          retryFailed: async (guildId) => retryFailedClips(db, clock.now(), { guildId }),
          listChannels: (guildId) => followedChannels(db, guildId),
          removeChannels: async (guildId, logins) => {
            const followed = new Map((await followedChannels(db, guildId)).map((c) => [c.login, c]));
            const removed: FollowedChannel[] = [];
            const notFollowed: string[] = [];
            for (const login of logins) {
              const channel = followed.get(login);
              if (channel && (await removeTwitchChannel(db, guildId, login))) removed.push(channel);
              else notFollowed.push(login);
            }
            return { removed, notFollowed };
          },
        }
      : null,
    createApiToken: (guildId, name) => createApiToken(db, { guildId, name }, clock.now()),
    feeds: twitch ? createFeedAdmin({ db, clock, twitch }) : null,
    hallOfFame: createHallOfFameAdmin({ db, clock }),
    roles: createRolesAdmin({ db, clock }),
    reports: reportStore(db),
    reportEmails: reportEmailStore(db),
    moods: createMoodAdmin({ db, clock }),
    backfill: {
      crawl: async ({ guildId, channelId, since }, progress) => {
        const result = await backfillChannel(
          { store: createCrawlStore(db), clock, rest },
          {
            channelId,
            guildId,
            since: since ?? undefined,
            onProgress: (p) =>
              progress(
                `${p.messagesScanned.toLocaleString('en-US')} messages scanned, ${p.sharesFound.toLocaleString('en-US')} clip links found…`,
              ),
          },
        );
        const verb = result.status === 'already_complete' ? 'Already complete' : result.status === 'stopped' ? 'Stopped' : 'Done';
        return `${verb}: ${result.messagesScanned.toLocaleString('en-US')} messages scanned, ${result.sharesFound.toLocaleString('en-US')} clip links found.`;
      },
    },
  };
}

async function followedChannels(db: Db, guildId: string): Promise<FollowedChannel[]> {
  return (await listTwitchChannelsWithClips(db, guildId)).map(({ channel: c, clips }) => ({
    login: c.broadcasterLogin,
    name: c.broadcasterName,
    lastSyncAt: c.lastSyncAt,
    lastSyncError: c.lastSyncError,
    clips,
  }));
}
