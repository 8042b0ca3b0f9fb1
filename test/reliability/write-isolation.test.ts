// Issue #24, finding 1: one guild's writes never reach another guild's rows. Guild A's data is built once (an
// import, live reactions, an edit, a deletion, a history crawl, enrichment, aggregation). Then, for each generated
// case, a DiscordChatExporter export "of guild B" made of guild A's own message ids, channel, clip ids, author
// names and reactors is imported with --guild B, followed by B's live writes and a crawled page on those same ids,
// and an incremental aggregation. Guild A's raw rows, summaries and API answers must be exactly as before.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateAll } from '../../src/analytics/aggregate';
import { createAnalytics } from '../../src/analytics/service';
import { recordReactionAdded, recordReactionRemoved, recordReactionsCleared } from '../../src/capture/record-reaction';
import { clipLinksOf, recordMessage, recordMessagesDeleted, type MessageSnapshot } from '../../src/capture/record-share';
import { ManualClock } from '../../src/clock';
import { closeDatabase, openDatabase, sqliteClient, type Db } from '../../src/db/client';
import { writeBackfillPage } from '../../src/db/stores/backfill';
import { writeTwitchClip } from '../../src/db/stores/twitch-clips';
import { importExportFile } from '../../src/importers/dce/import-file';
import { dialect, queries } from '../../src/db/sql';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { bearer, startTestServer, tokenFor } from '../helpers/http-server';

const NOW = Date.UTC(2026, 10, 25, 12, 0); // the API's "now": a Wednesday
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const GUILD_A = '100000000000000001';
const GUILD_B = '200000000000000002';
const CHANNEL = '110000000000000001';
const OTHER_CHANNEL = '110000000000000002';
const FIRST_POST = NOW - 40 * DAY;

// Guild A's pools, which guild B's generated input draws from.
const CLIPS = Array.from({ length: 10 }, (_, i) => `AlphaClip${i}SwiftRage`);
const AUTHORS = [
  { id: '300000000000000001', name: 'alice' },
  { id: '300000000000000002', name: 'bob' },
  { id: '300000000000000003', name: 'carol' },
];
const REACTORS = Array.from({ length: 6 }, (_, i) => String(400000000000000001n + BigInt(i)));
const EMOJIS = [
  { id: null, name: '🔥' },
  { id: null, name: '😂' },
  { id: '920000000000000001', name: 'PogChamp' },
];

interface ExportMessage {
  id: string;
  at: number;
  clips: string[];
  author: (typeof AUTHORS)[number];
  editedAt: number | null;
  reactions: Array<{ emoji: (typeof EMOJIS)[number]; count: number; users: string[] | null }>;
}

/** Guild A's messages: every fourth shares no clip, some share two, each with a few reactions. */
const A_MESSAGES: ExportMessage[] = Array.from({ length: 24 }, (_, i) => ({
  id: String(500000000000000001n + BigInt(i) * 7n),
  at: FIRST_POST + i * 37 * HOUR,
  clips: i % 4 === 3 ? [] : i % 5 === 0 ? [CLIPS[i % 10] as string, CLIPS[(i + 3) % 10] as string] : [CLIPS[i % 10] as string],
  author: AUTHORS[i % 3] as (typeof AUTHORS)[number],
  editedAt: null,
  reactions: [
    { emoji: EMOJIS[i % 3] as (typeof EMOJIS)[number], count: 1 + (i % 4), users: i % 2 === 0 ? REACTORS.slice(0, 1 + (i % 3)) : null },
  ],
}));
const A_MESSAGE_IDS = A_MESSAGES.map((m) => m.id);

