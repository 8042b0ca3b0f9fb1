// `clipscope aggregate`: brings the analytics summary tables up to date now (the scheduler does it on its own).
import type { Writable } from 'node:stream';
import { aggregateAnalytics, formatAggregateSummary } from '../../analytics/aggregate';
import { createAnalytics } from '../../analytics/service';
import { PERIOD_TYPES, type PeriodType } from '../../analytics/types';
import { systemClock } from '../../clock';
import { CliError, type CliCommand } from '../command';
import { createProgress } from '../progress';
import { closeCommandDatabase, openCommandDatabase } from '../database';

export const aggregateCommand: CliCommand = {
  name: 'aggregate',
  summary: 'Recompute the analytics summaries (only what changed, or everything with --full)',
  help: `Usage: clipscope aggregate [--guild ID] [--period day|week|month|all_time] [--full] [--database PATH]

Recomputes the local days whose data changed since the last run and carries the change into their weeks,
months and all time (what the scheduler's incremental job does). A guild never aggregated before, or whose
timezone changed, is rebuilt in full.

Options:
  --guild ID        only this guild (default: every guild)
  --period TYPE     report on this period type only: day, week, month or all_time (a guild's period types are
                    kept together, so the others are brought up to date too)
  --full            rebuild every bucket, not only the changed ones (what the nightly job does)
  --database PATH   SQLite file or postgres:// URL (default: DATABASE_URL, else DATABASE_PATH)`,
  options: {
    guild: { type: 'string' },
    period: { type: 'string' },
    full: { type: 'boolean' },
    database: { type: 'string' },
  },
  async run({ values }, io) {
    const period = values.period;
    if (period !== undefined && !PERIOD_TYPES.includes(period as PeriodType)) {
      throw new CliError(`--period must be one of ${PERIOD_TYPES.join(', ')} (got "${String(period)}")`, 2);
    }
    const guildId = typeof values.guild === 'string' ? values.guild.trim() : undefined;
    if (guildId === '') throw new CliError('--guild needs a guild id', 2);
    const db = await openCommandDatabase(io, values.database, { command: 'aggregate', needs: ['aggregation'] });
    try {
      // A guild the database knows nothing of aggregates to nothing: most likely a mistyped id, so say so rather than
      // print "0 buckets" as if all were well.
      if (guildId !== undefined && !(await createAnalytics(db).guilds()).some((g) => g.guildId === guildId)) {
        io.stderr.write(
          `Warning: this database holds no data for guild ${guildId}; nothing to aggregate. "clipscope guilds" lists the servers it has.\n`,
        );
      }
      const progress = createProgress({ label: 'Aggregating', unit: 'guild periods', stream: io.stderr as unknown as Writable });
      const summary = await aggregateAnalytics(
        db,
        { guildId, period: period as PeriodType | undefined, full: values.full === true },
        { clock: systemClock, onProgress: (done, total) => progress.update(done, total) },
      );
      progress.finish();
      io.stdout.write(`${formatAggregateSummary(summary)}\n`);
      return 0;
    } finally {
      await closeCommandDatabase(db);
    }
  },
};
