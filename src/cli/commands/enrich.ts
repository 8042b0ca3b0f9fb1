// `clipscope enrich`: drains the enrichment queue now, with a progress bar, instead of waiting for the service, then
// asks Twitch again for game names it left out earlier, as the service's enrichment job does.
import type { Clock } from '../../clock';
import { systemClock } from '../../clock';
import { loadConfig } from '../../config';
import type { Db } from '../../db/database';
import type { Logger } from '../../logger';
import type { TwitchApi } from '../../twitch/client';
import { TwitchApiError } from '../../twitch/errors';
import { clipClaimHolders, enrichmentQueueStatus, enrichPending, retryFailedClips } from '../../twitch/enrich';
import { newClaimHolder } from '../../twitch/claim-holder';
import { repairDueGameNames } from '../../twitch/game-name-repair';
import { createGameNames, type GameNames } from '../../twitch/game-names';
import { CliError, type CliCommand, type CliIo } from '../command';
import { createProgress, formatDuration } from '../progress';
import { closeCommandDatabase, openCommandDatabase, storageProblemError } from '../database';
import { openTwitchForCli, progressStream, requireTwitchCredentials } from '../twitch-client';

export const enrichCommand: CliCommand = {
  name: 'enrich',
  summary: 'Fetch Twitch metadata (creator, game, views) for every pending clip now',
  help: `Usage: clipscope enrich [--retry-failed] [--max-wait SECONDS] [--database PATH]

Looks up every pending clip on Twitch (Get Clips, 100 clips per call; a clip shared in several servers is
fetched once), names their games (Get Games) and stores title, creator, broadcaster, game, views, duration,
thumbnail and creation time. Clips Twitch no longer has are marked not found. Calls stay within Twitch's
rate limit; failed calls are retried with backoff and their clips are never dropped.

Then, like the service's enrichment job, asks Twitch again (one Get Games call) for the games it left out
of earlier answers and whose back-off has passed (10 minutes after the first miss, doubling up to a week),
and writes the names it now gives to every clip of those games; the summary says how many it named. A
failed lookup here only delays the names to the next run.

A full or busy database stops the run with the reason and the database file; every write is one
transaction, so the clips not yet written stay pending: run the command again once it is fixed.

Needs TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET (or TWURPLE_MOCK_API_PORT for the Twitch CLI mock API).

Options:
  --retry-failed      First put clips marked failed (after ENRICH_MAX_ATTEMPTS errors) back in the queue
  --max-wait SECONDS  Wait at most this long for clips backing off after a Twitch error (default 300)
  --database PATH     SQLite file or postgres:// URL (default: DATABASE_URL, else DATABASE_PATH)

Exit status: 0 when no pending clip is left (failed ones are listed); 1 with the reason otherwise.`,
  options: { 'retry-failed': { type: 'boolean' }, 'max-wait': { type: 'string' }, database: { type: 'string' } },
  async run({ values }, io) {
    const maxWaitText = typeof values['max-wait'] === 'string' ? values['max-wait'] : '300';
    const maxWaitSeconds = Number(maxWaitText);
    if (!Number.isInteger(maxWaitSeconds) || maxWaitSeconds < 0)
      throw new CliError(`--max-wait expects whole seconds, got "${maxWaitText}"`, 2);
    const config = loadConfig(io.env);
    requireTwitchCredentials(config);
    const db = await openCommandDatabase(io, values.database, { command: 'enrich', needs: ['twitch'] });
    // The same Helix bucket as the service's processes of this client id (ADR 0034).
    const { twitch, logger } = openTwitchForCli(config, io, db);
    const clock = systemClock;
    const gameNames = createGameNames(twitch, clock);
    let drained: Drained | undefined;
    try {
      drained = await drainQueue(
        { db, clock, logger, twitch, gameNames, maxAttempts: config.ENRICH_MAX_ATTEMPTS },
        values,
        maxWaitSeconds,
        io,
      );
      // The scheduled job's second half: games Twitch left out earlier, whose back-off has passed, asked for again.
      const { summary: repaired, deferred } = await repairDueGameNames({ db, clock, twitch, gameNames });
      const named =
        repaired && repaired.named > 0
          ? `; named ${plural(repaired.named, 'game')} Twitch had left out (${plural(repaired.clipsNamed, 'clip row')})`
          : '';
      const failed = failedNote((await enrichmentQueueStatus(db, clock.now())).failed);
      drained.finish(drained.line === null ? `Nothing to enrich: no pending clips${failed}${named}.` : `${drained.line}${failed}${named}.`);
      // Only the names wait: the clips are stored, so this is a note, not a failure.
      if (deferred)
        io.stderr.write(`Game names Twitch had left out were not asked for again (${deferred.message}); the next run retries them.\n`);
      return 0;
    } catch (error) {
      drained?.finish();
      if (error instanceof TwitchApiError) throw new CliError(error.message);
      // Every write of a run is one transaction: a refused one leaves its clips pending, with no attempt counted.
      const kept = await keptNote(db, clock);
      throw storageProblemError(error, db, (problem) => `${problem}; ${kept}: run clipscope enrich again once it is fixed`) ?? error;
    } finally {
      await closeCommandDatabase(db);
    }
  },
};

