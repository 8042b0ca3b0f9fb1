// `clipscope twitch-channels add|list|remove --guild ID [LOGIN …]`: which Twitch channels a server follows.
import { systemClock } from '../../clock';
import { loadConfig } from '../../config';
import { ChannelError, listTwitchChannels, registerTwitchChannels, removeTwitchChannel } from '../../twitch/channel-sync';
import { TwitchApiError } from '../../twitch/errors';
import { CliError, type CliCommand } from '../command';
import { guildOption, openTwitchForCli } from '../twitch-client';
import { closeCommandDatabase, openCommandDatabase } from '../database';

export const twitchChannelsCommand: CliCommand = {
  name: 'twitch-channels',
  summary: 'Add, list or remove the Twitch channels a server syncs all clips of',
  help: `Usage: clipscope twitch-channels add --guild ID LOGIN...
       clipscope twitch-channels list --guild ID
       clipscope twitch-channels remove --guild ID LOGIN...

add      Looks the logins up on Twitch (Get Users) and registers them; nothing is added if one is unknown.
         "clipscope sync-twitch --guild ID" (or the service, on TWITCH_SYNC_CRON) then imports their clips.
list     Shows the registered channels and how far each is synced.
remove   Stops syncing a channel; the clips it brought stay in the server's history.

Options:
  --guild ID        The Discord server id (required)
  --database PATH   SQLite file or postgres:// URL (default: DATABASE_URL, else DATABASE_PATH)`,
  options: { guild: { type: 'string' }, database: { type: 'string' } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const [action, ...logins] = positionals;
    if (action !== 'add' && action !== 'list' && action !== 'remove') {
      throw new CliError('say what to do: clipscope twitch-channels add|list|remove --guild ID [LOGIN...]', 2);
    }
    const guildId = guildOption(values.guild);
    if (action !== 'list' && logins.length === 0) throw new CliError(`give the Twitch login(s) to ${action}`, 2);
    const config = loadConfig(io.env);
    // Listing and removing use the channel store alone; adding also syncs through the Twitch stores.
    const needs = action === 'add' ? (['twitch'] as const) : [];
    const db = await openCommandDatabase(io, values.database, { command: 'twitch-channels', needs });
    try {
      if (action === 'list') {
        const channels = await listTwitchChannels(db, guildId);
        if (channels.length === 0) {
          io.stdout.write(`No Twitch channels registered for server ${guildId}.\n`);
          return 0;
        }
        for (const c of channels) {
          const synced = c.lastSyncAt === null ? 'never synced' : `last sync ${new Date(c.lastSyncAt).toISOString()}`;
          const through = c.syncedThrough === null ? '' : `, clips through ${new Date(c.syncedThrough).toISOString()}`;
          const error = c.lastSyncError ? `, last error: ${c.lastSyncError}` : '';
          io.stdout.write(`${c.broadcasterLogin} (${c.broadcasterName}, id ${c.broadcasterId}): ${synced}${through}${error}\n`);
        }
        return 0;
      }
      if (action === 'remove') {
        const missing: string[] = [];
        for (const login of logins) {
          try {
            if (!(await removeTwitchChannel(db, guildId, login))) missing.push(login);
          } catch (error) {
            if (error instanceof ChannelError) throw new CliError(error.message, 2);
            throw error;
          }
        }
        const removed = logins.length - missing.length;
        io.stdout.write(`Removed ${removed} channel${removed === 1 ? '' : 's'} from server ${guildId}; their clips stay.\n`);
        if (missing.length > 0) throw new CliError(`not registered for server ${guildId}: ${missing.join(', ')}`);
        return 0;
      }
      const { twitch } = openTwitchForCli(config, io, db);
      try {
        const added = await registerTwitchChannels({ db, clock: systemClock, twitch }, guildId, logins);
        for (const c of added) io.stdout.write(`Registered ${c.broadcasterLogin} (${c.broadcasterName}, id ${c.broadcasterId}).\n`);
        io.stdout.write(`Run "clipscope sync-twitch --guild ${guildId}" to import their clips now.\n`);
        return 0;
      } catch (error) {
        if (error instanceof ChannelError || error instanceof TwitchApiError) throw new CliError(error.message);
        throw error;
      }
    } finally {
      await closeCommandDatabase(db);
    }
  },
};
