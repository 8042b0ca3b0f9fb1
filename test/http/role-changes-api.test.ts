// GET /analytics/api/role-changes on both engines: the guild's clipper role rules and its role changes newest first,
// in keyset pages that neither skip nor repeat a change, with the last roles run; never another guild's rules or
// changes; written by its compiled response schema (JSON.stringify's text); bad parameters refused by name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalytics } from '../../src/analytics/service';
import { createApiToken } from '../../src/auth/tokens';
import { ManualClock } from '../../src/clock';
import { recordJobRun } from '../../src/db/stores/jobs';
import { putRoleRule, recordRoleGranted, recordRoleRevoked } from '../../src/db/stores/roles';
import { serializeRoleChanges } from '../../src/http/response-schemas';
import { createRolesAdmin } from '../../src/roles/admin';
import type { HttpServer } from '../../src/http/server';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { bearer, GUILD_A, GUILD_B, startTestServer, TEST_NOW } from '../helpers/http-server';

const MINUTE = 60_000;
const ROLE_A = '300000000000000003';
const ROLE_B = '400000000000000004';

describe.each(testEngines())('role changes API on %s', (engine) => {
  let t: TestDatabase;
  let server: HttpServer;
  let tokenA: string;
  let tokenB: string;
  let emptyToken: string;

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'http-role-changes');
    await putRoleRule(
      t.db,
      { guildId: GUILD_A, roleId: ROLE_A, kind: 'top_clippers_by_clips', period: 'month', top: 1, min: null, createdBy: 'admin-a' },
      TEST_NOW - 60 * MINUTE,
    );
    await putRoleRule(
      t.db,
      { guildId: GUILD_B, roleId: ROLE_B, kind: 'clips_milestone', period: 'all_time', top: null, min: 100, createdBy: 'admin-b' },
      TEST_NOW - 60 * MINUTE,
    );
    const change = (guildId: string, roleId: string, userId: string, minutesAgo: number, reason: string) => ({
      guildId,
      roleId,
      userId,
      reason,
      now: TEST_NOW - minutesAgo * MINUTE,
    });
    // Guild A: five members got the role, one lost it, one had left (seven changes).
    for (let i = 1; i <= 5; i += 1)
      await recordRoleGranted(t.db, change(GUILD_A, ROLE_A, `member-a${i}`, 50 - i, 'top Twitch clipper of the month by clips'));
    await recordRoleRevoked(t.db, change(GUILD_A, ROLE_A, 'member-a1', 30, 'top Twitch clipper of the month by clips'), 'removed');
    await recordRoleRevoked(t.db, change(GUILD_A, ROLE_A, 'member-a2', 30, 'top Twitch clipper of the month by clips'), 'left');
    await recordRoleGranted(t.db, change(GUILD_B, ROLE_B, 'secret-member-b', 10, 'at least 100 Twitch clips made, all time'));
    await recordJobRun(t.db, {
      job: 'aggregate-incremental',
      started: TEST_NOW - 5 * MINUTE,
      finished: TEST_NOW - 4 * MINUTE,
      error: null,
      summary: 'x',
    });
    tokenA = (await createApiToken(t.db, { guildId: GUILD_A }, TEST_NOW)).token;
    tokenB = (await createApiToken(t.db, { guildId: GUILD_B }, TEST_NOW)).token;
    emptyToken = (await createApiToken(t.db, { guildId: '500000000000000005' }, TEST_NOW)).token;
    ({ server } = await startTestServer(t.db, {}, new ManualClock(TEST_NOW)));
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  const get = (url: string, token = tokenA) => server.app.inject({ url, headers: bearer(token) });

  it('lists the rules and the changes newest first, with the last run, as the analytics service answers', async () => {
    const res = await get('/analytics/api/role-changes');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.headers['cache-control']).toBe('private, no-store');
    const body = res.json();
    expect(body.rules).toEqual([
      {
        role_id: ROLE_A,
        kind: 'top_clippers_by_clips',
        period: 'month',
        top: 1,
        min: null,
        state: 'pending',
        description: 'top Twitch clipper of the month by clips',
        previewed_at: null,
        updated_at: new Date(TEST_NOW - 60 * MINUTE).toISOString(),
      },
    ]);
    expect(body.changes).toHaveLength(7);
    expect(
      body.changes
        .slice(0, 2)
        .map((c: { user_id: string; action: string }) => `${c.user_id} ${c.action}`)
        .sort(),
    ).toEqual(['member-a1 removed', 'member-a2 left']);
    expect(body.changes[2]).toMatchObject({
      role_id: ROLE_A,
      user_id: 'member-a5',
      action: 'added',
      rule: 'top Twitch clipper of the month by clips',
      changed_at: new Date(TEST_NOW - 45 * MINUTE).toISOString(),
    });
    expect(body.next_cursor).toBeNull();
    expect(body.last_run).toEqual({
      started_at: new Date(TEST_NOW - 5 * MINUTE).toISOString(),
      finished_at: new Date(TEST_NOW - 4 * MINUTE).toISOString(),
      failed: false,
    });
    const direct = await createAnalytics(t.db).roleChanges(GUILD_A, { limit: 25, after: null });
    expect(res.body).toBe(JSON.stringify(direct));
    expect(serializeRoleChanges(direct)).toBe(JSON.stringify(direct));
  });

  it('pages through every change once, in order, following next_cursor', async () => {
    const all = (await get('/analytics/api/role-changes?limit=100')).json().changes.map((c: { change_id: string }) => c.change_id);
    const paged: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const url: string = `/analytics/api/role-changes?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const body = (await get(url)).json();
      expect(body.changes.length).toBeLessThanOrEqual(3);
      paged.push(...body.changes.map((c: { change_id: string }) => c.change_id));
      cursor = body.next_cursor;
      if (cursor === null) break;
    }
    expect(paged).toEqual(all);
    expect(all).toHaveLength(7);
  });

  it("says the last run failed without saying why (the error is every server's)", async () => {
    await recordJobRun(t.db, {
      job: 'aggregate-incremental',
      started: TEST_NOW - 3 * MINUTE,
      finished: TEST_NOW - 2 * MINUTE,
      error: 'guild 999 broke',
      summary: null,
    });
    const body = (await get('/analytics/api/role-changes')).json();
    expect(body.last_run).toEqual({
      started_at: new Date(TEST_NOW - 3 * MINUTE).toISOString(),
      finished_at: new Date(TEST_NOW - 2 * MINUTE).toISOString(),
      failed: true,
    });
    expect(JSON.stringify(body)).not.toContain('guild 999');
    await recordJobRun(t.db, {
      job: 'aggregate-incremental',
      started: TEST_NOW - 5 * MINUTE,
      finished: TEST_NOW - 4 * MINUTE,
      error: null,
      summary: null,
    });
  });

  it("never shows one guild's rules or changes to another guild's token", async () => {
    const a = await get('/analytics/api/role-changes?limit=100');
    expect(a.body).not.toContain('secret-member-b');
    expect(a.body).not.toContain(ROLE_B);
    const b = (await get('/analytics/api/role-changes?limit=100', tokenB)).json();
    expect(b.rules.map((r: { role_id: string }) => r.role_id)).toEqual([ROLE_B]);
    expect(b.changes.map((c: { user_id: string }) => c.user_id)).toEqual(['secret-member-b']);
    expect(JSON.stringify(b)).not.toContain('member-a');
    // A cursor taken from guild A's pages does not reach into A's changes from guild B.
    const cursorOfA = (await get('/analytics/api/role-changes?limit=1')).json().next_cursor as string;
    const bFromA = (await get(`/analytics/api/role-changes?cursor=${encodeURIComponent(cursorOfA)}`, tokenB)).json();
    expect(JSON.stringify(bFromA.changes)).not.toContain('member-a');
    expect((await server.app.inject({ url: '/analytics/api/role-changes' })).statusCode).toBe(401);
  });

  it("counts the guild's rules by state and its changes since an instant for /clipscope-admin status", async () => {
    const admin = createRolesAdmin({ db: t.db, clock: new ManualClock(TEST_NOW) });
    expect(await admin.status(GUILD_A, TEST_NOW - 45 * MINUTE)).toEqual({
      rules: 1,
      enabled: 0,
      pending: 1,
      changes: { added: 1, removed: 1, left: 1 },
    });
    expect(await admin.status(GUILD_B, TEST_NOW - 45 * MINUTE)).toEqual({
      rules: 1,
      enabled: 0,
      pending: 1,
      changes: { added: 1, removed: 0, left: 0 },
    });
    expect(await admin.status('500000000000000005', 0)).toEqual({
      rules: 0,
      enabled: 0,
      pending: 0,
      changes: { added: 0, removed: 0, left: 0 },
    });
  });

  it('answers a server without rules with empty lists', async () => {
    const body = (await get('/analytics/api/role-changes', emptyToken)).json();
    expect(body).toMatchObject({ rules: [], changes: [], next_cursor: null });
  });

  it.each([
    ['/analytics/api/role-changes?limit=0', 'limit', 'a whole number from 1 to 100'],
    ['/analytics/api/role-changes?limit=101', 'limit', 'a whole number from 1 to 100'],
    ['/analytics/api/role-changes?cursor=yesterday', 'cursor', 'the next_cursor of the previous page'],
    ['/analytics/api/role-changes?period=month', 'period', 'a known parameter'],
  ])('%s → 400 naming %s', async (url, parameter, rule) => {
    const res = await get(url);
    expect(res.statusCode, res.body).toBe(400);
    const body = res.json();
    expect(body.error).toBe('invalid_parameter');
    const issue = body.issues.find((i: { parameter: string }) => i.parameter === parameter);
    expect(issue.rule).toContain(rule);
  });
});
