// `clipscope sync-twitch --guild ID [--channel LOGIN …]`: pulls every clip of a server's Twitch channels into
// its history (registering the given channels first), with a progress bar per channel.
import { systemClock } from '../../clock';
import { loadConfig } from '../../config';
import {
  ChannelError,
  listTwitchChannels,
  registerTwitchChannels,
  syncTwitchChannel,
  type SyncSummary,
  type TwitchChannel,
} from '../../twitch/channel-sync';
import { TwitchApiError } from '../../twitch/errors';
import { createGameNames } from '../../twitch/game-names';
import { CliError, type CliCommand } from '../command';
import { createProgress } from '../progress';
import { closeCommandDatabase, openCommandDatabase, storageProblemError } from '../database';
import { guildOption, openTwitchForCli, progressStream, requireTwitchCredentials } from '../twitch-client';

const DAY_MS = 86_400_000;

export const syncTwitchCommand: CliCommand = {
  name: 'sync-twitch',
  summary: "Import every clip of a server's Twitch channels (not only those shared in Discord)",
  help: `Usage: clipscope sync-twitch --guild ID [--channel LOGIN ...] [--database PATH]

Pages through Get Clips for each Twitch channel registered for the server and stores every clip with 0
Discord shares, so top creators and top games cover all clips of the channel. --channel registers the
channel first (by login, e.g. --channel bigstreamer or --channel https://twitch.tv/bigstreamer); without
--channel every channel already registered for the server is synced. The first sync reads the channel's
whole history in date windows (narrowed where Twitch's pagination would stop); later syncs start a day
before the newest clip already seen. The service repeats the sync on TWITCH_SYNC_CRON.

Options:
  --guild ID        The Discord server id (required)
  --channel LOGIN   A Twitch channel to register and sync (repeatable)
  --database PATH   SQLite file or postgres:// URL (default: DATABASE_URL, else DATABASE_PATH)

Exit status: 0 when every channel synced; 1 with the reason otherwise.`,
  options: { guild: { type: 'string' }, channel: { type: 'string', multiple: true }, database: { type: 'string' } },
  async run({ values }, io) {
    const guildId = guildOption(values.guild);
    const logins = Array.isArray(values.channel) ? values.channel.filter((v): v is string => typeof v === 'string') : [];
    const config = loadConfig(io.env);
    requireTwitchCredentials(config);
    const db = await openCommandDatabase(io, values.database, { command: 'sync-twitch', needs: ['twitch'] });
    // The same Helix bucket as the service's processes of this client id (ADR 0034).
    const { twitch, logger } = openTwitchForCli(config, io, db);
    const clock = systemClock;
    try {
      let channels: TwitchChannel[];
      try {
        channels =
          logins.length > 0 ? await registerTwitchChannels({ db, clock, twitch }, guildId, logins) : await listTwitchChannels(db, guildId);
      } catch (error) {
        if (error instanceof ChannelError || error instanceof TwitchApiError) throw new CliError(error.message);
        throw (
          storageProblemError(error, db, (problem) => `${problem}; nothing was registered or synced, run again once it is fixed`) ?? error
        );
      }
      if (channels.length === 0) {
        throw new CliError(`no Twitch channels registered for server ${guildId}: pass --channel LOGIN to add one`);
      }
      const gameNames = createGameNames(twitch, clock);
      const done: SyncSummary[] = [];
      const failures: string[] = [];
      for (const channel of channels) {
        const progress = createProgress({ label: `Syncing ${channel.broadcasterLogin}`, unit: 'days', stream: progressStream(io) });
        try {
          const summary = await syncTwitchChannel({ db, clock, logger, twitch, gameNames }, channel, {
            onProgress: (p) => {
              const spanDays = Math.max(1, Math.round((p.to - p.from) / DAY_MS));
              progress.update(Math.round(p.fraction * spanDays), spanDays);
            },
          });
          done.push(summary);
          progress.finish(
            `${channel.broadcasterName}: ${summary.clipsSeen} clips read, ${summary.clipsAdded} new, in ${summary.calls} Twitch calls` +
              (summary.cappedWindows > 0 ? ` (${summary.cappedWindows} busy minutes may miss clips: Twitch's pagination cap)` : ''),
          );
        } catch (error) {
          progress.finish();
          const message = error instanceof Error ? error.message : String(error);
          if (error instanceof TwitchApiError && error.kind === 'auth') throw new CliError(message);
          // Every other channel would meet the same full or busy database: stop here and say so.
          const storage = storageProblemError(
            error,
            db,
            (problem) => `stopped at ${channel.broadcasterLogin}: ${problem}; run again once it is fixed`,
          );
          if (storage) throw storage;
          failures.push(`${channel.broadcasterLogin}: ${message}`);
          io.stderr.write(`${channel.broadcasterLogin} failed: ${message}\n`);
        }
      }
      if (failures.length > 0) {
        throw new CliError(
          `${failures.length} of ${channels.length} channels failed to sync (${failures.join('; ')}); run again to retry them`,
        );
      }
      const added = done.reduce((n, s) => n + s.clipsAdded, 0);
      io.stdout.write(`Synced ${done.length} channel${done.length === 1 ? '' : 's'} for server ${guildId}: ${added} new clips.\n`);
      return 0;
    } finally {
      await closeCommandDatabase(db);
    }
  },
};
