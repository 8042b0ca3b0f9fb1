// job_runs: each scheduled job's last start, finish, error and summary (shown by /clipscope-admin status and /healthz).
import { run, type Db } from '../client';

export interface JobRunUpdate {
  job: string;
  /** Set when the run starts; null keeps the stored value. */
  started: number | null;
  finished: number | null;
  /** The run's error, or null (also clears the previous one). */
  error: string | null;
  summary: string | null;
}

export function recordJobRun(db: Db, row: JobRunUpdate): Promise<void> {
  return run(db, (c) => {
    c.statement(
      `INSERT INTO job_runs (job, last_started_at, last_finished_at, last_error, last_summary) VALUES (@job, @started, @finished, @error, @summary)
       ON CONFLICT (job) DO UPDATE SET
         last_started_at = coalesce(@started, last_started_at),
         last_finished_at = coalesce(@finished, last_finished_at),
         last_error = @error,
         last_summary = coalesce(@summary, last_summary)`,
    ).run(row);
  });
}
