// The one container of what slash commands, buttons and the digest need: injected once by the bot service,
// so command files hold no module globals and tests build their own.
import type { MoodAdmin } from '../analytics/mood-overrides';
import type { Analytics } from '../analytics/service';
import type { Clock } from '../clock';
import type { GuildSettingsStore } from '../db/guild-settings';
import type { DigestStore } from '../db/stores/digests';
import type { ReportEmailStore } from '../db/stores/report-emails';
import type { ReportStore } from '../db/stores/reports';
import type { FeedAdmin } from '../feed/admin';
import type { HallOfFameAdmin } from '../hall-of-fame/admin';
import type { Logger } from '../logger';
import type { RolesAdmin } from '../roles/admin';
import type { Pagination } from './pagination';

/** Twitch work an admin can start; owned by src/twitch. */
export interface TwitchAdmin {
  /** Resolves logins to channels and records them for the guild; throws an error with a user-facing message for unknown logins. */
  registerChannels(guildId: string, logins: string[]): Promise<{ login: string; name: string }[]>;
  /** Starts a sync of the guild's channels in the background; progress and errors go to the log and status. */
  startSync(guildId: string): void;
  /** Puts the guild's failed clips back in the enrichment queue; returns how many. */
  retryFailed(guildId: string): Promise<number>;
  /** The guild's followed channels, by login, with their last sync and how many of their clips the guild has. */
  listChannels(guildId: string): Promise<FollowedChannel[]>;
  /** Stops following channels (their clips stay); says which logins were followed and which were not. */
  removeChannels(guildId: string, logins: string[]): Promise<{ removed: FollowedChannel[]; notFollowed: string[] }>;
}

export interface FollowedChannel {
  login: string;
  name: string;
  lastSyncAt: number | null;
  lastSyncError: string | null;
  clips: number;
}

export interface BackfillAdmin {
  /**
   * Crawls a channel's history (resumable); `progress` is called now and then with a one-line status.
   * Resolves with a summary line.
   */
  crawl(input: { guildId: string; channelId: string; since: number | null }, progress: (line: string) => Promise<void>): Promise<string>;
}

/**
 * Work that /clipscope-admin starts but other parts of Clipscope own. A null entry means that part is not
 * available in this process (e.g. no Twitch credentials), and the command says so instead of pretending.
 */
export interface AdminServices {
  /** Recomputes the guild's summary tables now; resolves with a summary line. */
  aggregateGuild: ((guildId: string) => Promise<string>) | null;
  twitch: TwitchAdmin | null;
  /** Creates an API token for the guild; the token is returned once and stored only as a hash. */
  createApiToken: ((guildId: string, name: string) => Promise<{ token: string; prefix: string; name: string }>) | null;
  backfill: BackfillAdmin | null;
  /** The clip feeds (/clipscope-admin feed); null or absent without Twitch credentials. */
  feeds?: FeedAdmin | null;
  /** The hall of fame's settings and standings (/clipscope-admin halloffame, /halloffame); absent in some tests. */
  hallOfFame?: HallOfFameAdmin;
  /** Clipper role rules, previews and history (/clipscope-admin roles); absent in some tests. */
  roles?: RolesAdmin;
  /** Where the monthly report goes (/clipscope-admin report); absent in some tests. */
  reports?: ReportStore;
  /** Who the monthly report is emailed to (/clipscope-admin report-email); absent in some tests. */
  reportEmails?: ReportEmailStore;
  /** The server's mood overrides (/clipscope-admin moods); absent in some tests. */
  moods?: MoodAdmin;
}

export interface BotContext {
  /** Guild settings, for /clipscope-admin and each answer's timezone. */
  settings: GuildSettingsStore;
  /** The digest's posting record, for /clipscope-admin digest. */
  digests: DigestStore;
  /** Where the data lives (a file path, or a server database's name without credentials), for storage-error logs. */
  databaseLocation: string;
  clock: Clock;
  logger: Logger;
  analytics: Analytics;
  pagination: Pagination;
  services: AdminServices;
}
