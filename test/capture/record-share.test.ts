// Recording shares: one per (message, clip), edits follow the content, deletes keep the rows, replays are harmless.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordMessage, recordMessagesDeleted, type MessageSnapshot } from '../../src/capture/record-share';
import { createTempDb, type TempDb } from '../helpers/temp-db';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 5, 12, 30);

function snapshot(fields: Partial<MessageSnapshot> & { messageId: string; content: string }): MessageSnapshot {
  return {
    guildId: 'g1',
    channelId: 'c1',
    threadId: null,
    authorId: 'u1',
    authorName: 'Alice',
    authorIsBot: false,
    postedAt: T0,
    source: 'discord',
    ...fields,
  };
}

describe('recordMessage', () => {
  let temp: TempDb;
  beforeEach(() => {
    temp = createTempDb();
  });
  afterEach(() => temp.cleanup());

  const q = <T>(sql: string, ...params: unknown[]) => temp.db.$client.prepare(sql).all(...params) as T[];
  const clip = (clipId: string, guildId = 'g1') =>
    temp.db.$client.prepare('SELECT * FROM clips WHERE guild_id = ? AND clip_id = ?').get(guildId, clipId) as
      | Record<string, unknown>
      | undefined;
  const dump = () => ({
    clips: q('SELECT guild_id, clip_id, discord_shares, discord_reactions, discord_reaction_types, first_shared_at FROM clips ORDER BY id'),
    shares: q('SELECT * FROM shares ORDER BY id'),
    dirty: q('SELECT * FROM dirty_hours ORDER BY guild_id, hour_start'),
  });

  it('counts a clip posted in three messages as three shares', async () => {
    for (const id of ['m1', 'm2', 'm3'])
      await recordMessage(temp.db, snapshot({ messageId: id, content: 'https://clips.twitch.tv/ClipOne' }), T0);
    expect(clip('ClipOne')).toMatchObject({ discord_shares: 3, enrichment_state: 'pending', url: 'https://clips.twitch.tv/ClipOne' });
    expect(q('SELECT message_id FROM shares ORDER BY id')).toEqual([{ message_id: 'm1' }, { message_id: 'm2' }, { message_id: 'm3' }]);
  });

  it('keeps one share for a message edited twice with the clip still in it', async () => {
    await recordMessage(temp.db, snapshot({ messageId: 'm1', content: 'https://clips.twitch.tv/ClipOne' }), T0);
    await recordMessage(temp.db, snapshot({ messageId: 'm1', content: 'look https://clips.twitch.tv/ClipOne' }), T0 + 1);
    await recordMessage(temp.db, snapshot({ messageId: 'm1', content: 'LOOK <https://clips.twitch.tv/ClipOne>' }), T0 + 2);
    expect(q('SELECT count(*) AS n FROM shares')).toEqual([{ n: 1 }]);
    expect(clip('ClipOne')?.discord_shares).toBe(1);
  });

  it('adds, removes and restores shares as edits change the links', async () => {
    expect(await recordMessage(temp.db, snapshot({ messageId: 'm1', content: 'https://clips.twitch.tv/ClipOne' }), T0)).toEqual({
      added: ['ClipOne'],
      removed: [],
    });
    expect(
      await recordMessage(
        temp.db,
        snapshot({ messageId: 'm1', content: 'https://clips.twitch.tv/ClipOne https://clips.twitch.tv/ClipTwo' }),
        T0 + 1,
      ),
    ).toEqual({
      added: ['ClipTwo'],
      removed: [],
    });
    expect(await recordMessage(temp.db, snapshot({ messageId: 'm1', content: 'https://clips.twitch.tv/ClipTwo' }), T0 + 2)).toEqual({
      added: [],
      removed: ['ClipOne'],
    });
    expect(clip('ClipOne')?.discord_shares).toBe(0);
    expect(q('SELECT clip_id, deleted_at FROM shares ORDER BY id')).toEqual([
      { clip_id: 'ClipOne', deleted_at: T0 + 2 },
      { clip_id: 'ClipTwo', deleted_at: null },
    ]);
    expect(
      await recordMessage(
        temp.db,
        snapshot({ messageId: 'm1', content: 'https://clips.twitch.tv/ClipOne https://clips.twitch.tv/ClipTwo' }),
        T0 + 3,
      ),
    ).toEqual({
      added: ['ClipOne'],
      removed: [],
    });
    expect(clip('ClipOne')?.discord_shares).toBe(1);
    expect(q('SELECT count(*) AS n FROM shares')).toEqual([{ n: 2 }]);
  });

  it('changes nothing when the same message is recorded again', async () => {
    const msg = snapshot({ messageId: 'm1', content: 'https://clips.twitch.tv/ClipOne and https://m.twitch.tv/clip/ClipTwo' });
    await recordMessage(temp.db, msg, T0);
    const before = dump();
    expect(await recordMessage(temp.db, msg, T0 + HOUR)).toEqual({ added: [], removed: [] });
    expect(dump()).toEqual(before);
  });

  it('records nothing for a message without clip links', async () => {
    expect(await recordMessage(temp.db, snapshot({ messageId: 'm1', content: 'https://www.twitch.tv/videos/123' }), T0)).toEqual({
      added: [],
      removed: [],
    });
    expect(dump()).toEqual({ clips: [], shares: [], dirty: [] });
  });

  it('keeps each guild’s clip counts apart', async () => {
    await recordMessage(temp.db, snapshot({ messageId: 'm1', content: 'https://clips.twitch.tv/ClipOne' }), T0);
    await recordMessage(temp.db, snapshot({ guildId: 'g2', messageId: 'm2', content: 'https://clips.twitch.tv/ClipOne' }), T0);
    await recordMessage(temp.db, snapshot({ guildId: 'g2', messageId: 'm3', content: 'https://clips.twitch.tv/ClipOne' }), T0);
    expect(clip('ClipOne', 'g1')?.discord_shares).toBe(1);
    expect(clip('ClipOne', 'g2')?.discord_shares).toBe(2);
  });

  it('scans embed URLs as well as the text', async () => {
    await recordMessage(
      temp.db,
      snapshot({ messageId: 'm1', content: 'from a bot', embedUrls: ['https://clips.twitch.tv/EmbeddedClip'] }),
      T0,
    );
    expect(clip('EmbeddedClip')?.discord_shares).toBe(1);
  });

  it('marks the hour of the share dirty for incremental aggregation', async () => {
    await recordMessage(temp.db, snapshot({ messageId: 'm1', content: 'https://clips.twitch.tv/ClipOne' }), T0);
    expect(q('SELECT guild_id, hour_start FROM dirty_hours')).toEqual([{ guild_id: 'g1', hour_start: Date.UTC(2026, 0, 5, 12) }]);
  });
});

