// Compare like with like: a period still running is set against the same elapsed span of the previous one (to the
// same local day and time), says so in its label, and the whole previous period stays one parameter away.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { compare, spanLabel } from '../../src/analytics/compare';
import type { AnalysisContext } from '../../src/analytics/types';
import { shareNewClip } from '../fixtures/http-community';
import { bearer, startTestServer, tokenFor } from '../helpers/http-server';
import { createTempDb, type TempDb } from '../helpers/temp-db';
import { ManualClock } from '../../src/clock';
import { sqliteClient } from '../../src/db/client';
import type { Db, Engine } from '../../src/db/database';
import { queries } from '../../src/db/sql';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { copyTables, RAW_TABLES } from './community-seed';

const GUILD = '300000000000000003';
const at = (iso: string): number => Date.parse(iso);
/** Friday 2026-12-05 14:00 UTC: five days into December. */
const NOW = at('2026-12-05T14:00:00Z');

let temp: TempDb;
let message = 7000;

function clipAt(iso: string, views = 100): void {
  message += 1;
  shareNewClip(temp.db, GUILD, `Clip${message}`, { views, creator: ['c1', 'Alice'], at: at(iso), messageId: String(message) });
}

const ctx = (now = NOW, timezone = 'UTC'): AnalysisContext => ({ guildId: GUILD, timezone, now });

beforeEach(() => {
  temp = createTempDb();
  // December so far: 3 clips. November: 2 in its first five days (one before 14:00 on the 5th, one after), 8 later.
  for (const day of ['2026-12-01T10:00:00Z', '2026-12-03T10:00:00Z', '2026-12-05T09:00:00Z']) clipAt(day);
  clipAt('2026-11-02T10:00:00Z');
  clipAt('2026-11-05T13:59:00Z');
  clipAt('2026-11-05T15:00:00Z');
  for (let d = 10; d < 17; d++) clipAt(`2026-11-${d}T10:00:00Z`);
});

afterEach(() => temp.cleanup());

// PostgreSQL answers the same questions over a copy of the clips the capture code wrote on SQLite.
let postgres: TestDatabase | undefined;
beforeAll(async () => {
  if (testEngines().includes('postgres')) postgres = await openTestDatabase('postgres', 'compare');
});
afterAll(async () => {
  await postgres?.close();
});

/** The database to ask on `engine`: SQLite's, or PostgreSQL with SQLite's raw rows as they are now. */
async function dbOn(engine: Engine): Promise<Db> {
  if (engine === 'sqlite' || !postgres) return temp.db;
  for (const table of [...RAW_TABLES].reverse()) await queries(postgres.db).run(`DELETE FROM ${table}`);
  await copyTables(temp.db, postgres.db, RAW_TABLES);
  return postgres.db;
}