interface DrainDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  twitch: TwitchApi;
  gameNames: GameNames;
  maxAttempts: number;
}

/** A drained queue: the start of the summary line (null when nothing was pending) and where to print it. */
interface Drained {
  line: string | null;
  /** Prints the final line (the progress bar's own, when there was one); without a line, only ends the bar. */
  finish(summary?: string): void;
}

/** Enriches until no clip is pending, waiting out Twitch backoffs up to --max-wait. */
async function drainQueue(deps: DrainDeps, values: Record<string, unknown>, maxWaitSeconds: number, io: CliIo): Promise<Drained> {
  const { db, clock } = deps;
  if (values['retry-failed'] === true) {
    const requeued = await retryFailedClips(db, clock.now());
    io.stdout.write(`Put ${plural(requeued, 'failed clip row')} back in the queue.\n`);
  }
  const start = await enrichmentQueueStatus(db, clock.now());
  if (start.pending === 0) {
    return {
      line: null,
      finish(summary) {
        if (summary !== undefined) io.stdout.write(`${summary}\n`);
      },
    };
  }
  const progress = createProgress({ label: 'Enriching', total: start.pending, unit: 'clips', stream: progressStream(io) });
  const totals = { enriched: 0, notFound: 0, failed: 0 };
  // One holder for the whole drain: its claims are its own from one run to the next.
  const claimHolder = newClaimHolder();
  try {
    for (;;) {
      const before = { ...totals };
      const summary = await enrichPending(
        { ...deps, claimHolder },
        {
          onProgress: (p) => progress.update(before.enriched + before.notFound + before.failed + p.enriched + p.notFound + p.failed),
        },
      );
      totals.enriched += summary.enriched;
      totals.notFound += summary.notFound;
      totals.failed += summary.failed;
      progress.update(totals.enriched + totals.notFound + totals.failed);
      const status = await enrichmentQueueStatus(db, clock.now());
      if (status.pending === 0) {
        return {
          line: `Enriched ${totals.enriched} clips, ${totals.notFound} not found on Twitch`,
          finish: (line) => progress.finish(line),
        };
      }
      if (status.due > 0) {
        // Clips are due but this run settled none: another process holds them. Running again at once would spin.
        if (summary.processed === 0) throw await heldElsewhereError(db, clock, claimHolder.holder, status.due);
        continue;
      }
      const waitMs = Math.max(0, (status.nextAttemptAt ?? clock.now()) - clock.now());
      if (waitMs > maxWaitSeconds * 1000) {
        throw new CliError(
          `${status.pending} clips still pending after Twitch errors (last: ${status.lastError ?? 'unknown'}); ` +
            `next retry in ${formatDuration(waitMs / 1000)} — run again later, or let the service retry them`,
        );
      }
      io.stderr.write(
        `\nTwitch calls failed (${status.lastError ?? 'unknown error'}); retrying ${status.pending} clips in ${formatDuration(waitMs / 1000)}\n`,
      );
      await new Promise((resolve) => setTimeout(resolve, waitMs + 50));
    }
  } catch (error) {
    progress.finish();
    throw error;
  }
}

/** The one line said when every due clip is claimed by another process: who holds them, and until when. */
async function heldElsewhereError(db: Db, clock: Clock, holder: string, due: number): Promise<CliError> {
  const now = clock.now();
  const others = await clipClaimHolders(db, { holder, now });
  const names = others.map(
    (o) => `${o.holder} (${plural(o.clips, 'clip')}, claims expire in ${formatDuration(Math.max(0, o.expiresAt - now) / 1000)})`,
  );
  return new CliError(
    `${plural(due, 'due clip')} ${due === 1 ? 'is' : 'are'} being enriched by another process: ` +
      `${names.length > 0 ? names.join(', ') : 'claims ended just now'}; stopped instead of waiting — run again later, or let it finish`,
  );
}

/** What a failed run kept, for its error line; the count is left out if the database cannot even be read. */
async function keptNote(db: Db, clock: Clock): Promise<string> {
  try {
    const { pending } = await enrichmentQueueStatus(db, clock.now());
    return pending === 0 ? 'no clip was lost' : `the ${plural(pending, 'pending clip')} ${pending === 1 ? 'is' : 'are'} kept in the queue`;
  } catch {
    return 'the pending clips are kept in the queue';
  }
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function failedNote(failed: number): string {
  return failed > 0
    ? `; ${plural(failed, 'clip')} ${failed === 1 ? 'is' : 'are'} marked failed (clipscope enrich --retry-failed tries ${failed === 1 ? 'it' : 'them'} again)`
    : '';
}
