// The enrichment worker. The queue is the clips table itself (enrichment_state, attempts, next attempt time):
// pending clips due now are taken in batches of up to 100 distinct clip ids across all guilds (a clip shared
// in several guilds is fetched once), looked up with Get Clips, their games named with Get Games, and written
// back. Nothing lives only in memory: a crash or restart loses no clip, it is simply taken again.
import type { Clock } from '../clock';
import type { Db } from '../db/database';
import { isTransientDatabaseError } from '../db/storage-errors';
import { claimClips, otherClaimHolders, releaseClipClaims } from '../db/stores/helix-claims';
import {
  countDueClips,
  dueClipIds,
  enrichmentQueueStatus,
  recordEnrichmentFailures,
  retryFailedClips,
  writeClipLookup,
  type QueueCursor,
  type QueueStatus,
} from '../db/stores/twitch-clips';
import type { Logger } from '../logger';
import { backoffDelay, HELIX_MAX_IDS, type TwitchApi } from './client';
import { type TwitchApiError, classifyTwitchError } from './errors';
import type { HelixClip } from './schemas';
import { nextGameNameTry, unnamedGameIds } from './game-name-repair';
import { createGameNames, type GameNames } from './game-names';
import { type ClaimHolder, isProcessAlive, newClaimHolder } from './claim-holder';

export interface EnrichmentDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  twitch: TwitchApi;
  /** Attempts before a clip is marked failed (ENRICH_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** Shared game-name cache; one is made when absent. */
  gameNames?: GameNames;
  /** Backoff between a clip's failed attempts: doubled per attempt from baseMs, capped at maxMs, with jitter. */
  backoff?: { baseMs: number; maxMs: number };
  random?: () => number;
  /** Who claims the clips of this run (a new holder per run when absent). */
  claimHolder?: ClaimHolder;
  /** How long a claim lasts unless renewed (each batch renews) or released; the backstop for a crashed holder. */
  claimTtlMs?: number;
  /** Whether a process of this host is alive (process.kill(pid, 0) by default). */
  isAlive?: (pid: number) => boolean;
}

/** A claim outlives a slow batch (Helix retries included) but not a crashed process by long. */
export const DEFAULT_CLAIM_TTL_MS = 120_000;

export const DEFAULT_ENRICH_BACKOFF = { baseMs: 60_000, maxMs: 6 * 3_600_000 };

export interface EnrichProgress {
  /** Distinct clip ids settled this run (enriched, not found, or counted as a failed attempt). */
  processed: number;
  /** Distinct clip ids that were due when the run started, plus any that became due since. */
  total: number;
  enriched: number;
  notFound: number;
  failed: number;
}

export interface EnrichOptions {
  /** Batches (Get Clips calls) in flight at once. Twurple's limiter keeps them within Helix's budget. */
  concurrency?: number;
  /** Stop after this many batches (the scheduled job bounds its run; the CLI drains). */
  maxBatches?: number;
  onProgress?(progress: EnrichProgress): void;
  signal?: AbortSignal;
}

export interface EnrichSummary extends EnrichProgress {
  batches: number;
  /** Clips whose attempt failed and that will be retried after their backoff. */
  retrying: number;
  /** The last batch error, when any batch failed. */
  lastError: string | null;
  /** Distinct due clip ids passed over because another live process holds their claim. */
  heldElsewhere: number;
}

export { countDueClips, enrichmentQueueStatus, retryFailedClips, type QueueStatus };
/** Other processes' live clip claims, one line per holder (the CLI names them when it cannot make progress). */
export { otherClaimHolders as clipClaimHolders };

/**
 * Enriches every clip that is pending and due, in batches of up to 100 distinct ids, `concurrency` batches at a
 * time. A failed batch is never dropped: each of its clips counts an attempt and waits its backoff (or becomes
 * failed after maxAttempts). Refused credentials stop the run without charging the clips an attempt.
 */
