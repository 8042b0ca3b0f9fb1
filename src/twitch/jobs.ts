// The scheduled Twitch work: enrichment every ENRICH_INTERVAL_SECONDS, view refresh, and the sync of every
// guild's registered channels. All three share one Twurple client, so they share its rate-limit budget.
import type { Clock } from '../clock';
import type { Config } from '../config';
import type { Db } from '../db/client';
import { isTransientDatabaseError } from '../db/storage-errors';
import { thinViewHistory } from '../db/stores/twitch-clips';
import type { Logger } from '../logger';
import type { Job } from '../scheduler/scheduler';
import { listAllTwitchChannels, syncTwitchChannel } from './channel-sync';
import type { TwitchApi } from './client';
import { TwitchApiError } from './errors';
import { enrichPending } from './enrich';
import { repairDueGameNames } from './game-name-repair';
import { createGameNames } from './game-names';
import { refreshScheduleFromMinutes, refreshViews } from './refresh';

/** Get Clips calls per scheduled run at most: about a minute of Helix budget, so other jobs get their turn. */
const ENRICH_BATCHES_PER_RUN = 600;
const REFRESH_BATCHES_PER_RUN = 150;
/** Clips whose old view history one refresh run thins (ADR 0041): a few seconds at most, the table covered in days. */
const THIN_CLIPS_PER_RUN = 2_000;

/**
 * A node-cron expression firing every `seconds` seconds. node-cron counts within the minute (or hour), so an
 * interval that does not divide it evenly runs a little early at the boundary; whole minutes and hours are exact.
 */
export function everySecondsCron(seconds: number): string {
  if (seconds < 60) return `*/${seconds} * * * * *`;
  const minutes = Math.max(1, Math.round(seconds / 60));
  if (minutes < 60) return `0 */${minutes} * * * *`;
  const hours = Math.max(1, Math.round(minutes / 60));
  return hours < 24 ? `0 0 */${hours} * * *` : '0 0 0 * * *';
}

export interface TwitchJobsDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  twitch: TwitchApi;
  config: Pick<
    Config,
    | 'ENRICH_INTERVAL_SECONDS'
    | 'ENRICH_MAX_ATTEMPTS'
    | 'REFRESH_YOUNG_MINUTES'
    | 'REFRESH_RECENT_MINUTES'
    | 'REFRESH_OLD_MINUTES'
    | 'REFRESH_CRON'
    | 'TWITCH_SYNC_CRON'
  >;
}

export function createTwitchJobs({ db, clock, logger, twitch, config }: TwitchJobsDeps): Job[] {
  const gameNames = createGameNames(twitch, clock);
  const log = logger.child({ component: 'twitch' });
  /**
   * Asks Twitch again for the names of games it left out, whose back-off has passed (one Get Games call at most).
   * A Twitch failure here only delays the names: it is logged and the enrichment run still counts as done.
   */
  const repairNames = async (): Promise<string | null> => {
    const { summary: r, deferred } = await repairDueGameNames({ db, clock, twitch, gameNames });
    if (deferred) {
      log.warn({ err: deferred.message }, 'game name lookup failed; it is retried on the next run');
      return null;
    }
    if (r.asked === 0) return null;
    if (r.named > 0) log.info({ games: r.named, clips: r.clipsNamed }, 'game names Twitch had left out are now known');
    return `game names: ${r.named} of ${r.asked} found${r.stillUnknown > 0 ? `, ${r.stillUnknown} still unknown to Twitch` : ''}`;
  };
  // Where the view-history thinning stopped: the next refresh run goes on from there ('' = the table's start).
  let thinAfter = '';
  return [
    {
      name: 'twitch-enrich',
      cron: everySecondsCron(config.ENRICH_INTERVAL_SECONDS),
      async run() {
        const s = await enrichPending(
          { db, clock, logger: log, twitch, maxAttempts: config.ENRICH_MAX_ATTEMPTS, gameNames },
          { maxBatches: ENRICH_BATCHES_PER_RUN },
        );
        const names = await repairNames();
        // Clips another process had claimed are its to enrich; said so the run history shows why they were left.
        const held = s.heldElsewhere > 0 ? `; ${s.heldElsewhere} left to another process's claims` : '';
        if (s.batches === 0) return `${names ? `nothing pending; ${names}` : 'nothing pending'}${held}`;
        return `enriched ${s.enriched}, not found ${s.notFound}, retrying ${s.retrying}, failed ${s.failed}${names ? `; ${names}` : ''}${held}`;
      },
    },
    {
      name: 'twitch-refresh',
      cron: config.REFRESH_CRON,
      async run() {
        const schedule = refreshScheduleFromMinutes(
          config.REFRESH_YOUNG_MINUTES,
          config.REFRESH_RECENT_MINUTES,
          config.REFRESH_OLD_MINUTES,
        );
        const s = await refreshViews({ db, clock, logger: log, twitch, schedule, gameNames }, { maxBatches: REFRESH_BATCHES_PER_RUN });
        if (s.lastError) throw new Error(`refreshed ${s.refreshed} of ${s.due} due clips; ${s.lastError}`);
        // The refresh writes the history, so it also thins its old part, a slice of clips per run.
        const thinned = await thinViewHistory(db, clock.now(), { after: thinAfter, clips: THIN_CLIPS_PER_RUN });
        thinAfter = thinned.next ?? '';
        const thinnedNote = thinned.deleted > 0 ? `, ${thinned.deleted} old view readings thinned` : '';
        return `refreshed ${s.refreshed} of ${s.due} due clips, not found ${s.notFound}${thinnedNote}`;
      },
    },
    {
      name: 'twitch-channel-sync',
      cron: config.TWITCH_SYNC_CRON,
      async run() {
        const channels = await listAllTwitchChannels(db);
        let added = 0;
        const failures: string[] = [];
        for (const channel of channels) {
          try {
            const s = await syncTwitchChannel({ db, clock, logger: log, twitch, gameNames }, channel);
            added += s.clipsAdded;
            log.info(
              { guildId: channel.guildId, channel: channel.broadcasterLogin, added: s.clipsAdded, calls: s.calls },
              'channel synced',
            );
          } catch (error) {
            // A full or busy database, or refused credentials, fail every channel alike: stop, and let the scheduler
            // (or the Twitch client, for credentials) say so once.
            if (isTransientDatabaseError(error) || (error instanceof TwitchApiError && error.kind === 'auth')) throw error;
            failures.push(
              `${channel.broadcasterLogin} (guild ${channel.guildId}): ${error instanceof Error ? error.message : String(error)}`,
            );
          }
        }
        if (failures.length > 0) throw new Error(`${failures.length} of ${channels.length} channel syncs failed: ${failures.join('; ')}`);
        return `${channels.length} channels synced, ${added} new clips`;
      },
    },
  ];
}
