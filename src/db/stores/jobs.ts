// job_runs: each scheduled job's last start, finish, error and summary (shown by /clipscope-admin status and /healthz).
import type { Db } from '../database';
import { queries } from '../sql';

export interface JobRunUpdate {
  job: string;
  /** Set when the run starts; null keeps the stored value. */
  started: number | null;
  finished: number | null;
  /** The run's error, or null (also clears the previous one). */
  error: string | null;
  summary: string | null;
}

export async function recordJobRun(db: Db, row: JobRunUpdate): Promise<void> {
  await queries(db).run(
    `INSERT INTO job_runs (job, last_started_at, last_finished_at, last_error, last_summary) VALUES (@job, @started, @finished, @error, @summary)
     ON CONFLICT (job) DO UPDATE SET
       last_started_at = coalesce(excluded.last_started_at, job_runs.last_started_at),
       last_finished_at = coalesce(excluded.last_finished_at, job_runs.last_finished_at),
       last_error = excluded.last_error,
       last_summary = coalesce(excluded.last_summary, job_runs.last_summary)`,
    { job: row.job, started: row.started, finished: row.finished, error: row.error, summary: row.summary },
  );
}