export async function enrichPending(deps: EnrichmentDeps, options: EnrichOptions = {}): Promise<EnrichSummary> {
  const { db, clock, logger, twitch } = deps;
  const gameNames = deps.gameNames ?? createGameNames(twitch, clock);
  const backoff = deps.backoff ?? DEFAULT_ENRICH_BACKOFF;
  const random = deps.random ?? Math.random;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const summary: EnrichSummary = {
    processed: 0,
    total: await countDueClips(db, clock.now()),
    enriched: 0,
    notFound: 0,
    failed: 0,
    batches: 0,
    retrying: 0,
    lastError: null,
    heldElsewhere: 0,
  };
  const holder = deps.claimHolder ?? newClaimHolder();
  const claimTtlMs = deps.claimTtlMs ?? DEFAULT_CLAIM_TTL_MS;
  const isAlive = deps.isAlive ?? isProcessAlive;
  /** Ids this run holds a claim on; whatever is left at the end is released then. */
  const held = new Set<string>();
  const release = async (ids: readonly string[]): Promise<void> => {
    const mine = ids.filter((id) => held.has(id));
    if (mine.length === 0) return;
    for (const id of mine) held.delete(id);
    try {
      await releaseClipClaims(db, { holder: holder.holder, clipIds: mine });
    } catch (error) {
      // A full disk can refuse the delete too: the claims then simply expire.
      logger.warn(
        { err: error instanceof Error ? error.message : String(error), clips: mine.length },
        'could not release clip claims; they expire on their own',
      );
    }
  };
  const taken = new Set<string>();
  let stopError: TwitchApiError | null = null;
  let storageError: unknown = null;
  let batchesStarted = 0;

  const report = (): void => options.onProgress?.({ ...summary });

  const failBatch = async (ids: readonly string[], message: string): Promise<void> => {
    summary.lastError = message;
    const outcome = await recordEnrichmentFailures(db, ids, message, {
      now: clock.now(),
      maxAttempts: deps.maxAttempts,
      backoffFor: (attempts) => backoffDelay(attempts, backoff.baseMs, backoff.maxMs, random),
    });
    summary.failed += outcome.failed;
    summary.retrying += outcome.retrying;
  };

  const absentOnce = new AbsentClipRecheck();
  let cursor: QueueCursor = { next: Number.MIN_SAFE_INTEGER, id: 0 };
  // Workers take batches one at a time: reading the queue and marking its ids taken must not interleave, or two
  // workers would read the same rows from the same cursor.
  let taking: Promise<unknown> = Promise.resolve();
  const takeDue = (): Promise<string[]> => {
    const next = taking.then(async () => {
      for (;;) {
        const due = await dueClipIds(db, clock.now(), HELIX_MAX_IDS, taken, cursor);
        cursor = due.cursor;
        for (const id of due.ids) taken.add(id);
        if (due.ids.length === 0) return [];
        const now = clock.now();
        // Claims of a process of this host that has died are taken over at once rather than after their expiry.
        const sameHost = await otherClaimHolders(db, { holder: holder.holder, host: holder.host, now });
        const deadHolders = sameHost.filter((h) => !isAlive(h.pid)).map((h) => h.holder);
        const claimed = await claimClips(db, { ...holder, clipIds: due.ids, now, ttlMs: claimTtlMs, deadHolders });
        for (const id of claimed) held.add(id);
        // Passed over: held by another live process, or no longer due (enriched by one since it was read).
        summary.heldElsewhere += due.ids.length - claimed.length;
        if (claimed.length > 0) return claimed;
      }
    });
    taking = next.catch(() => undefined);
    return next;
  };

  const runBatch = async (ids: string[], confirming: boolean): Promise<void> => {
    let settled = ids.length;
    try {
      const outcome = await lookUpAndStoreClips({ db, clock, twitch, gameNames }, ids, { markAbsent: confirming });
      summary.enriched += outcome.stored;
      summary.notFound += outcome.notFound;
      absentOnce.add(outcome.absent);
      settled -= outcome.absent.length;
      if (outcome.unreadable.size > 0) {
        const problem = [...outcome.unreadable.values()][0]!;
        logger.warn({ clips: [...outcome.unreadable.keys()].slice(0, 10), problem }, 'Twitch sent clip records of an unexpected shape');
        await failBatch([...outcome.unreadable.keys()], problem);
      }
    } catch (raw) {
      // The database refusing the write (disk full, busy) is not the clips' fault: stop the run without counting an
      // attempt against them; the next run takes them again.
      if (isTransientDatabaseError(raw)) {
        storageError ??= raw;
        return;
      }
      const error = classifyTwitchError(raw, 'Get Clips');
      if (error.kind === 'auth') {
        stopError = error;
        return;
      }
      logger.warn({ err: error.message, clips: ids.length }, 'enrichment batch failed; its clips will be retried after a backoff');
      await failBatch(ids, error.message);
    } finally {
      for (const id of ids) if (!absentOnce.has(id)) taken.delete(id);
      // Released on success and on any failure; clips kept for a second look stay claimed until it.
      await release(ids.filter((id) => !absentOnce.has(id)));
      summary.processed += settled;
      report();
    }
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      if (stopError || storageError || workerError || options.signal?.aborted) return;
      if (options.maxBatches !== undefined && batchesStarted >= options.maxBatches) return;
      let ids = absentOnce.full() ? absentOnce.take() : [];
      const confirming = ids.length > 0;
      if (!confirming) ids = await takeDue();
      if (ids.length === 0) {
        // The queue is empty: give the clips Twitch left out their second look, then stop.
        ids = absentOnce.take();
        if (ids.length === 0) return;
        batchesStarted++;
        summary.batches++;
        await runBatch(ids, true);
        continue;
      }
      for (const id of ids) taken.add(id);
      batchesStarted++;
      summary.batches++;
      summary.total = Math.max(summary.total, summary.processed + ids.length);
      await runBatch(ids, confirming);
    }
  };

  report();
  // Every worker ends before the run does: one that failed (a claim refused by a full disk) stops the others at their
  // next batch, and the claims they hold are released before the caller may close the database.
  let workerError: unknown = null;
  await Promise.all(
    Array.from({ length: concurrency }, () =>
      worker().catch((error: unknown) => {
        workerError ??= error;
        if (isTransientDatabaseError(error)) storageError ??= error;
      }),
    ),
  );
  await release([...held]);
  if (stopError) throw stopError;
  if (storageError) throw storageError;
  if (workerError) throw workerError;
  return summary;
}