function exportJson(guildId: string, channelId: string, exportedAt: number, messages: ExportMessage[]): string {
  const byId = new Map(messages.map((m) => [m.id, m]));
  const ordered = [...byId.values()].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  return JSON.stringify(
    {
      guild: { id: guildId, name: 'Clip Fans', iconUrl: null },
      channel: { id: channelId, type: 'GuildTextChat', categoryId: null, category: null, name: 'clips', topic: null },
      dateRange: { after: null, before: null },
      exportedAt: new Date(exportedAt).toISOString(),
      messages: ordered.map((m) => ({
        id: m.id,
        type: 'Default',
        timestamp: new Date(m.at).toISOString(),
        timestampEdited: m.editedAt === null ? null : new Date(m.editedAt).toISOString(),
        isPinned: false,
        content: m.clips.map((c, i) => (i % 2 === 0 ? `https://clips.twitch.tv/${c}` : `https://www.twitch.tv/x/clip/${c}`)).join(' '),
        author: { id: m.author.id, name: m.author.name, nickname: null, isBot: false, roles: [] },
        attachments: [],
        embeds: [],
        reactions: m.reactions.map((r) => ({
          emoji: r.emoji,
          count: r.count,
          ...(r.users === null ? {} : { users: r.users.map((id) => ({ id })) }),
        })),
      })),
      messageCount: ordered.length,
    },
    null,
    2,
  );
}

function snapshotOf(guildId: string, message: ExportMessage, source: MessageSnapshot['source']): MessageSnapshot {
  return {
    guildId,
    channelId: CHANNEL,
    messageId: message.id,
    authorId: message.author.id,
    authorName: message.author.name,
    authorIsBot: false,
    postedAt: message.at,
    content: message.clips.map((c) => `https://clips.twitch.tv/${c}`).join(' '),
    source,
  };
}

/** A crawled page of `guildId`'s channel CHANNEL spanning all of A's messages, holding `present` of them. */
async function crawlPage(db: Db, guildId: string, present: ExportMessage[], fetchedAt: number): Promise<void> {
  const snapshots = present.map((m) => snapshotOf(guildId, m, 'backfill'));
  await writeBackfillPage(
    db,
    {
      guildId,
      channelId: CHANNEL,
      countedChannelId: CHANNEL,
      threadId: null,
      span: {
        oldestAt: FIRST_POST - DAY,
        newestAt: NOW,
        lowId: 1n,
        highId: 2n ** 62n,
        presentIds: new Set(present.map((m) => m.id)),
      },
      messages: snapshots.map((snapshot) => ({ snapshot, links: clipLinksOf(snapshot), reactions: [] })),
      fetchedAt,
      checkpoint: { beforeMessageId: present[0]?.id ?? null, sinceTs: null, messagesScanned: present.length, completed: false },
      now: fetchedAt,
    },
    0,
  );
}

/** Guild A's clips as Twitch describes them (the same for the SQLite and the PostgreSQL halves). */
async function writeClipsOfGuildA(db: Db): Promise<void> {
  for (const [i, clipId] of CLIPS.entries()) {
    await writeTwitchClip(
      db,
      {
        id: clipId,
        broadcasterId: `60${i % 2}`,
        broadcasterName: `Streamer${i % 2}`,
        creatorId: `70${i % 3}`,
        creatorName: `Creator${i % 3}`,
        gameId: `80${i % 4}`,
        title: `Clip ${i}`,
        viewCount: 100 * (i + 1),
        createdAt: FIRST_POST - DAY + i * HOUR,
        thumbnailUrl: `https://static/${clipId}.jpg`,
        duration: 30,
        videoId: null,
        vodOffset: null,
      },
      { now: NOW - 3 * DAY, gameName: `Game ${i % 4}` },
    );
  }
}

