// `clipscope enrich`: drains the enrichment queue now, with a progress bar, instead of waiting for the service.
import { systemClock } from '../../clock';
import { loadConfig } from '../../config';
import { closeDatabase, openDatabase } from '../../db/client';
import { TwitchApiError } from '../../twitch/client';
import { enrichmentQueueStatus, enrichPending, retryFailedClips } from '../../twitch/enrich';
import { createGameNames } from '../../twitch/game-names';
import { CliError, type CliCommand } from '../command';
import { createProgress, formatDuration } from '../progress';
import { openTwitchForCli, progressStream } from '../twitch-client';

export const enrichCommand: CliCommand = {
  name: 'enrich',
  summary: 'Fetch Twitch metadata (creator, game, views) for every pending clip now',
  help: `Usage: clipscope enrich [--retry-failed] [--max-wait SECONDS] [--database PATH]

Looks up every pending clip on Twitch (Get Clips, 100 clips per call; a clip shared in several servers is
fetched once), names their games (Get Games) and stores title, creator, broadcaster, game, views, duration,
thumbnail and creation time. Clips Twitch no longer has are marked not found. Calls stay within Twitch's
rate limit; failed calls are retried with backoff and their clips are never dropped.

Needs TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET (or TWURPLE_MOCK_API_PORT for the Twitch CLI mock API).

Options:
  --retry-failed      First put clips marked failed (after ENRICH_MAX_ATTEMPTS errors) back in the queue
  --max-wait SECONDS  Wait at most this long for clips backing off after a Twitch error (default 300)
  --database PATH     SQLite file (default: DATABASE_PATH, ./data/clipscope.db)

Exit status: 0 when no pending clip is left (failed ones are listed); 1 with the reason otherwise.`,
  options: { 'retry-failed': { type: 'boolean' }, 'max-wait': { type: 'string' }, database: { type: 'string' } },
  async run({ values }, io) {
    const maxWaitText = typeof values['max-wait'] === 'string' ? values['max-wait'] : '300';
    const maxWaitSeconds = Number(maxWaitText);
    if (!Number.isInteger(maxWaitSeconds) || maxWaitSeconds < 0) throw new CliError(`--max-wait expects whole seconds, got "${maxWaitText}"`, 2);
    const config = loadConfig(io.env);
    const { twitch, logger } = openTwitchForCli(config, io);
    const db = openDatabase({ path: typeof values.database === 'string' ? values.database : config.DATABASE_PATH });
    const clock = systemClock;
    try {
      if (values['retry-failed'] === true) {
        const requeued = retryFailedClips(db, clock.now());
        io.stdout.write(`Put ${requeued} failed clip row${requeued === 1 ? '' : 's'} back in the queue.\n`);
      }
      const start = enrichmentQueueStatus(db, clock.now());
      if (start.pending === 0) {
        io.stdout.write(`Nothing to enrich: no pending clips${failedNote(start.failed)}.\n`);
        return 0;
      }
      const progress = createProgress({ label: 'Enriching', total: start.pending, unit: 'clips', stream: progressStream(io) });
      const gameNames = createGameNames(twitch, clock);
      const totals = { enriched: 0, notFound: 0, failed: 0 };
      for (;;) {
        const before = { ...totals };
        let summary;
        try {
          summary = await enrichPending(
            { db, clock, logger, twitch, maxAttempts: config.ENRICH_MAX_ATTEMPTS, gameNames },
            {
              onProgress: (p) =>
                progress.update(before.enriched + before.notFound + before.failed + p.enriched + p.notFound + p.failed),
            },
          );
        } catch (error) {
          progress.finish();
          if (error instanceof TwitchApiError) throw new CliError(error.message);
          throw error;
        }
        totals.enriched += summary.enriched;
        totals.notFound += summary.notFound;
        totals.failed += summary.failed;
        progress.update(totals.enriched + totals.notFound + totals.failed);
        const status = enrichmentQueueStatus(db, clock.now());
        if (status.pending === 0) {
          progress.finish(
            `Enriched ${totals.enriched} clips, ${totals.notFound} not found on Twitch${failedNote(status.failed)}.`,
          );
          return 0;
        }
        if (status.due > 0) continue;
        const waitMs = Math.max(0, (status.nextAttemptAt ?? clock.now()) - clock.now());
        if (waitMs > maxWaitSeconds * 1000) {
          progress.finish();
          throw new CliError(
            `${status.pending} clips still pending after Twitch errors (last: ${status.lastError ?? 'unknown'}); ` +
              `next retry in ${formatDuration(waitMs / 1000)} — run again later, or let the service retry them`,
          );
        }
        io.stderr.write(`\nTwitch calls failed (${status.lastError ?? 'unknown error'}); retrying ${status.pending} clips in ${formatDuration(waitMs / 1000)}\n`);
        await new Promise((resolve) => setTimeout(resolve, waitMs + 50));
      }
    } finally {
      closeDatabase(db);
    }
  },
};

function failedNote(failed: number): string {
  return failed > 0 ? `; ${failed} clips are marked failed (clipscope enrich --retry-failed tries them again)` : '';
}
