// Slash commands while the database refuses to work (disk full through SQLite's max_page_count, busy through a second
// connection's write lock, an I/O error): the real bot (discord.js against the fake gateway and REST) tells the user
// privately, in plain words, what happened and what to do, without a file path or SQLite's own text; the log names
// the storage problem and the database file for the operator; nothing is changed, and the same command works once
// the database accepts writes again.
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getGuildSettings } from '../../src/db/guild-settings';
import { createAdminServices } from '../../src/discord/admin-services';
import { bodyOf, enrich, shareClip, startCommandBot, type CommandBot, type LogLine } from '../discord/command-bot';
import { snowflake, textChannel, user, type RecordedRequest } from '../fakes/discord';
import { chatInput, options, Permissions, subcommand, type ApiOption } from '../fakes/discord/interactions';

const NOW = Date.UTC(2026, 10, 25, 12, 0);
const TUESDAY = Date.UTC(2026, 10, 24, 10, 0);
const EPHEMERAL = 64;
/** Enough clips, creators and games that aggregating them needs new database pages: the page limit refuses them. */
const CLIP_COUNT = 300;

const guildA = snowflake();
const clipsA = textChannel({ guild_id: guildA, name: 'clips' });
const manager = user({ username: 'manager' });

let h: CommandBot;

beforeAll(async () => {
  h = await startCommandBot({ now: NOW, guilds: [{ id: guildA, name: 'Clip Town', channels: [clipsA] }] });
  // The real /clipscope-admin services (aggregation on the bot's database); Twitch stays unconfigured.
  Object.assign(
    h.ctx.services,
    createAdminServices({
      db: h.temp.db,
      clock: h.clock,
      logger: h.ctx.logger,
      twitch: null,
      discord: { token: h.discord.token, apiBaseUrl: h.discord.apiBaseUrl },
    }),
  );
  for (let i = 0; i < CLIP_COUNT; i++) {
    const clipId = `StorageClip${String(i).padStart(3, '0')}`;
    shareClip(h.temp.db, {
      guildId: guildA,
      channelId: clipsA.id,
      clipId,
      authorId: manager.id,
      authorName: 'manager',
      at: TUESDAY + i * 1_000,
    });
    enrich(h.temp.db, guildA, {
      clipId,
      title: `Clip ${i}`,
      creatorId: `creator${i}`,
      creatorName: `Creator ${i}`,
      gameId: `game${i % 60}`,
      gameName: `Game ${i % 60}`,
      views: i * 10,
      createdAt: TUESDAY + i * 1_000,
    });
  }
});

afterAll(async () => {
  await h?.stop();
});

afterEach(() => {
  // Whatever a test did to the database, the next one starts with one that accepts writes.
  h.temp.db.$client.pragma('max_page_count = 4294967294');
  h.temp.db.$client.pragma('busy_timeout = 5000');
  h.logs.length = 0;
});

function admin(opts: ApiOption[]): Record<string, unknown> {
  return chatInput({
    applicationId: h.discord.applicationId,
    guildId: guildA,
    channel: clipsA,
    user: manager,
    permissions: Permissions.manager,
    commandName: 'clipscope-admin',
    options: opts,
  });
}

const callback = (requests: RecordedRequest[]) => requests.find((r) => r.method === 'POST' && r.path.startsWith('/interactions/'));
const edit = (requests: RecordedRequest[]) => requests.find((r) => r.method === 'PATCH' && /\/messages\/(@|%40)original$/.test(r.path));

/** No operator-only detail reached Discord: no path, no file name, no SQLite text. */
function expectNoInternals(requests: RecordedRequest[]): void {
  const sent = JSON.stringify(requests.map((r) => r.body ?? null));
  expect(sent).not.toContain(h.temp.dir);
  expect(sent).not.toContain('clipscope.db');
  expect(sent).not.toMatch(/SQLITE|database or disk is full|database is locked|disk I\/O error/i);
}

function failureLog(): LogLine | undefined {
  return h.logs.find((l) => l.msg.startsWith('command failed'));
}

describe('a slash command while the disk is full', () => {
  it('says the server is out of disk space, logs the full disk with the file, and works once space is back', async () => {
    // max_page_count cannot go below the current size, so this is "not one page more": SQLITE_FULL, as on a full disk.
    h.temp.db.$client.pragma('max_page_count = 1');
    const requests = await h.invoke(admin([subcommand('aggregate')]));

    expect(bodyOf(callback(requests))).toEqual({ type: 5, data: { flags: EPHEMERAL } });
    expect(bodyOf(edit(requests)).content).toBe(
      'Clipscope could not save or read its data for `/clipscope-admin aggregate`: the server it runs on is out of disk space. ' +
        'Nothing you asked for was changed. Please tell whoever hosts Clipscope, then try again.',
    );
    expectNoInternals(requests);
    const logged = failureLog();
    expect(logged).toMatchObject({
      level: 50,
      command: 'clipscope-admin aggregate',
      guildId: guildA,
      userId: manager.id,
      database: h.temp.path,
    });
    expect(logged!.msg).toBe(
      `command failed: disk full: cannot write ${h.temp.path} (or its -wal/-shm files); free space on that filesystem`,
    );
    expect(logged!.storage).toBe(logged!.msg.slice('command failed: '.length));
    expect(logged!.err).toMatchObject({ code: 'SQLITE_FULL' });
    expect(h.temp.db.$client.prepare('SELECT count(*) AS n FROM creator_analytics WHERE guild_id = ?').get(guildA)).toEqual({ n: 0 });

    h.temp.db.$client.pragma('max_page_count = 4294967294');
    const again = await h.invoke(admin([subcommand('aggregate')]));
    expect(bodyOf(edit(again)).content).toMatch(/^✅ /);
    expect(
      h.temp.db.$client.prepare('SELECT count(DISTINCT creator_id) AS n FROM creator_analytics WHERE guild_id = ?').get(guildA),
    ).toEqual({ n: CLIP_COUNT });
  });
});