/** Every row of every table that has a guild_id, for guild A: one hash per table, so a failure names the table. */
function rowsOfGuildA(db: Db): Record<string, string> {
  const client = sqliteClient(db);
  const tables = client
    .prepare<[], { name: string }>(
      `SELECT m.name FROM sqlite_master m WHERE m.type = 'table'
         AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) c WHERE c.name = 'guild_id') ORDER BY m.name`,
    )
    .all()
    .map((t) => t.name);
  const hashes: Record<string, string> = {};
  for (const table of tables) {
    const columns = client
      .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}') ORDER BY cid`)
      .all()
      .map((c) => `"${c.name}"`)
      .join(', ');
    const rows = client.prepare(`SELECT ${columns} FROM "${table}" WHERE guild_id = ? ORDER BY ${columns}`).raw(true).all(GUILD_A);
    hashes[table] = `${rows.length} rows ${createHash('sha256').update(JSON.stringify(rows)).digest('hex').slice(0, 16)}`;
  }
  return hashes;
}

const API_URLS = [
  '/analytics/api/overview',
  '/analytics/api/overview?period=week',
  '/analytics/api/overview?period=month',
  '/analytics/api/top-creators',
  '/analytics/api/top-creators?period=month&sort=discord_reactions',
  '/analytics/api/top-games',
  '/analytics/api/top-games?period=month&sort=discord_shares',
  '/analytics/api/viral-clips?sort=discord_reactions',
  '/analytics/api/engagement-timeline',
  '/analytics/api/peak-times',
  '/analytics/api/compare?period=month',
  '/analytics/api/growth-opportunities',
  '/analytics/api/export.csv?report=top-creators',
];

/** Guild A's answers: the HTTP API's and each of its clips' details (which list the messages that shared them). */
async function answersOfGuildA(db: Db, token: string): Promise<Record<string, unknown>> {
  const answers: Record<string, unknown> = {};
  const { server } = await startTestServer(db, {}, new ManualClock(NOW));
  try {
    for (const url of API_URLS) {
      const res = await server.app.inject({ url, headers: bearer(token) });
      answers[url] = `${res.statusCode} ${res.body}`;
    }
  } finally {
    await server.close();
  }
  const analytics = createAnalytics(db);
  for (const clip of CLIPS) answers[`clip ${clip}`] = await analytics.clipDetails(GUILD_A, clip, { shareLimit: 50, historyLimit: 50 });
  return answers;
}

const exportMessage = fc.record({
  // Mostly guild A's own message ids, now and then one of B's own.
  id: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...A_MESSAGE_IDS) },
    { weight: 1, arbitrary: fc.bigInt({ min: 500000000000000001n, max: 500000000000000300n }).map(String) },
  ),
  at: fc.integer({ min: FIRST_POST - 5 * DAY, max: NOW - HOUR }),
  clips: fc.subarray(CLIPS, { maxLength: 3 }),
  author: fc.constantFrom(...AUTHORS),
  editedAt: fc.option(fc.integer({ min: FIRST_POST, max: NOW - HOUR })),
  reactions: fc.array(
    fc.record({ emoji: fc.constantFrom(...EMOJIS), count: fc.nat(6), users: fc.option(fc.subarray(REACTORS, { maxLength: 4 })) }),
    { maxLength: 3 },
  ),
});

const liveWrite = fc.record({
  kind: fc.constantFrom('react', 'unreact', 'clear', 'clear-emoji', 'delete', 'repost'),
  messageId: fc.constantFrom(...A_MESSAGE_IDS),
  emoji: fc.constantFrom('🔥', '😂', 'PogChamp:920000000000000001'),
  user: fc.constantFrom(...REACTORS),
});

const guildBInput = fc.record({
  exportedAt: fc.integer({ min: FIRST_POST, max: NOW }),
  channel: fc.constantFrom(CHANNEL, OTHER_CHANNEL),
  messages: fc.array(exportMessage, { minLength: 1, maxLength: 30 }),
  live: fc.array(liveWrite, { maxLength: 12 }),
  crawled: fc.subarray(A_MESSAGES, { maxLength: 8 }),
});

