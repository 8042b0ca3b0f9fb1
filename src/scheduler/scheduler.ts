// Runs background jobs on node-cron schedules in a timezone, never two runs of one job at once, and each tick once
// across every process with the `jobs` role: a run first takes the job's lease in the database
// (docs/adr/0024-job-leases-and-process-roles.md). Records each job's last start, finish and error in job_runs (shown
// by /clipscope-admin status and /healthz) and every run in job_run_history.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { wasReported } from '../errors';
import cron, { type ScheduledTask } from 'node-cron';
import type { Clock } from '../clock';
import type { Db } from '../db/client';
import { describeStorageProblem } from '../db/storage-errors';
import { recordJobRunFinished, recordJobRunStarted, releaseJobLease, renewJobLease, takeJobLease } from '../db/stores/job-leases';
import { recordJobRun, type JobRunUpdate } from '../db/stores/jobs';
import type { Logger } from '../logger';

export interface Job {
  name: string;
  /** A node-cron expression (5 or 6 fields). */
  cron: string;
  run(): Promise<string | void> | string | void;
}

export interface Scheduler {
  add(job: Job): void;
  /**
   * Runs a job now unless it is already running here or in another process (its lease is held); resolves when it
   * finishes. Returns false if skipped.
   */
  runNow(name: string): Promise<boolean>;
  start(): void;
  stop(): Promise<void>;
}

export interface SchedulerDeps {
  db: Db;
  logger: Logger;
  clock: Clock;
  timezone: string;
  /** This process's name in job leases and job_run_history (default: processHolderId()). */
  holder?: string;
  /** How long a lease lasts unless renewed; a killed holder's job is taken over after it (default 60 s). */
  leaseMs?: number;
}

/** A name for this process, unique across hosts and restarts: host, pid and a random part. */
export function processHolderId(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/** The scheduled second a cron firing is for, the same in every process whatever its delay in firing. */
function tickOf(date: Date): number {
  return Math.floor(date.getTime() / 1000) * 1000;
}

export function createScheduler({ db, logger, clock, timezone, holder = processHolderId(), leaseMs = 60_000 }: SchedulerDeps): Scheduler {
  const jobs = new Map<string, Job>();
  const running = new Map<string, Promise<void>>();
  const tasks: ScheduledTask[] = [];
  let stopped = false;

  /**
   * Takes the job's lease for this tick: true when this process runs it, false when another process holds it or ran
   * the tick, or the storage error that kept it from asking (the run then fails with it, as the job would have).
   */
  const takeLease = async (job: Job, tick: number | null): Promise<boolean | { error: unknown }> => {
    try {
      return await takeJobLease(db, { job: job.name, holder, now: clock.now(), ttlMs: leaseMs, tick });
    } catch (error) {
      return { error };
    }
  };

  const execute = async (job: Job, tick: number | null): Promise<boolean> => {
    if (stopped) return false;
    if (running.has(job.name)) {
      logger.debug({ job: job.name }, 'job still running; this run is skipped');
      return false;
    }
    // Held while the lease is asked for, so a second firing here does not ask too.
    let settle: () => void = () => undefined;
    running.set(
      job.name,
      new Promise<void>((resolve) => {
        settle = resolve;
      }),
    );
    const lease = await takeLease(job, tick);
    if (lease === false) {
      running.delete(job.name);
      settle();
      logger.debug({ job: job.name, tick }, 'job runs in another process (its lease is held or this tick has run)');
      return false;
    }
    // job_runs is bookkeeping: when it cannot be written (disk full, database busy) the job still runs and its outcome
    // is still logged. A throw here would escape the cron callback as an unhandled rejection and stop the process.
    const recordRun = async (row: JobRunUpdate): Promise<void> => {
      try {
        await recordJobRun(db, row);
      } catch (error) {
        const file = db.location;
        logger.warn(
          { job: job.name, err: error, database: file },
          `job_runs not updated: ${describeStorageProblem(error, file) ?? 'database error'}`,
        );
      }
    };
    const leaseError = lease === true ? null : lease;
    // Kept alive while the job runs, so only a dead holder's lease expires.
    let lostLease = false;
    const renewal = setInterval(
      () => {
        renewJobLease(db, { job: job.name, holder, now: clock.now(), ttlMs: leaseMs }).then(
          (held) => {
            if (!held && !lostLease) {
              lostLease = true;
              logger.warn({ job: job.name, holder }, 'job lease lost (it expired and another process took it); this run goes on');
            }
          },
          (error: unknown) => logger.warn({ job: job.name, err: error }, 'job lease not renewed; retried shortly'),
        );
      },
      Math.max(100, Math.floor(leaseMs / 3)),
    );
    renewal.unref();
    const run = (async () => {
      const started = clock.now();
      let historyId: number | null = null;
      if (!leaseError) {
        try {
          historyId = await recordJobRunStarted(db, { job: job.name, tick, holder, startedAt: started });
        } catch (error) {
          logger.warn({ job: job.name, err: error }, 'job_run_history not updated');
        }
      }
      const finish = async (error: string | null): Promise<void> => {
        clearInterval(renewal);
        if (leaseError) return;
        try {
          if (historyId !== null) await recordJobRunFinished(db, { id: historyId, job: job.name, finishedAt: clock.now(), error });
          await releaseJobLease(db, { job: job.name, holder, now: clock.now() });
        } catch (e) {
          // The lease then ends at its expiry.
          logger.warn({ job: job.name, err: e }, 'job_run_history or the job lease not updated');
        }
      };
      await recordRun({ job: job.name, started, finished: null, error: null, summary: null });
      try {
        // Without its lease the job does not run: the storage error is this run's failure.
        if (leaseError) throw leaseError.error;
        const summary = await job.run();
        await recordRun({ job: job.name, started: null, finished: clock.now(), error: null, summary: summary ?? null });
        await finish(null);
        logger.info({ job: job.name, ms: clock.now() - started, summary }, 'job finished');
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await recordRun({ job: job.name, started: null, finished: clock.now(), error: message, summary: null });
        await finish(message);
        const file = db.location;
        const problem = describeStorageProblem(error, file);
        if (wasReported(error)) {
          // Its owner has already told the operator (e.g. refused Twitch credentials, logged once): job_runs keeps
          // the error for status, and the log is not flooded with it every run.
          logger.debug({ job: job.name, err: error }, 'job failed (reported above)');
        } else {
          // A storage problem is named (the next scheduled run retries it); anything else is the job's own failure.
          logger.error(
            { job: job.name, err: error, ...(problem ? { database: file } : {}) },
            problem ? `job failed: ${problem}; the next scheduled run tries again` : 'job failed',
          );
        }
      }
    })();
    running.set(job.name, run);
    await run;
    running.delete(job.name);
    settle();
    return true;
  };

  return {
    add(job) {
      if (!cron.validate(job.cron)) throw new Error(`job ${job.name}: invalid cron expression "${job.cron}"`);
      jobs.set(job.name, job);
    },
    runNow(name) {
      const job = jobs.get(name);
      if (!job) return Promise.reject(new Error(`unknown job ${name}`));
      return execute(job, null);
    },
    start() {
      for (const job of jobs.values()) {
        tasks.push(cron.schedule(job.cron, (context) => execute(job, tickOf(context.date)), { timezone, name: job.name, noOverlap: true }));
      }
    },
    async stop() {
      stopped = true;
      for (const task of tasks) await task.stop();
      await Promise.allSettled([...running.values()]);
    },
  };
}
