// Recording reactions: exact per-emoji counts on clips through add, remove, remove-all, remove-emoji and baselines.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  emojiKey,
  recordReactionAdded,
  recordReactionRemoved,
  recordReactionSnapshot,
  recordReactionsCleared,
  type ReactionEvent,
} from '../../src/capture/record-reaction';
import { recordMessagesDeleted } from '../../src/capture/record-share';
import { createTempDb, type TempDb } from '../helpers/temp-db';
import { recordMessageNow } from '../../src/capture/record-now';

const T0 = Date.UTC(2026, 0, 5, 12, 30);
const POG = 'PogChamp:123456789012345678';

describe('reactions on clip messages', () => {
  let temp: TempDb;
  beforeEach(() => {
    temp = createTempDb();
    for (const [messageId, content] of [
      ['m1', 'https://clips.twitch.tv/ClipOne'],
      ['m2', 'https://clips.twitch.tv/ClipOne https://clips.twitch.tv/ClipTwo'],
      ['plain', 'no clip here'],
    ] as const) {
      recordMessageNow(
        temp.db,
        {
          guildId: 'g1',
          channelId: 'c1',
          messageId,
          authorId: 'u0',
          authorName: 'Poster',
          authorIsBot: false,
          postedAt: T0,
          content,
          source: 'discord',
        },
        T0,
      );
    }
  });
  afterEach(() => temp.cleanup());

  const event = (messageId: string, key: string, userId: string): ReactionEvent => ({
    guildId: 'g1',
    channelId: 'c1',
    messageId,
    emojiKey: key,
    userId,
    at: T0 + 60_000,
  });
  const counts = (clipId: string) => {
    const row = temp.db.$client
      .prepare('SELECT discord_reactions, discord_reaction_types FROM clips WHERE guild_id = ? AND clip_id = ?')
      .get('g1', clipId) as {
      discord_reactions: number;
      discord_reaction_types: string;
    };
    return { total: row.discord_reactions, types: JSON.parse(row.discord_reaction_types) as Record<string, number> };
  };

  it('counts each user once per emoji, across every message sharing the clip', async () => {
    expect(await recordReactionAdded(temp.db, event('m1', '🔥', 'a'), T0)).toBe(true);
    expect(await recordReactionAdded(temp.db, event('m1', '🔥', 'a'), T0)).toBe(false);
    expect(await recordReactionAdded(temp.db, event('m1', '🔥', 'b'), T0)).toBe(true);
    expect(await recordReactionAdded(temp.db, event('m2', POG, 'a'), T0)).toBe(true);
    expect(counts('ClipOne')).toEqual({ total: 3, types: { '🔥': 2, [POG]: 1 } });
    expect(counts('ClipTwo')).toEqual({ total: 1, types: { [POG]: 1 } });
  });

  it('ignores reactions on messages without a clip', async () => {
    expect(await recordReactionAdded(temp.db, event('plain', '🔥', 'a'), T0)).toBe(false);
    expect(await recordReactionAdded(temp.db, event('never-seen', '🔥', 'a'), T0)).toBe(false);
    expect(temp.db.$client.prepare('SELECT count(*) AS n FROM reactions').get()).toEqual({ n: 0 });
  });

  it('removes a reaction once, and a replayed removal changes nothing', async () => {
    await recordReactionAdded(temp.db, event('m1', '🔥', 'a'), T0);
    await recordReactionAdded(temp.db, event('m1', '🔥', 'b'), T0);
    expect(await recordReactionRemoved(temp.db, event('m1', '🔥', 'a'), T0)).toBe(true);
    expect(await recordReactionRemoved(temp.db, event('m1', '🔥', 'a'), T0)).toBe(false);
    expect(counts('ClipOne')).toEqual({ total: 1, types: { '🔥': 1 } });
  });

  it('clears every reaction of a message, or only one emoji', async () => {
    await recordReactionAdded(temp.db, event('m2', '🔥', 'a'), T0);
    await recordReactionAdded(temp.db, event('m2', '🔥', 'b'), T0);
    await recordReactionAdded(temp.db, event('m2', POG, 'a'), T0);
    await recordReactionAdded(temp.db, event('m1', POG, 'c'), T0);
    expect(await recordReactionsCleared(temp.db, { guildId: 'g1', messageId: 'm2', emojiKey: '🔥' }, T0)).toBe(2);
    expect(counts('ClipTwo')).toEqual({ total: 1, types: { [POG]: 1 } });
    expect(counts('ClipOne')).toEqual({ total: 2, types: { [POG]: 2 } });
    expect(await recordReactionsCleared(temp.db, { guildId: 'g1', messageId: 'm2' }, T0)).toBe(1);
    expect(counts('ClipTwo')).toEqual({ total: 0, types: {} });
    expect(counts('ClipOne')).toEqual({ total: 1, types: { [POG]: 1 } });
    expect(await recordReactionsCleared(temp.db, { guildId: 'g1', messageId: 'm2' }, T0)).toBe(0);
  });

  it('stops counting reactions of a deleted share', async () => {
    await recordReactionAdded(temp.db, event('m2', '🔥', 'a'), T0);
    await recordReactionAdded(temp.db, event('m1', '🔥', 'b'), T0);
    await recordMessagesDeleted(temp.db, 'g1', ['m2'], T0);
    expect(counts('ClipOne')).toEqual({ total: 1, types: { '🔥': 1 } });
    expect(counts('ClipTwo')).toEqual({ total: 0, types: {} });
  });

  it('keeps a snapshot count beyond the named users as a baseline, and re-applying it changes nothing', async () => {
    await recordReactionSnapshot(
      temp.db,
      { guildId: 'g1', channelId: 'c1', messageId: 'm1', emojiKey: '😂', count: 5, userIds: ['a', 'b'], at: T0 },
      T0,
    );
    expect(counts('ClipOne')).toEqual({ total: 5, types: { '😂': 5 } });
    await recordReactionSnapshot(
      temp.db,
      { guildId: 'g1', channelId: 'c1', messageId: 'm1', emojiKey: '😂', count: 5, userIds: ['a', 'b'], at: T0 },
      T0,
    );
    expect(counts('ClipOne')).toEqual({ total: 5, types: { '😂': 5 } });
    expect(temp.db.$client.prepare('SELECT anonymous_count FROM reaction_baselines').all()).toEqual([{ anonymous_count: 3 }]);

    // A live add by a new user adds one; a remove by someone only counted in the baseline takes one from it.
    await recordReactionAdded(temp.db, event('m1', '😂', 'c'), T0);
    expect(counts('ClipOne').total).toBe(6);
    expect(await recordReactionRemoved(temp.db, event('m1', '😂', 'unnamed'), T0)).toBe(true);
    expect(counts('ClipOne').total).toBe(5);
    expect(await recordReactionRemoved(temp.db, event('m1', '😂', 'a'), T0)).toBe(true);
    expect(counts('ClipOne')).toEqual({ total: 4, types: { '😂': 4 } });

    // Clearing the emoji removes the baseline too.
    await recordReactionsCleared(temp.db, { guildId: 'g1', messageId: 'm1', emojiKey: '😂' }, T0);
    expect(counts('ClipOne')).toEqual({ total: 0, types: {} });
    expect(temp.db.$client.prepare('SELECT count(*) AS n FROM reaction_baselines').get()).toEqual({ n: 0 });
  });

  it('never lets a baseline go below zero', async () => {
    await recordReactionSnapshot(
      temp.db,
      { guildId: 'g1', channelId: 'c1', messageId: 'm1', emojiKey: '😂', count: 1, userIds: [], at: T0 },
      T0,
    );
    expect(await recordReactionRemoved(temp.db, event('m1', '😂', 'x'), T0)).toBe(true);
    expect(await recordReactionRemoved(temp.db, event('m1', '😂', 'y'), T0)).toBe(false);
    expect(counts('ClipOne')).toEqual({ total: 0, types: {} });
  });

  it('names emoji by character or name:id', () => {
    expect(emojiKey({ id: null, name: '🔥' })).toBe('🔥');
    expect(emojiKey({ id: '123', name: 'PogChamp' })).toBe('PogChamp:123');
    expect(emojiKey({ id: '123', name: null })).toBe('emoji:123');
    expect(emojiKey({ id: null, name: null })).toBeNull();
  });
});
