// GET /analytics/api/report on both engines: the guild's report for a calendar period as a PDF download (read back
// with poppler), scoped to the token's guild, bad parameters refused with the parameter named, and bounded: a second
// report for the same token meanwhile is a 429, a third report at once on the server a 503.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import type { HttpServer } from '../../src/http/server';
import { MAX_CONCURRENT_REPORTS } from '../../src/http/routes/report';
import { GUILD, NOW, OTHER_GUILD, seedCommunity } from '../analytics/community-seed';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { bearer, startTestServer, tokenFor } from '../helpers/http-server';

const pdfText = (dir: string, name: string, body: Buffer): string => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, body);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8', timeout: 30_000 });
};

describe.each(testEngines())('report API on %s', (engine) => {
  let t: TestDatabase;
  let server: HttpServer;
  let token: string;
  let otherToken: string;
  let dir: string;

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'http-report');
    await seedCommunity(t.db);
    token = await tokenFor(t.db, GUILD);
    otherToken = await tokenFor(t.db, OTHER_GUILD);
    ({ server } = await startTestServer(t.db, {}, new ManualClock(NOW)));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-report-api-'));
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const get = (url: string, tok = token) => server.app.inject({ url, headers: bearer(tok) });

  it("downloads last month's report as a PDF named for the period, in the guild's timezone", async () => {
    const res = await get('/analytics/api/report?period=month&offset=1');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe('attachment; filename="clipscope-report-November-2026.pdf"');
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = pdfText(dir, 'november.pdf', res.rawPayload);
    expect(text).toContain('Clipscope report: Clip Club');
    expect(text).toContain('Times in Europe/Berlin');
    expect(text).toContain('Compared: November 2026 vs October 2026');
    for (const title of ['Top creators', 'Stream moments', 'Moods']) expect(text).toContain(title);
  });

  it('makes this month by default and any day or week asked for', async () => {
    const month = await get('/analytics/api/report');
    expect(month.statusCode, month.body).toBe(200);
    expect(month.headers['content-disposition']).toBe('attachment; filename="clipscope-report-December-2026.pdf"');
    const week = await get('/analytics/api/report?period=week&offset=2');
    expect(week.statusCode, week.body).toBe(200);
    const label = /filename="clipscope-report-(.+)\.pdf"/.exec(String(week.headers['content-disposition']))?.[1];
    expect(label).toBeDefined();
    expect(pdfText(dir, 'week.pdf', week.rawPayload)).toContain('2026-11-16');
  });

  it("gives each token its own guild's report only", async () => {
    const res = await get('/analytics/api/report?period=month&offset=1', otherToken);
    expect(res.statusCode, res.body).toBe(200);
    const text = pdfText(dir, 'other.pdf', res.rawPayload);
    expect(text).toMatch(new RegExp(`Clipscope report: Server\\s+${OTHER_GUILD}`));
    expect(text).not.toContain('Clip Club');
    expect((await server.app.inject({ url: '/analytics/api/report' })).statusCode).toBe(401);
  });

  it('refuses a period a report cannot cover, naming the parameter', async () => {
    for (const [query, parameter] of [
      ['period=all_time', 'period'],
      ['period=month&offset=121', 'offset'],
      ['from=2026-11-01&to=2026-11-08', 'from'],
      ['period=month&period=week', 'period'],
    ] as const) {
      const res = await get(`/analytics/api/report?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json(), query).toMatchObject({ error: 'invalid_parameter', parameter });
    }
  });

  it('makes one report at a time per token (429) and a bounded number at once on the server (503)', async () => {
    const [first, second] = await Promise.all([
      get('/analytics/api/report?period=month&offset=1'),
      get('/analytics/api/report?period=week'),
    ]);
    expect([first.statusCode, second.statusCode].sort()).toEqual([200, 429]);
    const busy = first.statusCode === 429 ? first : second;
    expect(busy.json()).toMatchObject({ error: 'report_in_progress' });
    expect(busy.headers['retry-after']).toBe('5');
    // Once it is done, the same token gets its next report.
    expect((await get('/analytics/api/report?period=day')).statusCode).toBe(200);

    const tokens = await Promise.all(Array.from({ length: MAX_CONCURRENT_REPORTS + 1 }, (_, i) => tokenFor(t.db, GUILD, `busy-${i}`)));
    const answers = await Promise.all(tokens.map((tok) => get('/analytics/api/report?period=month&offset=1', tok)));
    const codes = answers.map((a) => a.statusCode).sort();
    expect(codes).toEqual([...new Array(MAX_CONCURRENT_REPORTS).fill(200), 503]);
    const refused = answers.find((a) => a.statusCode === 503);
    expect(refused?.json()).toMatchObject({ error: 'reports_busy' });
    expect(refused?.headers['retry-after']).toBe('10');
  });
});