describe('write isolation between guilds', () => {
  let dir: string;
  let template: string;
  let tokenA: string;
  let rowsBefore: Record<string, string>;
  let answersBefore: Record<string, unknown>;
  const clock = new ManualClock(NOW);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-isolation-'));
    template = path.join(dir, 'guild-a.db');
    const db = openDatabase({ path: template });
    try {
      const exportA = path.join(dir, 'guild-a.json');
      fs.writeFileSync(exportA, exportJson(GUILD_A, CHANNEL, NOW - 10 * DAY, A_MESSAGES));
      await importExportFile({ db, clock: new ManualClock(NOW - 10 * DAY) }, exportA, { guildId: GUILD_A });
      // Live capture after the export: reactions by named users, an edit that swaps a clip, a deletion.
      const at = NOW - 5 * DAY;
      for (const [i, id] of A_MESSAGE_IDS.slice(0, 8).entries()) {
        const event = { guildId: GUILD_A, channelId: CHANNEL, messageId: id, emojiKey: '🔥', userId: REACTORS[i % 6] as string, at };
        await recordReactionAdded(db, event, at);
      }
      await recordReactionRemoved(
        db,
        { guildId: GUILD_A, channelId: CHANNEL, messageId: A_MESSAGE_IDS[0] as string, emojiKey: '🔥', userId: REACTORS[0] as string, at },
        at,
      );
      await recordMessage(
        db,
        { ...snapshotOf(GUILD_A, A_MESSAGES[1] as ExportMessage, 'discord'), content: `https://clips.twitch.tv/${CLIPS[9]}` },
        at,
      );
      await recordMessagesDeleted(db, GUILD_A, [A_MESSAGE_IDS[2] as string], at);
      // A history crawl of the channel that still finds every message but the deleted one.
      await crawlPage(
        db,
        GUILD_A,
        A_MESSAGES.filter((_, i) => i !== 2),
        NOW - 4 * DAY,
      );
      await writeClipsOfGuildA(db);
      tokenA = await tokenFor(db, GUILD_A);
      await aggregateAll(db, { clock });
      // Answers first: answering marks the token used (at the same clock time each time).
      answersBefore = await answersOfGuildA(db, tokenA);
      rowsBefore = rowsOfGuildA(db);
    } finally {
      closeDatabase(db);
    }
    // The setup did what the test relies on: A has shares, named and anonymous reactions, an observation, a crawl.
    expect(rowsBefore.shares).not.toMatch(/^0 rows/);
    expect(rowsBefore.reactions).not.toMatch(/^0 rows/);
    expect(rowsBefore.reaction_baselines).not.toMatch(/^0 rows/);
    expect(rowsBefore.message_observations).not.toMatch(/^0 rows/);
    expect(rowsBefore.backfill_checkpoints).toMatch(/^1 rows/);
  }, 60_000);

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('leaves guild A exactly as it was after importing, capturing and crawling guild B input made of A’s ids', {
    timeout: 300_000,
  }, async () => {
    let run = 0;
    // Cases in which guild B's own data got shares: the generated input is not all refused or ignored.
    let casesWithSharesOfB = 0;
    await fc.assert(
      fc.asyncProperty(guildBInput, async (input) => {
        const file = path.join(dir, `case-${run}.db`);
        const exportB = path.join(dir, `case-${run++}.json`);
        fs.copyFileSync(template, file);
        fs.writeFileSync(exportB, exportJson(GUILD_B, input.channel, input.exportedAt, input.messages));
        const db = openDatabase({ path: file });
        try {
          await importExportFile({ db, clock }, exportB, { guildId: GUILD_B });
          for (const w of input.live) {
            const event = {
              guildId: GUILD_B,
              channelId: input.channel,
              messageId: w.messageId,
              emojiKey: w.emoji,
              userId: w.user,
              at: NOW,
            };
            if (w.kind === 'react') await recordReactionAdded(db, event, NOW);
            else if (w.kind === 'unreact') await recordReactionRemoved(db, event, NOW);
            else if (w.kind === 'clear') await recordReactionsCleared(db, { guildId: GUILD_B, messageId: w.messageId }, NOW);
            else if (w.kind === 'clear-emoji')
              await recordReactionsCleared(db, { guildId: GUILD_B, messageId: w.messageId, emojiKey: w.emoji }, NOW);
            else if (w.kind === 'delete') await recordMessagesDeleted(db, GUILD_B, [w.messageId], NOW);
            else
              await recordMessage(db, { ...snapshotOf(GUILD_B, A_MESSAGES[0] as ExportMessage, 'discord'), messageId: w.messageId }, NOW);
          }
          // B's crawl of A's channel id, whose page lacks most of A's messages (to B, deleted ones).
          await crawlPage(db, GUILD_B, input.crawled, NOW);
          await aggregateAll(db, { clock });
          expect(await answersOfGuildA(db, tokenA)).toEqual(answersBefore);
          expect(rowsOfGuildA(db)).toEqual(rowsBefore);
          const sharesOfB = sqliteClient(db).prepare('SELECT count(*) AS n FROM shares WHERE guild_id = ?').get(GUILD_B) as { n: number };
          if (sharesOfB.n > 0) casesWithSharesOfB++;
        } finally {
          closeDatabase(db);
          fs.rmSync(file, { force: true });
          fs.rmSync(exportB, { force: true });
        }
      }),
      { numRuns: 40 },
    );
    expect(casesWithSharesOfB).toBeGreaterThan(20);
  });
});