describe('a slash command while another connection holds the write lock', () => {
  it('says the database is busy, logs a warning naming the lock and the file, changes nothing, and saves on the next try', async () => {
    const before = await getGuildSettings(h.temp.db, guildA);
    expect(before.includeBots).toBe(false);
    h.temp.db.$client.pragma('busy_timeout = 50');
    const other = new Database(h.temp.path);
    let requests: RecordedRequest[];
    try {
      other.prepare('BEGIN IMMEDIATE').run();
      requests = await h.invoke(admin([subcommand('capture', options({ include_bots: true }))]));
      other.prepare('ROLLBACK').run();
    } finally {
      other.close();
    }

    expect(bodyOf(callback(requests))).toMatchObject({
      type: 4,
      data: {
        content:
          "Clipscope's database is busy right now (another task is writing), so `/clipscope-admin capture` did not run. Nothing was changed; please try again in a few seconds.",
        flags: EPHEMERAL,
        allowed_mentions: { parse: [] },
      },
    });
    expectNoInternals(requests);
    const logged = failureLog();
    expect(logged).toMatchObject({
      level: 40,
      msg: `command failed: database busy: another connection holds the write lock on ${h.temp.path}`,
      command: 'clipscope-admin capture',
      options: { include_bots: true },
      database: h.temp.path,
      err: { code: 'SQLITE_BUSY' },
    });
    expect(await getGuildSettings(h.temp.db, guildA)).toEqual(before);

    const again = await h.invoke(admin([subcommand('capture', options({ include_bots: true }))]));
    expect(bodyOf(callback(again)).data.content).toBe('✅ Capture settings saved.');
    expect((await getGuildSettings(h.temp.db, guildA)).includeBots).toBe(true);
  });
});

describe('a slash command meeting an I/O error', () => {
  it('names an I/O problem on the host to the user and the error code and file to the operator', async () => {
    const aggregate = h.ctx.services.aggregateGuild;
    // The error better-sqlite3 throws when the operating system refuses a write to the database file.
    h.ctx.services.aggregateGuild = async () => {
      throw new Database.SqliteError('disk I/O error', 'SQLITE_IOERR_WRITE');
    };
    let requests: RecordedRequest[];
    try {
      requests = await h.invoke(admin([subcommand('aggregate')]));
    } finally {
      h.ctx.services.aggregateGuild = aggregate;
    }

    expect(bodyOf(edit(requests)).content).toBe(
      'Clipscope could not save or read its data for `/clipscope-admin aggregate`: the disk of the server it runs on reported an I/O error. ' +
        'Nothing you asked for was changed. Please tell whoever hosts Clipscope, then try again.',
    );
    expectNoInternals(requests);
    expect(failureLog()).toMatchObject({
      level: 50,
      msg: `command failed: I/O error (SQLITE_IOERR_WRITE) writing ${h.temp.path}`,
      database: h.temp.path,
    });
  });
});

describe('a storage problem after a public "thinking…"', () => {
  it('removes the placeholder and tells the user privately that the database is busy', async () => {
    const overview = h.ctx.analytics.overview;
    h.ctx.analytics.overview = () => {
      throw new Database.SqliteError('database is locked', 'SQLITE_BUSY');
    };
    let requests: RecordedRequest[];
    try {
      requests = await h.invoke(
        chatInput({
          applicationId: h.discord.applicationId,
          guildId: guildA,
          channel: clipsA,
          user: manager,
          commandName: 'clipstats',
          options: [subcommand('overview')],
        }),
      );
    } finally {
      h.ctx.analytics.overview = overview;
    }

    expect(requests.map((r) => r.method)).toEqual(['POST', 'DELETE', 'POST']);
    expect(bodyOf(requests[2])).toMatchObject({
      content:
        "Clipscope's database is busy right now (another task is writing), so `/clipstats overview` did not run. Nothing was changed; please try again in a few seconds.",
      flags: EPHEMERAL,
    });
    expectNoInternals(requests);
    expect(failureLog()).toMatchObject({ level: 40, command: 'clipstats overview', database: h.temp.path });
  });
});