describe.each(testEngines())('compare on %s', (engine) => {
  it('sets this month so far against the same days of last month, to the same hour, and says so', async () => {
    const answer = await compare(await dbOn(engine), ctx(), { period: { type: 'month' } });
    expect(answer.span).toBe('to_date');
    expect(answer.label).toBe('Dec 1–5 vs Nov 1–5');
    expect(answer.clips).toEqual({ current: 3, previous: 2, change: 1, change_pct: 50 });
    expect(answer.compared.previous).toEqual({ start: '2026-11-01T00:00:00.000Z', end: '2026-11-05T14:00:00.000Z', label: 'Nov 1–5' });
    expect(answer.compared.current).toEqual({ start: '2026-12-01T00:00:00.000Z', end: '2026-12-05T14:00:00.000Z', label: 'Dec 1–5' });
    // The calendar periods themselves are unchanged.
    expect(answer.current).toMatchObject({ type: 'month', offset: 0, label: 'December 2026' });
    expect(answer.previous).toMatchObject({ type: 'month', offset: 1, label: 'November 2026', end: '2026-12-01T00:00:00.000Z' });
    // The same answer from the raw tables.
    expect(await compare(await dbOn(engine), ctx(), { period: { type: 'month' }, source: 'raw' })).toEqual(answer);
  });

  it('compares with the whole previous month when asked, and calls the running one "so far"', async () => {
    const answer = await compare(await dbOn(engine), ctx(), { period: { type: 'month' }, span: 'whole' });
    expect(answer.span).toBe('whole');
    expect(answer.label).toBe('December 2026 so far vs November 2026');
    expect(answer.clips).toEqual({ current: 3, previous: 10, change: -7, change_pct: -70 });
  });

  it('compares finished periods whole, whatever was asked', async () => {
    for (const span of [undefined, 'to_date', 'whole'] as const) {
      const answer = await compare(await dbOn(engine), ctx(), { period: { type: 'month', offset: 1 }, ...(span ? { span } : {}) });
      expect(answer.span).toBe('whole');
      expect(answer.label).toBe('November 2026 vs October 2026');
      expect(answer.clips).toMatchObject({ current: 10, previous: 0 });
    }
  });

  it('today against yesterday up to the same time', async () => {
    clipAt('2026-12-04T08:00:00Z');
    clipAt('2026-12-04T20:00:00Z');
    const answer = await compare(await dbOn(engine), ctx(), { period: { type: 'day' } });
    expect(answer.label).toBe('Dec 5 until 14:00 vs Dec 4 until 14:00');
    expect(answer.clips).toMatchObject({ current: 1, previous: 1 });
  });

  it('a week across two months, and the same local time in the guild’s timezone', async () => {
    // Wednesday 2026-12-02 10:30 in Berlin (09:30 UTC): the week began Monday Nov 30.
    const now = at('2026-12-02T09:30:00Z');
    const answer = await compare(await dbOn(engine), ctx(now, 'Europe/Berlin'), { period: { type: 'week' } });
    expect(answer.label).toBe('Nov 30 – Dec 2 vs Nov 23–25');
    // Monday Nov 23 00:00 Berlin = Nov 22 23:00 UTC; to Wednesday 10:30 Berlin.
    expect(answer.compared.previous).toMatchObject({ start: '2026-11-22T23:00:00.000Z', end: '2026-11-25T09:30:00.000Z' });
  });

  it('stops at the end of a shorter previous month (March 31 against all of February)', async () => {
    const answer = await compare(await dbOn(engine), ctx(at('2027-03-31T12:00:00Z')), { period: { type: 'month' } });
    expect(answer.label).toBe('Mar 1–31 vs Feb 1–28');
    expect(answer.compared.previous.end).toBe('2027-03-01T00:00:00.000Z');
  });

  it('labels spans across years and within one day', () => {
    expect(spanLabel('UTC', at('2026-12-29T00:00:00Z'), at('2027-01-03T00:00:00Z'))).toBe('Dec 29, 2026 – Jan 2, 2027');
    expect(spanLabel('UTC', at('2026-12-05T00:00:00Z'), at('2026-12-06T00:00:00Z'))).toBe('Dec 5');
    expect(spanLabel('UTC', at('2026-12-05T00:00:00Z'), at('2026-12-05T00:00:00Z'))).toBe('Dec 5');
    expect(spanLabel('America/New_York', at('2026-12-05T05:00:00Z'), at('2026-12-05T20:15:00Z'))).toBe('Dec 5 until 15:15');
  });
});

describe('GET /analytics/api/compare', () => {
  it('defaults to the same span while the period runs; span=whole compares all of the previous one', async () => {
    sqliteClient(temp.db).prepare(`INSERT INTO guild_settings (guild_id, timezone, updated_at) VALUES (?, 'UTC', 0)`).run(GUILD);
    const { server } = await startTestServer(temp.db, {}, new ManualClock(NOW));
    try {
      const headers = bearer(await tokenFor(temp.db, GUILD));
      const get = (url: string) => server.app.inject({ method: 'GET', url, headers });
      const toDate = (await get('/analytics/api/compare?period=month')).json();
      expect(toDate).toMatchObject({ span: 'to_date', label: 'Dec 1–5 vs Nov 1–5', clips: { current: 3, previous: 2 } });
      expect((await get('/analytics/api/compare?period=month&span=to_date')).json()).toEqual(toDate);
      const whole = (await get('/analytics/api/compare?period=month&span=whole')).json();
      expect(whole).toMatchObject({ span: 'whole', label: 'December 2026 so far vs November 2026', clips: { previous: 10 } });
      const bad = await get('/analytics/api/compare?period=month&span=all');
      expect(bad.statusCode).toBe(400);
      expect(bad.json().issues[0]).toMatchObject({ parameter: 'span', rule: 'one of to_date, whole' });
    } finally {
      await server.close();
    }
  });
});