export interface LookupDeps {
  db: Db;
  clock: Clock;
  twitch: TwitchApi;
  gameNames: GameNames;
}

export interface LookupOutcome {
  /** Clip ids Twitch returned and that were written. */
  stored: number;
  /** Clip ids Twitch did not return, now not_found. */
  notFound: number;
  /** Clip ids whose record could not be read: left as they were, with the problem. */
  unreadable: Map<string, string>;
  /** With markAbsent false: the ids Twitch did not return, left as they were for a second look. */
  absent: string[];
}

/**
 * One Get Clips call for up to 100 distinct ids, game names resolved, and one transaction writing the answer to
 * every guild's rows: returned clips are stored; absent ones become not_found, or with markAbsent false are
 * returned for a second look (see AbsentClipRecheck). Throws TwitchApiError.
 */
export async function lookUpAndStoreClips(
  deps: LookupDeps,
  ids: readonly string[],
  options: { markAbsent: boolean } = { markAbsent: true },
): Promise<LookupOutcome> {
  const { db, clock, twitch, gameNames } = deps;
  const lookup = await twitch.getClipsByIds(ids);
  const requested = new Set(ids);
  const returned = lookup.clips.filter((c) => requested.has(c.id));
  const names = await gameNames.resolve(returned.map((c) => c.gameId));
  const unreadable = new Map<string, string>();
  for (const item of lookup.rejected) if (item.id !== null && requested.has(item.id)) unreadable.set(item.id, item.problem);
  const anonymous = lookup.rejected.find((r) => r.id === null);
  const outcome: LookupOutcome = { stored: 0, notFound: 0, unreadable, absent: [] };
  const found = new Map<string, HelixClip>();
  for (const clip of returned) if (!found.has(clip.id)) found.set(clip.id, clip);
  const notFound: string[] = [];
  for (const id of ids) {
    if (found.has(id) || unreadable.has(id)) continue;
    // A record we could not read might have been this clip: try again rather than call it gone.
    if (anonymous) {
      unreadable.set(id, anonymous.problem);
      continue;
    }
    if (!options.markAbsent) {
      outcome.absent.push(id);
      continue;
    }
    notFound.push(id);
  }
  const now = clock.now();
  await writeClipLookup(db, {
    clips: [...found.values()],
    gameNames: names,
    notFound,
    unnamedGames: unnamedGameIds(names),
    firstGameNameTry: nextGameNameTry(1, now),
    now,
  });
  outcome.stored = found.size;
  outcome.notFound = notFound.length;
  return outcome;
}

/**
 * Clips a Get Clips answer left out. Twitch omits deleted clips, but an answer can also come back short for a
 * moment; a clip is only marked not_found when a second lookup, later in the run, leaves it out too. The
 * second looks are pooled, so they cost one call per 100 missing clips.
 */
export class AbsentClipRecheck {
  private readonly waiting: string[] = [];
  private readonly members = new Set<string>();

  add(ids: readonly string[]): void {
    for (const id of ids) {
      if (this.members.has(id)) continue;
      this.members.add(id);
      this.waiting.push(id);
    }
  }

  has(id: string): boolean {
    return this.members.has(id);
  }

  /** Enough for a full Get Clips call. */
  full(): boolean {
    return this.waiting.length >= HELIX_MAX_IDS;
  }

  take(): string[] {
    const ids = this.waiting.splice(0, HELIX_MAX_IDS);
    for (const id of ids) this.members.delete(id);
    return ids;
  }
}
