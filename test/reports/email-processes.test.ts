// The monthly report email from two real processes at once on one database (both engines), then a third one started
// later: each recipient gets exactly one message, whichever process wins each claim.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database';
import { closePostgres, openPostgres } from '../../src/db/postgres/engine';
import { migratePostgres } from '../../src/db/schema-postgres/migrate';
import { reportEmailStore } from '../../src/db/stores/report-emails';
import { MAX_REPORT_EMAILS } from '../../src/reports/email';
import { GUILD, seedCommunity } from '../analytics/community-seed';
import { createPostgresDatabase, testEngines, type TestPostgresDatabase } from '../helpers/engines';
import { createTempDb } from '../helpers/temp-db';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** 1 December 2026, 07:00 in Berlin: November has just ended. */
const DEC_1 = Date.parse('2026-12-01T06:00:00Z');
const RECIPIENTS = ['ana@example.com', 'ben@example.com', 'cat@example.com'];

/** Runs one check in a child process; resolves with its outcomes. */
function runProcess(env: Record<string, string>): Promise<Array<{ address: string; result: string }>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/reports/email-runner.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`runner exited ${code}: ${err.slice(0, 2000)}`));
      else resolve(JSON.parse(out.trim().split('\n').pop() ?? '[]'));
    });
  });
}

describe.each(testEngines())('monthly report email from separate processes on %s', (engine) => {
  let db: Db;
  let env: Record<string, string>;
  let cleanup: () => Promise<void>;
  let smtp: SMTPServer;
  const received: string[][] = [];

  beforeAll(async () => {
    if (engine === 'sqlite') {
      const temp = createTempDb();
      db = temp.db;
      env = { DATABASE_PATH: temp.path };
      cleanup = async () => temp.cleanup();
    } else {
      const database: TestPostgresDatabase = await createPostgresDatabase('report-email-procs');
      const pg = openPostgres({ url: database.url, poolSize: 2 });
      await migratePostgres(pg.pool);
      db = pg;
      env = { DATABASE_URL: database.url };
      cleanup = async () => {
        await closePostgres(pg);
        await database.drop();
      };
    }
    await seedCommunity(db);
    for (const address of RECIPIENTS) await reportEmailStore(db).add(GUILD, address, DEC_1, MAX_REPORT_EMAILS);
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        stream.resume();
        stream.on('end', () => {
          received.push(session.envelope.rcptTo.map((r) => r.address));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    env.SMTP_URL = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}?tls=off`;
  }, 60_000);
  afterAll(async () => {
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    await cleanup?.();
  });

  it('sends each recipient one message though two processes check at once, and a later process sends nothing', async () => {
    const [a, b] = await Promise.all([
      runProcess({ ...env, REPORT_NOW: String(DEC_1) }),
      runProcess({ ...env, REPORT_NOW: String(DEC_1) }),
    ]);
    const sent = [...a, ...b].filter((o) => o.result === 'sent').map((o) => o.address);
    expect(sent.sort()).toEqual(RECIPIENTS);
    expect([...a, ...b].filter((o) => o.result !== 'sent')).toEqual([]);
    expect(received.map((to) => to.join(',')).sort()).toEqual(RECIPIENTS);
    // A process started half an hour later (a restart) finds every email sent.
    expect(await runProcess({ ...env, REPORT_NOW: String(DEC_1 + 30 * 60_000) })).toEqual([]);
    expect(received).toHaveLength(RECIPIENTS.length);
  }, 120_000);
});
