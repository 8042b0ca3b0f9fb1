// Query plans of capture's writes: a message's rows are found by its key (guild, message), a clip's shares by
// (guild, clip), and none of them by walking all of a guild's rows. Every index of the capture tables begins with
// guild_id and SQLite has no statistics, so a plan that walks a guild is one a statement can silently fall into.
import { afterEach, describe, expect, it } from 'vitest';
import {
  inCaptureBatchNow,
  recordMessageNow,
  recordMessagesDeletedNow,
  recordReactionAddedNow,
  recordReactionRemovedNow,
  recordReactionsClearedNow,
  recordReactionSnapshotNow,
} from '../../src/capture/record-now';
import { run, sqliteClient } from '../../src/db/client';
import { markClipHoursDirty } from '../../src/db/dirty';
import { writeBackfillPage } from '../../src/db/stores/backfill';
import { openImportSession } from '../../src/db/stores/imports';
import { writeTwitchClip } from '../../src/db/stores/twitch-clips';
import { createTempDb, type TempDb } from '../helpers/temp-db';

let temp: TempDb | undefined;
afterEach(() => temp?.cleanup());

const T0 = Date.UTC(2026, 0, 5, 12, 30);
const CAPTURE_TABLES = /\b(shares|reactions|reaction_baselines|message_observations|backfill_checkpoints|import_runs)\b/;

const message = (messageId: string, content: string) => ({
  guildId: 'g1',
  channelId: 'c1',
  messageId,
  authorId: 'u0',
  authorName: 'Poster',
  authorIsBot: false,
  postedAt: T0,
  content,
  source: 'discord' as const,
});
const reaction = (messageId: string, userId: string) => ({ guildId: 'g1', channelId: 'c1', messageId, emojiKey: '🔥', userId, at: T0 });

/** Every statement the capture paths prepare, in the order they first prepared it. */
async function captureStatements(): Promise<string[]> {
  temp = createTempDb();
  const { db } = temp;
  const client = sqliteClient(db);
  const seen = new Set<string>();
  const prepare = client.prepare.bind(client);
  client.prepare = ((sql: string) => {
    seen.add(sql);
    return prepare(sql);
  }) as typeof client.prepare;

  inCaptureBatchNow(db, () => {
    recordMessageNow(db, message('101', 'https://clips.twitch.tv/ClipOne'), T0);
    recordMessageNow(db, message('102', 'https://clips.twitch.tv/ClipOne https://clips.twitch.tv/ClipTwo'), T0);
    recordReactionAddedNow(db, reaction('101', 'u1'), T0);
    recordReactionRemovedNow(db, reaction('101', 'u1'), T0);
    recordReactionSnapshotNow(db, { ...reaction('102', 'u2'), count: 5, userIds: ['u2'] }, T0);
    recordReactionRemovedNow(db, reaction('102', 'u9'), T0);
    recordReactionsClearedNow(db, { guildId: 'g1', messageId: '102', emojiKey: '🔥' }, T0);
    recordReactionsClearedNow(db, { guildId: 'g1', messageId: '102' }, T0);
    recordMessageNow(db, message('102', 'https://clips.twitch.tv/ClipTwo'), T0 + 1);
    recordMessagesDeletedNow(db, 'g1', ['102'], T0 + 2);
  });
  // The same writes unbatched: each journals and refreshes at once.
  inCaptureBatchNow(db, () => undefined);
  sqliteClient(db).transaction(() => {
    recordMessageNow(db, message('103', 'https://clips.twitch.tv/ClipThree'), T0);
    recordReactionAddedNow(db, reaction('103', 'u1'), T0);
    recordReactionRemovedNow(db, reaction('103', 'u1'), T0);
    recordMessagesDeletedNow(db, 'g1', ['103'], T0);
  })();
  await writeBackfillPage(
    db,
    {
      guildId: 'g1',
      channelId: 'c1',
      countedChannelId: 'c1',
      threadId: null,
      span: { oldestAt: T0 - 1, newestAt: T0 + 1, lowId: 1n, highId: 2n ** 60n, presentIds: new Set(['104']) },
      messages: [{ snapshot: message('104', 'https://clips.twitch.tv/ClipOne'), links: [{ clipId: 'ClipOne', url: 'u' }], reactions: [] }],
      fetchedAt: T0,
      checkpoint: { beforeMessageId: '104', sinceTs: null, messagesScanned: 1, completed: false },
      now: T0,
    },
    0,
  );
  const session = openImportSession(db);
  const ref = { guildId: 'g1', messageId: '104' };
  session.write((w) => w.sharesOf(ref));
  session.write((w) => w.hasNewerLiveReaction(ref, '🔥', T0));
  session.write((w) => w.observedAt(ref));
  session.begin();
  session.write((w) => w.observe(ref, T0));
  session.rollback();
  await run(db, (c) => markClipHoursDirty(c, 'g1', ['ClipOne']));
  await writeTwitchClip(
    db,
    {
      id: 'ClipOne',
      broadcasterId: 'b',
      broadcasterName: 'B',
      creatorId: 'c',
      creatorName: 'C',
      gameId: '1',
      title: 't',
      viewCount: 1,
      createdAt: T0,
      thumbnailUrl: 'u',
      duration: 1,
      videoId: null,
      vodOffset: null,
    },
    { now: T0, gameName: 'G' },
  );
  client.prepare = prepare;
  return [...seen].filter((sql) => CAPTURE_TABLES.test(sql) && !/^\s*(INSERT|PRAGMA|BEGIN|COMMIT|ROLLBACK)/i.test(sql));
}

function planOf(sql: string): string[] {
  const client = sqliteClient(temp!.db);
  const statement = client.prepare(`EXPLAIN QUERY PLAN ${sql}`);
  const parameters = (sql.match(/\?/g) ?? []).map(() => 'x');
  const named = [...sql.matchAll(/@(\w+)/g)].map((m) => m[1] as string);
  const args = named.length > 0 ? [Object.fromEntries(named.map((n) => [n, 'x']))] : parameters;
  return (statement.all(...args) as Array<{ detail: string }>).map((r) => r.detail);
}

describe('capture query plans', () => {
  it('find a message by its guild and id and a clip by its guild and id, never by walking a guild', async () => {
    const statements = await captureStatements();
    expect(statements.length).toBeGreaterThan(20);
    const walks: string[] = [];
    for (const sql of statements) {
      for (const line of planOf(sql)) {
        // A table read whole, or searched on guild_id alone: the guild's every row. (A crawled page's shares are found
        // by guild and time span: that range is the page's.)
        const walksGuild = /^SCAN (?!\(|CONSTANT)/.test(line) || /\(guild_id=\?\)$/.test(line);
        // A message's reactions through the (guild, time) indexes: the guild's every reaction in that time.
        const byTime = /reactions_guild_reacted_idx|reaction_baselines_guild_observed_idx/.test(line);
        if (walksGuild || byTime) walks.push(`${line}\n    in: ${sql.replace(/\s+/g, ' ')}`);
      }
    }
    expect(walks).toEqual([]);
  });
});
