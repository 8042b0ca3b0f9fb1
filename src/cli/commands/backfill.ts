// `clipscope backfill --channel ID`: crawls a channel's history through the bot's REST API (resumable).
import { createCrawlStore } from '../../capture/service';
import { systemClock } from '../../clock';
import { loadConfig } from '../../config';
import { BackfillError, backfillChannel, createDiscordRest } from '../../discord/backfill';
import { CliError, type CliCommand } from '../command';
import { createProgress } from '../progress';
import { closeCommandDatabase, openCommandDatabase } from '../database';

export const backfillCommand: CliCommand = {
  name: 'backfill',
  summary: "Crawl a channel's message history through the bot and record its clip shares",
  help: `Usage: clipscope backfill --channel ID [--guild ID] [--since DATE] [--restart] [--database PATH]

Pages backwards through the channel's (or thread's) history over Discord's REST API, 100 messages per
request, records every Twitch clip link as a share and fetches who reacted to those messages. Discord's
rate limits are honoured. A checkpoint per channel is saved after every page: stop it (Ctrl-C) or let it
fail, and the next run continues where it stopped. Safe to run while the bot is capturing live.

Needs DISCORD_TOKEN (the bot must be able to View Channel and Read Message History there).

Options:
  --channel ID      The channel or thread to crawl (required)
  --guild ID        Check that the channel belongs to this server
  --since DATE      Stop at messages older than this (e.g. 2024-01-01 or 2024-01-01T12:00:00Z)
  --restart         Forget the checkpoint and crawl again from the newest message
  --database PATH   SQLite file or postgres:// URL (default: DATABASE_URL, else DATABASE_PATH)`,
  options: {
    channel: { type: 'string' },
    guild: { type: 'string' },
    since: { type: 'string' },
    restart: { type: 'boolean' },
    database: { type: 'string' },
  },
  async run({ values }, io) {
    const channelId = typeof values.channel === 'string' ? values.channel.trim() : '';
    if (!/^\d{1,20}$/.test(channelId))
      throw new CliError('--channel expects a Discord channel id (digits): clipscope backfill --channel ID', 2);
    const guildId = typeof values.guild === 'string' ? values.guild.trim() : undefined;
    if (guildId !== undefined && !/^\d{1,20}$/.test(guildId))
      throw new CliError(`--guild expects a Discord server id (digits), got "${guildId}"`, 2);
    let since: number | undefined;
    if (typeof values.since === 'string') {
      since = /^\d{4}-\d{2}-\d{2}/.test(values.since) ? Date.parse(values.since) : Number.NaN;
      if (Number.isNaN(since))
        throw new CliError(`--since expects a date such as 2024-01-01 or 2024-01-01T12:00:00Z, got "${values.since}"`, 2);
    }
    const config = loadConfig(io.env);
    if (!config.DISCORD_TOKEN) {
      throw new CliError(
        'DISCORD_TOKEN is not set: the crawl reads history through the bot, so set the bot token in .env or the environment',
      );
    }

    const db = await openCommandDatabase(io, values.database, { command: 'backfill', needs: ['imports', 'capture'] });
    const rest = createDiscordRest({ token: config.DISCORD_TOKEN, apiBaseUrl: config.DISCORD_API_BASE_URL });
    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    process.once('SIGINT', onSignal);
    const progress = createProgress({ label: `Backfilling ${channelId}`, unit: 'messages', stream: io.stderr });
    try {
      const result = await backfillChannel(
        { store: createCrawlStore(db), clock: systemClock, rest },
        {
          channelId,
          guildId,
          since,
          restart: values.restart === true,
          signal: stop.signal,
          onProgress: (p) => progress.update(p.messagesScanned),
        },
      );
      progress.finish();
      const name = result.channelName ? `#${result.channelName}` : `channel ${result.channelId}`;
      const oldest = result.oldestReachedAt !== null ? ` back to ${new Date(result.oldestReachedAt).toISOString().slice(0, 10)}` : '';
      const totals = `${result.messagesScanned.toLocaleString('en-US')} messages scanned${oldest}, ${result.sharesFound.toLocaleString('en-US')} clip share${result.sharesFound === 1 ? '' : 's'} found`;
      if (result.status === 'already_complete') {
        io.stdout.write(`${name} was already backfilled (${totals}); use --restart to crawl it again.\n`);
      } else if (result.status === 'stopped') {
        io.stdout.write(`Stopped ${name} after ${totals}; run the same command again to continue.\n`);
        return 130;
      } else {
        io.stdout.write(`Backfilled ${name}: ${totals}. New clips wait in the enrichment queue ("clipscope enrich").\n`);
      }
      return 0;
    } catch (error) {
      if (error instanceof BackfillError) throw new CliError(error.message);
      throw error;
    } finally {
      process.removeListener('SIGINT', onSignal);
      rest.clearHashSweeper();
      rest.clearHandlerSweeper();
      await closeCommandDatabase(db);
    }
  },
};
