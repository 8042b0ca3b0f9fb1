// Two real `ROLES=jobs` processes (`node --import tsx src/main.ts`) with DISCORD_TOKEN over one database, on both
// engines, against the fake Discord: a weekly digest that falls due is posted once over REST, neither process opens a
// gateway session, and when the process posting a digest is killed with -9 before Discord answers (Discord has the
// message), the survivor posts the next digest and not that one again (docs/adr/0037-jobs-and-sign-in-over-rest.md).
// DIGEST_CHECK_CRON checks every 2 seconds instead of every 15 minutes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDatabase, openDatabase } from '../../src/db/client';
import type { Db } from '../../src/db/database';
import { updateGuildSettings } from '../../src/db/guild-settings';
import { closePostgres, openPostgres } from '../../src/db/postgres/engine';
import { listJobRunHistory } from '../../src/db/stores/job-leases';
import { DIGEST_JOB_NAME } from '../../src/digest/weekly';
import { snowflake, startFakeDiscord, textChannel, type FakeDiscord } from '../fakes/discord';
import { createPostgresDatabase, testEngines, type TestPostgresDatabase } from '../helpers/engines';
import { logLines, spawnApp, waitUntil, type Child } from '../reliability/child-process';

interface Running {
  child: Child;
  log: string;
}

const pidOf = (holder: string): number => Number(holder.split(':').at(-2));

