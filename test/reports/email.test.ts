// The monthly report by email on both engines, through the real nodemailer mailer to a local SMTP server (smtp-server):
// exactly one message per recipient and month with the PDF attached, across a restart and two processes at once; a
// refused address failed for good, a temporary refusal retried a bounded number of times; a lost outcome resumed once;
// guilds kept apart.
import { type AddressInfo, createServer } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalytics } from '../../src/analytics/service';
import { ManualClock } from '../../src/clock';
import type { Db } from '../../src/db/database';
import { guildSettingsStore } from '../../src/db/guild-settings';
import { MAX_REPORT_EMAIL_ATTEMPTS, reportEmailStore } from '../../src/db/stores/report-emails';
import { silentLogger } from '../../src/logger';
import { MAX_REPORT_EMAILS, type ReportEmailDeps, runDueReportEmails } from '../../src/reports/email';
import { createSmtpMailer } from '../../src/reports/mailer';
import { REPORT_CLAIM_TIMEOUT_MS } from '../../src/reports/monthly';
import { GUILD, OTHER_GUILD, seedCommunity } from '../analytics/community-seed';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

/** 1 December 2026, 07:00 in Berlin (the community's timezone): November has just ended. */
const DEC_1 = Date.parse('2026-12-01T06:00:00Z');
const NOVEMBER_START = Date.parse('2026-10-31T23:00:00Z');
/** OTHER_GUILD keeps the default timezone, UTC. */
const NOVEMBER_START_UTC = Date.parse('2026-11-01T00:00:00Z');
const DEC_10 = Date.parse('2026-12-10T12:00:00Z');

interface Received {
  to: string[];
  mail: ParsedMail;
}