/** Every row of every table with a guild_id, for `guildId`, on either engine: one hash per table. */
async function rowsOfGuild(db: Db, guildId: string): Promise<Record<string, string>> {
  const q = queries(db);
  const tables = await q.all<{ name: string }>(
    dialect(db, {
      sqlite: `SELECT m.name FROM sqlite_master m WHERE m.type = 'table'
                 AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) c WHERE c.name = 'guild_id') ORDER BY m.name`,
      postgres: `SELECT table_name AS name FROM information_schema.columns
                  WHERE table_schema = 'public' AND column_name = 'guild_id' ORDER BY table_name`,
    }),
  );
  const hashes: Record<string, string> = {};
  for (const { name: table } of tables) {
    const columns = (
      await q.all<{ name: string }>(
        dialect(db, {
          sqlite: 'SELECT name FROM pragma_table_info(?) ORDER BY cid',
          postgres: `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ? ORDER BY ordinal_position`,
        }),
        [table],
      )
    )
      .map((c) => `"${c.name}"`)
      .join(', ');
    const rows = await q.values(`SELECT ${columns} FROM "${table}" WHERE guild_id = ? ORDER BY ${columns}`, [guildId]);
    hashes[table] = `${rows.length} rows ${createHash('sha256').update(JSON.stringify(rows)).digest('hex').slice(0, 16)}`;
  }
  return hashes;
}