describe.each(testEngines())('ROLES=jobs processes posting over REST on %s', (engine) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-jobs-rest-'));
  const started: Running[] = [];
  let discord: FakeDiscord | null = null;
  let pg: TestPostgresDatabase | null = null;
  let db: Db | null = null;
  let release: () => void = () => undefined;

  afterAll(async () => {
    await Promise.all(started.map((r) => r.child.kill()));
    release();
    if (db) {
      if (engine === 'postgres') await closePostgres(db as never);
      else closeDatabase(db);
    }
    await pg?.drop();
    await discord?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('posts each due digest once over REST, with no IDENTIFY, across a kill -9 of the process posting one', async () => {
    const guilds = ['Digest One', 'Digest Two', 'Digest Three'].map((name) => {
      const id = snowflake();
      return { id, name, ownerId: snowflake(), channels: [textChannel({ guild_id: id, name: 'digest' })] };
    });
    const [one, two, three] = guilds as [(typeof guilds)[number], (typeof guilds)[number], (typeof guilds)[number]];
    const channelOf = (g: (typeof guilds)[number]) => g.channels[0]!.id;
    const fake = await startFakeDiscord({ guilds });
    discord = fake;
    const database: Record<string, string> = {};
    if (engine === 'postgres') {
      pg = await createPostgresDatabase('jobs-rest-processes');
      database.DATABASE_URL = pg.url;
      database.DATABASE_POOL_SIZE = '4';
    } else {
      database.DATABASE_PATH = path.join(dir, 'clipscope.db');
    }
    const env = {
      ...database,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      TZ: 'UTC',
      ROLES: 'jobs',
      HTTP_ENABLED: 'false',
      DISCORD_TOKEN: fake.token,
      DISCORD_API_BASE_URL: fake.apiBaseUrl,
      DIGEST_CHECK_CRON: '*/2 * * * * *',
      // Long enough that a loaded machine's late renewal does not hand the lease over mid-run, short for the takeover.
      JOB_LEASE_SECONDS: '5',
      AGGREGATE_CRON: '0 0 1 1 *',
    };
    const start = (name: string): Running => {
      const log = path.join(dir, `${name}.log`);
      const running = { child: spawnApp(env, log), log };
      started.push(running);
      return running;
    };
    // Both start together on a new database: one migrates, the other waits for it.
    const jobs = [start('jobs-a'), start('jobs-b')];
    for (const r of jobs) {
      await waitUntil(() => logLines(r.log).some((l) => l.msg === 'clipscope running'), `${r.log} to start`, 90_000, 100);
      expect(logLines(r.log).some((l) => String(l.msg).startsWith('the jobs that post to Discord'))).toBe(true);
    }
    db =
      engine === 'postgres'
        ? openPostgres({ url: database.DATABASE_URL!, poolSize: 2 })
        : openDatabase({ path: database.DATABASE_PATH!, migrate: false });
    const handle = db;
    const posts = (g: (typeof guilds)[number]) => fake.requestsTo('POST', `/channels/${channelOf(g)}/messages`);
    const waitForPost = (g: (typeof guilds)[number]) =>
      fake
        .waitFor(() => posts(g).length > 0, 30_000)
        .catch(() => {
          throw new Error(`no digest posted for ${g.name}: ${fake.requests.map((r) => `${r.method} ${r.path}`).join(', ')}`);
        });

    // A guild sets its digest channel: last week's digest is due at once and goes out from one of the two.
    await updateGuildSettings(handle, one.id, { digestChannelId: channelOf(one) }, Date.now());
    await waitForPost(one);

    // Discord takes the next digest's post and never answers: the process sending it is killed meanwhile.
    let held = (): void => undefined;
    const hold = new Promise<void>((resolve) => (held = resolve));
    release = held;
    fake.route('POST', `/channels/${channelOf(two)}/messages`, async (request) => {
      const message = fake.postMessage(channelOf(two), request.body);
      await hold;
      return { body: message };
    });
    await updateGuildSettings(handle, two.id, { digestChannelId: channelOf(two) }, Date.now());
    await waitForPost(two);
    const running = (await listJobRunHistory(handle, DIGEST_JOB_NAME)).filter((r) => r.finishedAt === null);
    expect(running, JSON.stringify(running)).toHaveLength(1);
    const victim = jobs.find((r) => r.child.process.pid === pidOf(running[0]!.holder))!;
    const survivor = jobs.find((r) => r !== victim)!;
    expect(victim).toBeDefined();
    expect(await victim.child.kill()).toBe(true);
    const killedAt = Date.now();
    held();
    // It died mid-send: Discord has the message, the process never heard back.
    expect(logLines(victim.log).some((l) => l.guildId === two.id && l.msg === 'weekly digest posted')).toBe(false);

    // The survivor takes the checks over once the victim's lease runs out: a third guild's digest goes out, and the
    // second's, claimed by the dead process moments ago, is left alone (taken over only after the claim timeout,
    // after a look in the channel for the post Discord did receive).
    await updateGuildSettings(handle, three.id, { digestChannelId: channelOf(three) }, Date.now());
    await waitForPost(three);
    const survivorRuns = async () =>
      (await listJobRunHistory(handle, DIGEST_JOB_NAME)).filter(
        (r) => r.startedAt > killedAt && r.finishedAt !== null && pidOf(r.holder) === survivor.child.process.pid,
      );
    const postedThird = Date.now();
    const deadline = Date.now() + 20_000;
    while ((await survivorRuns()).filter((r) => r.startedAt > postedThird).length < 3) {
      if (Date.now() > deadline) throw new Error(`the survivor stopped checking: ${JSON.stringify(await survivorRuns())}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    // Exactly once each, over REST alone: no gateway session from either process.
    for (const g of guilds) {
      expect(posts(g), g.name).toHaveLength(1);
      expect(fake.messages.get(channelOf(g))?.size, g.name).toBe(1);
      const body = posts(g)[0]!.body as { embeds: { title: string }[]; enforce_nonce: boolean };
      expect(body.embeds[0]!.title).toMatch(/^📬 Weekly clip digest · week of \d{4}-\d{2}-\d{2}$/);
      expect(body.enforce_nonce).toBe(true);
    }
    expect(fake.identifies).toHaveLength(0);
    expect(fake.requestsTo('GET', '/gateway/bot')).toHaveLength(0);
  }, 150_000);
});
