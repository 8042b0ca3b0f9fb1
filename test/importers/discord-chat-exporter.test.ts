import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { aggregateAll } from '../../src/analytics/aggregate';
import { recordReactionAdded, recordReactionRemoved } from '../../src/capture/record-reaction';
import { ManualClock } from '../../src/clock';
import { updateGuildSettings } from '../../src/db/guild-settings';
import { ImportError, importExportFile, listExportFiles } from '../../src/importers/dce/import-file';
import { sqliteClient } from '../../src/db/client';
import { queries } from '../../src/db/sql';
import { clearTables } from '../helpers/clear-tables';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/dce');
const fixture = (name: string): string => path.join(FIXTURES, name);
const GUILD = '800000000000000001';
const AWK = 'AwkwardHelplessSalamanderSwiftRage';
const POG = 'PogChamp:920000000000000001';
const NOW = Date.UTC(2024, 6, 1);

describe.each(testEngines())('DiscordChatExporter import on %s', (engine) => {
  let t: TestDatabase;
  let scratch: string;
  let clock: ManualClock;
  beforeAll(async () => {
    t = await openTestDatabase(engine, 'dce-import');
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-dce-'));
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  });
  /** Empties the database, as a fresh one. */
  const reset = async (): Promise<void> => {
    await clearTables(t.db);
  };
  beforeEach(async () => {
    await reset();
    clock = new ManualClock(NOW);
  });

  const deps = () => ({ db: t.db, clock });
  const q = () => queries(t.db);

  async function importAll(files: string[], options: Parameters<typeof importExportFile>[2] = {}): Promise<void> {
    for (const file of files) await importExportFile(deps(), file, options);
  }

  const mainExports = ['general.json', 'clips.json', 'thread-best-of-march.json', 'forum-review-my-clip.json'].map(fixture);

  async function shares(): Promise<
    {
      message_id: string;
      clip_id: string;
      channel_id: string;
      thread_id: string | null;
      author_name: string;
      deleted: boolean;
      source: string;
      posted_at: number;
    }[]
  > {
    const rows = await q().all<{ deleted: unknown }>(
      `SELECT message_id, clip_id, channel_id, thread_id, author_name, deleted_at IS NOT NULL AS deleted, source, posted_at
       FROM shares ORDER BY message_id, clip_id`,
    );
    return rows.map((r) => ({ ...r, deleted: Boolean(r.deleted) })) as never;
  }

  async function activeShareKeys(): Promise<string[]> {
    return (await shares()).filter((s) => !s.deleted).map((s) => `${s.message_id}:${s.clip_id}`);
  }

  /** A clip's counters, its reaction types as JSON text on both engines (jsonb comes back parsed on PostgreSQL). */
  async function clip(
    clipId: string,
  ): Promise<
    | { discord_shares: number; discord_reactions: number; discord_reaction_types: string; enrichment_state: string; source: string }
    | undefined
  > {
    const row = await q().get<{ discord_reaction_types: unknown }>(
      'SELECT discord_shares, discord_reactions, discord_reaction_types, enrichment_state, source FROM clips WHERE guild_id = ? AND clip_id = ?',
      [GUILD, clipId],
    );
    if (!row) return undefined;
    const types = row.discord_reaction_types;
    return { ...row, discord_reaction_types: typeof types === 'string' ? types : jsonText(types as Record<string, number>) } as never;
  }

  /** SQLite's text for a reaction-types object: most reactions first, then by emoji (as the counters write it). */
  function jsonText(types: Record<string, number>): string {
    const entries = Object.entries(types).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
    return JSON.stringify(Object.fromEntries(entries));
  }

  async function reactionRows(messageId: string): Promise<string[]> {
    return (
      await q().all<{ k: string }>("SELECT emoji_key || ' ' || user_id AS k FROM reactions WHERE message_id = ? ORDER BY k", [messageId])
    ).map((r) => r.k);
  }

  async function baselines(messageId: string): Promise<Record<string, number>> {
    const rows = await q().all<{ emoji_key: string; anonymous_count: number }>(
      'SELECT emoji_key, anonymous_count FROM reaction_baselines WHERE message_id = ?',
      [messageId],
    );
    return Object.fromEntries(rows.map((r) => [r.emoji_key, r.anonymous_count]));
  }

  async function snapshotOfDatabase(): Promise<Record<string, unknown[]>> {
    const all = (sql: string): Promise<unknown[]> => q().all(sql);
    return {
      shares: await all(
        'SELECT guild_id, channel_id, thread_id, message_id, clip_id, author_id, author_name, author_is_bot, posted_at, deleted_at, source FROM shares ORDER BY message_id, clip_id',
      ),
      clips: await all(
        'SELECT guild_id, clip_id, url, discord_shares, discord_reactions, discord_reaction_types, first_shared_at, enrichment_state FROM clips ORDER BY clip_id',
      ),
      reactions: await all('SELECT * FROM reactions ORDER BY message_id, emoji_key, user_id'),
      baselines: await all('SELECT * FROM reaction_baselines ORDER BY message_id, emoji_key'),
      dirty: await all('SELECT * FROM dirty_hours ORDER BY hour_start'),
    };
  }

  describe('importing DiscordChatExporter exports', () => {
    it('records every clip link of several channels as shares, pending enrichment, with threads and forum posts counting for their parent channel', async () => {
      // SQLite's page cache (the import runs with a smaller one); PostgreSQL has no per-connection equivalent.
      const cacheSizeOf = () => (engine === 'sqlite' ? sqliteClient(t.db).pragma('cache_size', { simple: true }) : null);
      const cacheSize = cacheSizeOf();
      await importAll(mainExports);
      // The import's smaller page cache is handed back.
      expect(cacheSizeOf()).toBe(cacheSize);
      expect(await activeShareKeys()).toEqual([
        `1000000000000000101:${AWK}`,
        '1000000000000000103:FunnyClipName-AbC123_xyz',
        `1000000000000000105:${AWK}`,
        '1000000000000000105:MobileClipOne',
        '1000000000000000106:EmbedOnlyClip-q9',
        `1000000000000000201:${AWK}`,
        '1000000000000000301:ThreadClipSlug',
        '1000000000000000401:ForumClipSlug-z',
      ]);
      const byMessage = new Map((await shares()).map((s) => [s.message_id, s]));
      expect(byMessage.get('1000000000000000101')).toMatchObject({
        channel_id: '810000000000000001',
        thread_id: null,
        author_name: 'Alice',
        source: 'import',
        posted_at: Date.parse('2024-03-01T18:00:00.123Z'),
      });
      expect(byMessage.get('1000000000000000301')).toMatchObject({ channel_id: '810000000000000002', thread_id: '830000000000000001' });
      expect(byMessage.get('1000000000000000401')).toMatchObject({ channel_id: '810000000000000003', thread_id: '840000000000000001' });
      expect(await clip(AWK)).toMatchObject({ discord_shares: 3, enrichment_state: 'pending', source: 'import' });
      expect(await q().get("SELECT count(*) AS n FROM clips WHERE enrichment_state = 'pending'")).toEqual({ n: 6 });
    });

    it('stores reactions per user where the export names them and as anonymous counts where it only has numbers', async () => {
      await importAll(mainExports);
      expect(await reactionRows('1000000000000000101')).toEqual([
        `${POG} 900000000000000002`,
        '😂 900000000000000002',
        '😂 900000000000000003',
      ]);
      expect(await baselines('1000000000000000101')).toEqual({});
      // Count-only (an older DCE version without users): all four are anonymous.
      expect(await reactionRows('1000000000000000103')).toEqual([]);
      expect(await baselines('1000000000000000103')).toEqual({ '🔥': 4 });
      // Three PogChamps of which the export names one.
      expect(await reactionRows('1000000000000000105')).toEqual([`${POG} 900000000000000001`]);
      expect(await baselines('1000000000000000105')).toEqual({ [POG]: 2 });
      // Reactions on messages without clips are not stored.
      expect(await reactionRows('1000000000000000102')).toEqual([]);
      // Awkward… is shared in 101, 105 and 201: 😂 2 + Pog 1, Pog 3, 😂 1.
      expect(await clip(AWK)).toMatchObject({ discord_reactions: 7 });
      expect(JSON.parse((await clip(AWK))?.discord_reaction_types ?? '{}')).toEqual({ [POG]: 4, '😂': 3 });
      expect(await clip('FunnyClipName-AbC123_xyz')).toMatchObject({ discord_reactions: 4, discord_reaction_types: '{"🔥":4}' });
    });

    it('leaves bot messages out unless the guild counts bots', async () => {
      await importAll([fixture('general.json')]);
      expect((await shares()).some((s) => s.clip_id === 'BotPostedClipSlug')).toBe(false);

      await updateGuildSettings(t.db, GUILD, { includeBots: true }, NOW);
      await importExportFile(deps(), fixture('general.json'), { force: true });
      expect((await shares()).find((s) => s.clip_id === 'BotPostedClipSlug')).toMatchObject({ message_id: '1000000000000000104' });
      expect(await reactionRows('1000000000000000104')).toEqual(['👍 900000000000000001']);
    });

    it('skips exports of channels the guild does not capture, as live capture would, counting a thread by its parent', async () => {
      await updateGuildSettings(t.db, GUILD, { captureChannelIds: ['810000000000000002'] }, NOW);
      const results = [];
      for (const file of mainExports) results.push(await importExportFile(deps(), file));
      expect(results.map((r) => [r.channelName, r.status])).toEqual([
        ['general', 'skipped'],
        ['clips', 'imported'],
        ['Best of March', 'imported'],
        ['Review my clip', 'skipped'],
      ]);
      expect(results[0]).toMatchObject({ skipped: 'not_captured', reason: "#general is not one of the guild's capture channels" });
      expect(await activeShareKeys()).toEqual([`1000000000000000201:${AWK}`, '1000000000000000301:ThreadClipSlug']);
    });

    it('changes nothing when the same file is imported again, and skips a completed file unless forced', async () => {
      await importAll(mainExports);
      const before = await snapshotOfDatabase();
      clock.advance(86_400_000);
      const skipped = await importExportFile(deps(), fixture('general.json'));
      expect(skipped).toMatchObject({ status: 'skipped', skipped: 'already_imported', messagesRead: 0 });
      await importAll(mainExports, { force: true });
      expect(await snapshotOfDatabase()).toEqual(before);
    });

    it('ends in the same state whichever order overlapping exports are imported in', async () => {
      const older = fixture('overlap/general-2024-03-02.json');
      const newer = fixture('general.json');
      await importAll([older, newer]);
      const olderFirst = await snapshotOfDatabase();
      // The edit of message 103 replaced its link: the old one stops counting, the new one counts.
      expect((await shares()).filter((s) => s.message_id === '1000000000000000103').map((s) => [s.clip_id, s.deleted])).toEqual([
        ['FunnyClipName-AbC123_xyz', false],
        ['TypoClipName', true],
      ]);
      expect(await reactionRows('1000000000000000101')).toContain('😂 900000000000000003');

      await reset();
      await importAll([newer, older]);
      const activeNewerFirst = await activeShareKeys();
      expect(activeNewerFirst).not.toContain('1000000000000000103:TypoClipName');
      const strip = (s: unknown) => {
        const snap = s as { shares: { clip_id: string; deleted_at: number | null }[]; clips: { clip_id: string }[] };
        return {
          active: snap.shares.filter((r) => r.deleted_at === null),
          clips: snap.clips.filter((c) => c.clip_id !== 'TypoClipName'),
          reactions: (s as { reactions: unknown }).reactions,
          baselines: (s as { baselines: unknown }).baselines,
        };
      };
      expect(strip(await snapshotOfDatabase())).toEqual(strip(olderFirst));
    });

    // What incremental aggregation relies on: per clip, the journal adds up to what the raw rows count.
    it('journals what imports change: per clip the journal adds up to the raw rows, overlapping and repeated imports included', async () => {
      await importAll([fixture('overlap/general-2024-03-02.json')], { batchSize: 2 });
      clock.advance(60_000);
      await importAll(mainExports, { batchSize: 2 });
      await importAll([fixture('general.json')], { batchSize: 3, force: true });
      await recordReactionAdded(
        t.db,
        { guildId: GUILD, channelId: '810000000000000001', messageId: '1000000000000000101', emojiKey: '🔥', userId: '42', at: NOW },
        NOW,
      );
      const journal = await q().all(
        'SELECT clip_id, sum(shares) AS shares, sum(reactions) AS reactions FROM engagement_changes GROUP BY clip_id HAVING sum(shares) <> 0 OR sum(reactions) <> 0 ORDER BY clip_id',
      );
      const counted = await q().all(
        'SELECT clip_id, discord_shares AS shares, discord_reactions AS reactions FROM clips WHERE discord_shares <> 0 OR discord_reactions <> 0 ORDER BY clip_id',
      );
      expect(journal.length).toBeGreaterThan(3);
      expect(journal).toEqual(counted);
    });

    it('journals what imports change so that incremental analytics equal a full rebuild, overlapping and repeated imports included', async () => {
      const totals = (): Promise<unknown[]> =>
        q().all('SELECT period_type, period_start, discord_shares, discord_reactions FROM guild_period_stats ORDER BY 1, 2');
      // An older export first, then the newer ones (an edit replaced a link, counts changed), then one again; small
      // batches make several transactions per file, each journaling at its commit.
      await importAll([fixture('overlap/general-2024-03-02.json')], { batchSize: 2 });
      await aggregateAll(t.db, { clock });
      clock.advance(60_000);
      await importAll(mainExports, { batchSize: 2 });
      await importAll([fixture('general.json')], { batchSize: 3, force: true });
      await recordReactionAdded(
        t.db,
        { guildId: GUILD, channelId: '810000000000000001', messageId: '1000000000000000101', emojiKey: '🔥', userId: '42', at: NOW },
        NOW,
      );
      await aggregateAll(t.db, { clock });
      const incremental = await totals();
      expect(incremental.length).toBeGreaterThan(0);
      await aggregateAll(t.db, { clock }, { full: true });
      expect(incremental).toEqual(await totals());
    });

    it('lets live reaction events adjust imported counts without double counting', async () => {
      await importAll([fixture('general.json')]);
      const message = { guildId: GUILD, channelId: '810000000000000001', messageId: '1000000000000000103' };
      expect((await clip('FunnyClipName-AbC123_xyz'))?.discord_reactions).toBe(4);
      // Someone who was part of the anonymous four takes their 🔥 back; a new user adds one.
      await recordReactionRemoved(t.db, { ...message, emojiKey: '🔥', userId: '900000000000000002', at: NOW }, NOW);
      expect((await clip('FunnyClipName-AbC123_xyz'))?.discord_reactions).toBe(3);
      await recordReactionAdded(t.db, { ...message, emojiKey: '🔥', userId: '900000000000000007', at: NOW + 1 }, NOW + 1);
      expect((await clip('FunnyClipName-AbC123_xyz'))?.discord_reactions).toBe(4);
      // Re-reading the (older) export does not undo what the live events said.
      await importExportFile(deps(), fixture('general.json'), { force: true });
      expect((await clip('FunnyClipName-AbC123_xyz'))?.discord_reactions).toBe(4);
      // A live add by a user the export already named is a replay, not a new reaction.
      expect(
        await recordReactionAdded(
          t.db,
          {
            guildId: GUILD,
            channelId: '810000000000000001',
            messageId: '1000000000000000101',
            emojiKey: '😂',
            userId: '900000000000000003',
            at: NOW,
          },
          NOW,
        ),
      ).toBe(false);
      expect((await clip(AWK))?.discord_reactions).toBe(6);
    });

    it('reads exports the same whatever the chunk boundaries (multi-byte characters and escapes split across reads)', async () => {
      await importAll(mainExports);
      const expected = await snapshotOfDatabase();
      await reset();
      await importAll(mainExports, { chunkSize: 7, batchSize: 2 });
      expect(await snapshotOfDatabase()).toEqual(expected);
    });

    it('resumes an interrupted import after the last committed message', async () => {
      let stopAfterFirstBatch = true;
      await expect(
        importExportFile(deps(), fixture('general.json'), {
          batchSize: 2,
          chunkSize: 1024,
          // Called once a chunk's messages are committed with the file's progress.
          onProgress: (p) => {
            if (stopAfterFirstBatch && p.messagesRead >= 2) throw new Error('killed');
          },
        }),
      ).rejects.toThrow('killed');
      const run = (await q().get<{ messages_imported: number; last_message_id: string; completed_at: number | null; byte_offset: number }>(
        'SELECT messages_imported, last_message_id, completed_at, byte_offset FROM import_runs',
      ))!;
      expect(run.completed_at).toBeNull();
      expect(run.messages_imported).toBeGreaterThanOrEqual(2);
      expect(run.messages_imported).toBeLessThan(6);

      stopAfterFirstBatch = false;
      const resumed = await importExportFile(deps(), fixture('general.json'));
      expect(resumed.resumedAfter).toBe(run.messages_imported);
      expect(resumed.messagesRead).toBe(6 - run.messages_imported);
      expect(await q().get('SELECT messages_imported, completed_at FROM import_runs')).toEqual({
        messages_imported: 6,
        completed_at: NOW,
      });
      const whole = await snapshotOfDatabase();
      await reset();
      await importAll([fixture('general.json')]);
      expect(await snapshotOfDatabase()).toEqual(whole);
    });

    it('stops between chunks when asked, and continues from there on the next run', async () => {
      const stop = new AbortController();
      const stopped = await importExportFile(deps(), fixture('general.json'), {
        chunkSize: 2048,
        signal: stop.signal,
        onProgress: (p) => p.messagesRead > 0 && stop.abort(),
      });
      expect(stopped.status).toBe('stopped');
      expect(stopped.messagesRead).toBeGreaterThan(0);
      expect(stopped.messagesRead).toBeLessThan(6);
      const rest = await importExportFile(deps(), fixture('general.json'));
      expect(rest).toMatchObject({ status: 'imported', resumedAfter: stopped.messagesRead, messagesRead: 6 - stopped.messagesRead });
    });

    it('refuses an export of another guild when --guild is given', async () => {
      await expect(importExportFile(deps(), fixture('general.json'), { guildId: '123' })).rejects.toThrow(
        /belongs to guild 800000000000000001 \("Clip Fans"\), not 123/,
      );
      expect(await shares()).toEqual([]);
    });

    it('finds the .json exports in folders, recursively, each once', () => {
      const files = listExportFiles([FIXTURES, fixture('general.json')]).map((f) => path.relative(FIXTURES, f));
      expect(files).toContain('general.json');
      expect(files).toContain(path.join('overlap', 'general-2024-03-02.json'));
      expect(new Set(files).size).toBe(files.length);
    });
  });

  describe('importing malformed files', () => {
    async function failure(file: string): Promise<ImportError> {
      try {
        await importExportFile(deps(), file);
      } catch (error) {
        if (error instanceof ImportError) return error;
        throw error;
      }
      throw new Error('expected the import to fail');
    }

    it('names the file and position when the file is not a DiscordChatExporter export', async () => {
      const error = await failure(fixture('malformed/not-dce.json'));
      expect(error.message).toContain('not-dce.json:4:');
      expect(error.message).toContain('not a DiscordChatExporter JSON export');
      expect(error.byteOffset).toBe(fs.readFileSync(fixture('malformed/not-dce.json'), 'utf8').indexOf('"not here"'));
    });

    it('rejects a JSON file without the guild and channel header, and plain text', async () => {
      const dir = fs.mkdtempSync(path.join(scratch, 'bad-'));
      fs.writeFileSync(path.join(dir, 'array.json'), '[1, 2, 3]');
      fs.writeFileSync(path.join(dir, 'noheader.json'), '{\n  "messages": []\n}');
      fs.writeFileSync(path.join(dir, 'empty.json'), '');
      expect((await failure(path.join(dir, 'array.json'))).message).toMatch(
        /array\.json:1: not a DiscordChatExporter JSON export: expected a JSON object, found "\[" \(byte 0\)/,
      );
      expect((await failure(path.join(dir, 'noheader.json'))).message).toMatch(
        /noheader\.json:2: not a DiscordChatExporter JSON export: "guild" .* missing/,
      );
      expect((await failure(path.join(dir, 'empty.json'))).message).toMatch(
        /empty\.json:1: not a DiscordChatExporter JSON export: the file is empty/,
      );
    });

    it('keeps the messages before the end of a truncated export and says where it ends', async () => {
      const file = fixture('malformed/truncated.json');
      const error = await failure(file);
      const size = fs.statSync(file).size;
      const lines = fs.readFileSync(file, 'utf8').split('\n').length;
      expect(error.message).toBe(
        `${file}:${lines}: the file ends unexpectedly (inside messages, after message 1): the export is truncated (byte ${size.toLocaleString('en-US')})`,
      );
      expect(error.messagesKept).toBe(1);
      expect(await activeShareKeys()).toEqual(['1000000000000000601:KeptFromTruncated']);
    });

    it('keeps the valid messages before a message with missing fields and names the field', async () => {
      const file = fixture('malformed/missing-fields.json');
      const text = fs.readFileSync(file, 'utf8');
      const badStart = text.lastIndexOf('{', text.indexOf('"1000000000000000503"'));
      const error = await failure(file);
      expect(error.byteOffset).toBe(badStart);
      expect(error.line).toBe(text.slice(0, badStart).split('\n').length);
      expect(error.message).toContain(
        'message 3 (id 1000000000000000503) is not a valid DiscordChatExporter message: "author.id" is missing',
      );
      expect(await activeShareKeys()).toEqual(['1000000000000000501:BeforeTheBadOne', '1000000000000000502:AlsoBeforeTheBadOne']);
    });

    it('reports invalid JSON inside a message at the offending byte', async () => {
      const file = path.join(scratch, 'broken.json');
      const text = fs.readFileSync(fixture('clips.json'), 'utf8').replace('"no links here, just vibes"', '"no links here" oops');
      fs.writeFileSync(file, text);
      const error = await failure(file);
      expect(error.message).toMatch(/invalid JSON/);
      expect(error.byteOffset).toBe(Buffer.byteLength(text.slice(0, text.indexOf(' oops') + 1)));
      expect(await activeShareKeys()).toEqual([`1000000000000000201:${AWK}`]);
    });
  });
});