// The same property on PostgreSQL: guild B's import, live writes, crawl and an incremental aggregation, made of guild
// A's ids, leave every row of guild A (raw and summary) and its API answers as they were. One database for every case:
// after each, guild B's rows are deleted (A's are untouched, which is the point).
describe.skipIf(!testEngines().includes('postgres'))('write isolation between guilds on PostgreSQL', () => {
  let t: TestDatabase;
  let dir: string;
  let tokenA: string;
  let rowsBefore: Record<string, string>;
  let answersBefore: Record<string, unknown>;

  beforeAll(async () => {
    t = await openTestDatabase('postgres', 'write-isolation');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-isolation-pg-'));
    const db = t.db;
    const exportA = path.join(dir, 'guild-a.json');
    fs.writeFileSync(exportA, exportJson(GUILD_A, CHANNEL, NOW - 10 * DAY, A_MESSAGES));
    await importExportFile({ db, clock: new ManualClock(NOW - 10 * DAY) }, exportA, { guildId: GUILD_A });
    const at = NOW - 5 * DAY;
    for (const [i, id] of A_MESSAGE_IDS.slice(0, 8).entries()) {
      await recordReactionAdded(
        db,
        { guildId: GUILD_A, channelId: CHANNEL, messageId: id, emojiKey: '🔥', userId: REACTORS[i % 6] as string, at },
        at,
      );
    }
    await recordMessage(
      db,
      { ...snapshotOf(GUILD_A, A_MESSAGES[1] as ExportMessage, 'discord'), content: `https://clips.twitch.tv/${CLIPS[9]}` },
      at,
    );
    await recordMessagesDeleted(db, GUILD_A, [A_MESSAGE_IDS[2] as string], at);
    await crawlPage(
      db,
      GUILD_A,
      A_MESSAGES.filter((_, i) => i !== 2),
      NOW - 4 * DAY,
    );
    await writeClipsOfGuildA(db);
    tokenA = await tokenFor(db, GUILD_A);
    await aggregateAll(db, { clock: new ManualClock(NOW) });
    answersBefore = await answersOfGuildA(db, tokenA);
    rowsBefore = await rowsOfGuild(db, GUILD_A);
    expect(rowsBefore.shares).not.toMatch(/^0 rows/);
    // Aggregated: the journal and dirty hours were consumed into the summaries.
    expect(rowsBefore.guild_period_stats).not.toMatch(/^0 rows/);
    expect(rowsBefore.reaction_baselines).not.toMatch(/^0 rows/);
    expect(rowsBefore.backfill_checkpoints).toMatch(/^1 rows/);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('leaves guild A exactly as it was after importing, capturing and crawling guild B input made of A’s ids', {
    timeout: 300_000,
  }, async () => {
    const db = t.db;
    const clock = new ManualClock(NOW);
    let run = 0;
    let casesWithSharesOfB = 0;
    await fc.assert(
      fc.asyncProperty(guildBInput, async (input) => {
        const exportB = path.join(dir, `case-${run++}.json`);
        fs.writeFileSync(exportB, exportJson(GUILD_B, input.channel, input.exportedAt, input.messages));
        try {
          await importExportFile({ db, clock }, exportB, { guildId: GUILD_B });
          for (const w of input.live) {
            const event = {
              guildId: GUILD_B,
              channelId: input.channel,
              messageId: w.messageId,
              emojiKey: w.emoji,
              userId: w.user,
              at: NOW,
            };
            if (w.kind === 'react') await recordReactionAdded(db, event, NOW);
            else if (w.kind === 'unreact') await recordReactionRemoved(db, event, NOW);
            else if (w.kind === 'clear') await recordReactionsCleared(db, { guildId: GUILD_B, messageId: w.messageId }, NOW);
            else if (w.kind === 'clear-emoji')
              await recordReactionsCleared(db, { guildId: GUILD_B, messageId: w.messageId, emojiKey: w.emoji }, NOW);
            else if (w.kind === 'delete') await recordMessagesDeleted(db, GUILD_B, [w.messageId], NOW);
            else
              await recordMessage(db, { ...snapshotOf(GUILD_B, A_MESSAGES[0] as ExportMessage, 'discord'), messageId: w.messageId }, NOW);
          }
          await crawlPage(db, GUILD_B, input.crawled, NOW);
          await aggregateAll(db, { clock });
          expect(await answersOfGuildA(db, tokenA)).toEqual(answersBefore);
          expect(await rowsOfGuild(db, GUILD_A)).toEqual(rowsBefore);
          const sharesOfB = await queries(db).get<{ n: number }>('SELECT count(*) AS n FROM shares WHERE guild_id = ?', [GUILD_B]);
          if ((sharesOfB?.n ?? 0) > 0) casesWithSharesOfB++;
        } finally {
          fs.rmSync(exportB, { force: true });
          for (const table of Object.keys(rowsBefore)) await queries(db).run(`DELETE FROM "${table}" WHERE guild_id = ?`, [GUILD_B]);
        }
      }),
      { numRuns: 25 },
    );
    expect(casesWithSharesOfB).toBeGreaterThan(12);
  });
});