describe('recordMessagesDeleted', () => {
  let temp: TempDb;
  beforeEach(() => {
    temp = createTempDb();
  });
  afterEach(() => temp.cleanup());

  it('stops counting the shares of deleted messages, keeps the rows, and is idempotent', async () => {
    await recordMessage(temp.db, snapshot({ messageId: 'm1', content: 'https://clips.twitch.tv/ClipOne' }), T0);
    await recordMessage(
      temp.db,
      snapshot({ messageId: 'm2', content: 'https://clips.twitch.tv/ClipOne https://clips.twitch.tv/ClipTwo' }),
      T0,
    );
    expect(await recordMessagesDeleted(temp.db, 'g1', ['m2', 'unknown'], T0 + 5)).toBe(2);
    expect(await recordMessagesDeleted(temp.db, 'g1', ['m2'], T0 + 6)).toBe(0);
    const counts = temp.db.$client.prepare('SELECT clip_id, discord_shares FROM clips ORDER BY clip_id').all();
    expect(counts).toEqual([
      { clip_id: 'ClipOne', discord_shares: 1 },
      { clip_id: 'ClipTwo', discord_shares: 0 },
    ]);
    expect(temp.db.$client.prepare('SELECT message_id, clip_id, deleted_at FROM shares ORDER BY id').all()).toEqual([
      { message_id: 'm1', clip_id: 'ClipOne', deleted_at: null },
      { message_id: 'm2', clip_id: 'ClipOne', deleted_at: T0 + 5 },
      { message_id: 'm2', clip_id: 'ClipTwo', deleted_at: T0 + 5 },
    ]);
  });
});
