// One Clipscope process's monthly report email check, for test/reports/email-processes.test.ts: opens the database
// named by DATABASE_URL or DATABASE_PATH (already migrated), runs one check at REPORT_NOW through SMTP_URL, and
// prints its outcomes as one JSON line.
import { createAnalytics } from '../../src/analytics/service';
import { ManualClock } from '../../src/clock';
import { guildSettingsStore } from '../../src/db/guild-settings';
import { closeDb, databaseTarget, openDb } from '../../src/db/open';
import { reportEmailStore } from '../../src/db/stores/report-emails';
import { silentLogger } from '../../src/logger';
import { runDueReportEmails } from '../../src/reports/email';
import { createSmtpMailer } from '../../src/reports/mailer';

const env = process.env;
const db = await openDb(
  databaseTarget({
    DATABASE_PATH: env.DATABASE_PATH ?? '',
    DATABASE_URL: env.DATABASE_URL || undefined,
    DATABASE_POOL_SIZE: 2,
    DATABASE_STATEMENT_TIMEOUT_MS: 30_000,
    DATABASE_ACQUIRE_TIMEOUT_MS: 10_000,
  }),
  { migrate: false },
);
const mailer = createSmtpMailer(env.SMTP_URL ?? '');
try {
  const outcomes = await runDueReportEmails({
    emails: reportEmailStore(db),
    settings: guildSettingsStore(db),
    analytics: createAnalytics(db),
    mailer,
    from: 'reports@clipscope.test',
    clock: new ManualClock(Number(env.REPORT_NOW)),
    logger: silentLogger(),
  });
  process.stdout.write(`${JSON.stringify(outcomes)}\n`);
} finally {
  mailer.close();
  await closeDb(db);
}
