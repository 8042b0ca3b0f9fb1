// Runs background jobs on node-cron schedules in a timezone, never two runs of one job at once,
// and records each job's last start, finish and error in job_runs (shown by /clipscope-admin status and /healthz).
import { wasReported } from '../errors';
import cron, { type ScheduledTask } from 'node-cron';
import type { Clock } from '../clock';
import type { Db } from '../db/client';
import { describeStorageProblem } from '../db/storage-errors';
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
  /** Runs a job now unless it is already running; resolves when it finishes. Returns false if skipped. */
  runNow(name: string): Promise<boolean>;
  start(): void;
  stop(): Promise<void>;
}

export interface SchedulerDeps {
  db: Db;
  logger: Logger;
  clock: Clock;
  timezone: string;
}

export function createScheduler({ db, logger, clock, timezone }: SchedulerDeps): Scheduler {
  const jobs = new Map<string, Job>();
  const running = new Map<string, Promise<void>>();
  const tasks: ScheduledTask[] = [];
  let stopped = false;

  const execute = (job: Job): Promise<boolean> => {
    if (stopped) return Promise.resolve(false);
    if (running.has(job.name)) {
      logger.debug({ job: job.name }, 'job still running; this run is skipped');
      return Promise.resolve(false);
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
    const run = (async () => {
      const started = clock.now();
      await recordRun({ job: job.name, started, finished: null, error: null, summary: null });
      try {
        const summary = await job.run();
        await recordRun({ job: job.name, started: null, finished: clock.now(), error: null, summary: summary ?? null });
        logger.info({ job: job.name, ms: clock.now() - started, summary }, 'job finished');
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await recordRun({ job: job.name, started: null, finished: clock.now(), error: message, summary: null });
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
    return run.then(() => {
      running.delete(job.name);
      return true;
    });
  };

  return {
    add(job) {
      if (!cron.validate(job.cron)) throw new Error(`job ${job.name}: invalid cron expression "${job.cron}"`);
      jobs.set(job.name, job);
    },
    runNow(name) {
      const job = jobs.get(name);
      if (!job) return Promise.reject(new Error(`unknown job ${name}`));
      return execute(job);
    },
    start() {
      for (const job of jobs.values()) {
        tasks.push(cron.schedule(job.cron, () => execute(job), { timezone, name: job.name, noOverlap: true }));
      }
    },
    async stop() {
      stopped = true;
      for (const task of tasks) await task.stop();
      await Promise.allSettled([...running.values()]);
    },
  };
}