/** A local SMTP server that keeps every message; addresses listed in `refuse` get that reply to RCPT TO. */
async function startSmtp(): Promise<{ url: string; received: Received[]; refuse: Map<string, number>; stop(): Promise<void> }> {
  const received: Received[] = [];
  const refuse = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const code = refuse.get(address.address);
      if (code === undefined) return callback();
      const error = Object.assign(new Error(code >= 500 ? 'No such user' : 'Try again later'), { responseCode: code });
      return callback(error);
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address), mail });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}?tls=off`,
    received,
    refuse,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.each(testEngines())('monthly report email on %s', (engine) => {
  let t: TestDatabase;
  let other: { db: Db; close(): Promise<void> };
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const clock = new ManualClock(DEC_10);
  const mailers: Array<{ close(): void }> = [];

  /** One process's dependencies: its own database handle and its own SMTP connection. */
  const deps = (db: Db = t.db): ReportEmailDeps => {
    const mailer = createSmtpMailer(smtp.url);
    mailers.push(mailer);
    return {
      emails: reportEmailStore(db),
      settings: guildSettingsStore(db),
      analytics: createAnalytics(db),
      mailer,
      from: 'Clipscope <reports@clipscope.test>',
      clock,
      logger: silentLogger(),
    };
  };
  const to = (address: string) => smtp.received.filter((r) => r.to.includes(address));

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'report-email');
    await seedCommunity(t.db);
    other = await t.openAnother();
    smtp = await startSmtp();
  });
  afterAll(async () => {
    for (const mailer of mailers) mailer.close();
    await smtp?.stop();
    await other?.close();
    await t?.close();
  });

  it('keeps at most MAX_REPORT_EMAILS addresses per guild, each once, and each guild its own', async () => {
    const store = reportEmailStore(t.db);
    expect(await store.add(GUILD, 'ana@example.com', DEC_10, MAX_REPORT_EMAILS)).toBe('added');
    expect(await store.add(GUILD, 'ana@example.com', DEC_10, MAX_REPORT_EMAILS)).toBe('exists');
    expect(await store.add(GUILD, 'ben@example.com', DEC_10, MAX_REPORT_EMAILS)).toBe('added');
    for (let i = 0; i < MAX_REPORT_EMAILS - 1; i++)
      expect(await store.add(OTHER_GUILD, `x${i}@example.com`, DEC_10, MAX_REPORT_EMAILS)).toBe('added');
    expect(await store.add(OTHER_GUILD, 'ana@example.com', DEC_10, MAX_REPORT_EMAILS)).toBe('added');
    expect(await store.add(OTHER_GUILD, 'ana@example.com', DEC_10, MAX_REPORT_EMAILS)).toBe('exists');
    expect(await store.add(OTHER_GUILD, 'one-too-many@example.com', DEC_10, MAX_REPORT_EMAILS)).toBe('full');
    expect(await store.list(GUILD)).toEqual(['ana@example.com', 'ben@example.com']);
    expect(await store.list(OTHER_GUILD)).toHaveLength(MAX_REPORT_EMAILS);
    // Back to one address in the other guild, which shares an address with GUILD: removing it there keeps GUILD's.
    for (let i = 0; i < MAX_REPORT_EMAILS - 1; i++) expect(await store.remove(OTHER_GUILD, `x${i}@example.com`)).toBe(true);
    expect(await store.remove(OTHER_GUILD, 'nobody@example.com')).toBe(false);
    expect(await store.list(OTHER_GUILD)).toEqual(['ana@example.com']);
    expect(await store.remove(OTHER_GUILD, 'ana@example.com')).toBe(true);
    expect(await store.list(GUILD)).toEqual(['ana@example.com', 'ben@example.com']);
  });

  it('sends nothing for a month whose first days have passed', async () => {
    clock.set(DEC_10);
    expect(await runDueReportEmails(deps())).toEqual([]);
    expect(smtp.received).toHaveLength(0);
  });

  it("emails November's PDF once per recipient, though two processes check at once and a restarted one follows", async () => {
    clock.set(DEC_1);
    const outcomes = (await Promise.all([runDueReportEmails(deps(t.db)), runDueReportEmails(deps(other.db))])).flat();
    expect(outcomes.map((o) => `${o.address} ${o.result}`).sort()).toEqual(['ana@example.com sent', 'ben@example.com sent']);
    expect(smtp.received).toHaveLength(2);
    for (const address of ['ana@example.com', 'ben@example.com']) {
      const [message] = to(address);
      expect(message?.to).toEqual([address]);
      expect(message?.mail.subject).toBe('Clipscope report · November 2026');
      expect(message?.mail.from?.text).toBe('"Clipscope" <reports@clipscope.test>');
      expect(message?.mail.attachments).toHaveLength(1);
      const pdf = message?.mail.attachments[0];
      expect(pdf?.filename).toBe('clipscope-report-november-2026.pdf');
      expect(pdf?.contentType).toBe('application/pdf');
      expect(pdf?.content.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(pdf?.content.length).toBeGreaterThan(10_000);
    }
    const rows = await reportEmailStore(t.db).emails({ guildId: GUILD, monthStart: NOVEMBER_START });
    expect(rows.map((r) => [r.address, r.state, r.attempts])).toEqual([
      ['ana@example.com', 'sent', 1],
      ['ben@example.com', 'sent', 1],
    ]);
    expect(rows[0]?.messageId).toMatch(/^<report-[0-9a-f]{32}@clipscope>$/);

    // Half an hour later, this process and a restarted one (new database handle, new SMTP connection): nothing more.
    clock.advance(30 * 60_000);
    expect(await runDueReportEmails(deps(t.db))).toEqual([]);
    expect(await runDueReportEmails(deps(other.db))).toEqual([]);
    expect(smtp.received).toHaveLength(2);
  });

  it('a recipient added later in the first days gets the month once; the others are not mailed again', async () => {
    await reportEmailStore(t.db).add(GUILD, 'cat@example.com', clock.now(), MAX_REPORT_EMAILS);
    clock.advance(30 * 60_000);
    const outcomes = await runDueReportEmails(deps());
    expect(outcomes).toEqual([{ guildId: GUILD, monthStart: NOVEMBER_START, address: 'cat@example.com', result: 'sent' }]);
    expect(to('cat@example.com')).toHaveLength(1);
    expect(smtp.received).toHaveLength(3);
  });

  it('records an address the server refuses (5xx) as failed for good and never retries it', async () => {
    smtp.refuse.set('gone@example.com', 550);
    await reportEmailStore(t.db).add(GUILD, 'gone@example.com', clock.now(), MAX_REPORT_EMAILS);
    clock.advance(30 * 60_000);
    const [outcome, ...rest] = await runDueReportEmails(deps());
    expect(rest).toEqual([]);
    expect(outcome).toMatchObject({ address: 'gone@example.com', result: 'failed' });
    expect(outcome?.error).toMatch(/refused the report \(550\)/);
    clock.advance(REPORT_CLAIM_TIMEOUT_MS + 60_000);
    expect(await runDueReportEmails(deps())).toEqual([]);
    const row = (await reportEmailStore(t.db).emails({ guildId: GUILD, monthStart: NOVEMBER_START })).find(
      (r) => r.address === 'gone@example.com',
    );
    expect(row).toMatchObject({ state: 'failed', attempts: 1 });
    expect(to('gone@example.com')).toHaveLength(0);
    await reportEmailStore(t.db).remove(GUILD, 'gone@example.com');
  });

  it(`retries a temporary refusal (4xx) at the next checks, ${MAX_REPORT_EMAIL_ATTEMPTS} attempts in all, then gives up`, async () => {
    smtp.refuse.set('busy@example.com', 451);
    await reportEmailStore(t.db).add(GUILD, 'busy@example.com', clock.now(), MAX_REPORT_EMAILS);
    for (let attempt = 1; attempt <= MAX_REPORT_EMAIL_ATTEMPTS; attempt++) {
      clock.advance(30 * 60_000);
      const outcomes = await runDueReportEmails(deps());
      expect(outcomes).toEqual([expect.objectContaining({ address: 'busy@example.com', result: 'failed' })]);
    }
    clock.advance(30 * 60_000);
    expect(await runDueReportEmails(deps())).toEqual([]);
    const row = (await reportEmailStore(t.db).emails({ guildId: GUILD, monthStart: NOVEMBER_START })).find(
      (r) => r.address === 'busy@example.com',
    );
    expect(row).toMatchObject({ state: 'failed', attempts: MAX_REPORT_EMAIL_ATTEMPTS });
    expect(row?.error).toMatch(/Try again later/);
    await reportEmailStore(t.db).remove(GUILD, 'busy@example.com');
  });

  it('records an unreachable SMTP server as a failure of the attempt and sends at the next check once it answers', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await reportEmailStore(t.db).add(GUILD, 'down@example.com', clock.now(), MAX_REPORT_EMAILS);
    clock.advance(30 * 60_000);
    const down = createSmtpMailer(`smtp://127.0.0.1:${port}?tls=off`);
    mailers.push(down);
    const [outcome, ...rest] = await runDueReportEmails({ ...deps(), mailer: down });
    expect(rest).toEqual([]);
    expect(outcome).toMatchObject({ address: 'down@example.com', result: 'failed' });
    expect(outcome?.error).toMatch(/ECONNREFUSED/);
    const row = async () =>
      (await reportEmailStore(t.db).emails({ guildId: GUILD, monthStart: NOVEMBER_START })).find((r) => r.address === 'down@example.com');
    expect(await row()).toMatchObject({ state: 'claimed', attempts: 1 });
    clock.advance(30 * 60_000);
    expect(await runDueReportEmails(deps())).toEqual([
      { guildId: GUILD, monthStart: NOVEMBER_START, address: 'down@example.com', result: 'sent' },
    ]);
    expect(await row()).toMatchObject({ state: 'sent', attempts: 2, error: null });
    expect(to('down@example.com')).toHaveLength(1);
    await reportEmailStore(t.db).remove(GUILD, 'down@example.com');
  });

  it('resumes a claim whose outcome was lost once after the timeout, and never a second time', async () => {
    const store = reportEmailStore(t.db);
    const email = { guildId: GUILD, monthStart: NOVEMBER_START, address: 'lost@example.com' };
    // A process claimed the email and died before recording anything.
    await store.add(GUILD, 'lost@example.com', clock.now(), MAX_REPORT_EMAILS);
    expect(await store.claim({ ...email, now: clock.now(), staleBefore: clock.now() - REPORT_CLAIM_TIMEOUT_MS })).toBe('fresh');
    clock.advance(5 * 60_000);
    expect(await runDueReportEmails(deps())).toEqual([]); // not yet stale
    clock.advance(REPORT_CLAIM_TIMEOUT_MS);
    // The resumption's claim taken by a process that dies as well: no third attempt.
    expect(await store.claim({ ...email, now: clock.now(), staleBefore: clock.now() - REPORT_CLAIM_TIMEOUT_MS })).toBe('resumed');
    clock.advance(REPORT_CLAIM_TIMEOUT_MS + 60_000);
    expect(await runDueReportEmails(deps())).toEqual([]);
    expect(to('lost@example.com')).toHaveLength(0);
    expect(
      (await store.emails({ guildId: GUILD, monthStart: NOVEMBER_START })).find((r) => r.address === 'lost@example.com'),
    ).toMatchObject({
      state: 'claimed',
      attempts: 2,
    });
    // The same once more, where the resumption succeeds: one message.
    const again = { ...email, address: 'late@example.com' };
    await store.add(GUILD, 'late@example.com', clock.now(), MAX_REPORT_EMAILS);
    expect(await store.claim({ ...again, now: clock.now(), staleBefore: clock.now() - REPORT_CLAIM_TIMEOUT_MS })).toBe('fresh');
    clock.advance(REPORT_CLAIM_TIMEOUT_MS + 60_000);
    expect(await runDueReportEmails(deps())).toEqual([{ ...again, result: 'sent' }]);
    expect(to('late@example.com')).toHaveLength(1);
    await store.remove(GUILD, 'lost@example.com');
  });

  it("keeps guilds apart: another guild's recipient gets that guild's month, and GUILD's rows are untouched", async () => {
    const before = smtp.received.length;
    await reportEmailStore(t.db).add(OTHER_GUILD, 'ana@example.com', clock.now(), MAX_REPORT_EMAILS);
    clock.advance(30 * 60_000);
    const outcomes = await runDueReportEmails(deps(other.db));
    expect(outcomes).toEqual([{ guildId: OTHER_GUILD, monthStart: NOVEMBER_START_UTC, address: 'ana@example.com', result: 'sent' }]);
    expect(smtp.received).toHaveLength(before + 1);
    expect(to('ana@example.com')).toHaveLength(2);
    const rows = await reportEmailStore(t.db).emails({ guildId: OTHER_GUILD, monthStart: NOVEMBER_START_UTC });
    expect(rows.map((r) => r.address)).toEqual(['ana@example.com']);
    expect(await reportEmailStore(t.db).list(OTHER_GUILD)).toEqual(['ana@example.com']);
  });
});
