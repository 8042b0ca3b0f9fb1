// /clipstats streams end to end: an INTERACTION_CREATE into a real discord.js Client logged in to the fake Discord,
// clips captured through the real capture path and placed in a followed channel's broadcast; we assert the embed the
// bot sends, and that another server's streams stay out of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queries } from '../../src/db/sql';
import { EMBED_LIMITS, embedLength } from '../../src/discord/embeds/limits';
import { snowflake, textChannel, user, type RecordedRequest } from '../fakes/discord';
import { chatInput, options, subcommand } from '../fakes/discord/interactions';
import { bodyOf, enrich, shareClip, startCommandBot, type CommandBot } from './command-bot';

const NOW = Date.UTC(2026, 10, 25, 12, 0); // Wednesday 25 November 2026
const STREAM_START = Date.UTC(2026, 10, 24, 18, 0);
const HOUR = 3_600_000;

const guildA = snowflake();
const guildB = snowflake();
const clipsA = textChannel({ guild_id: guildA, name: 'clips' });
const clipsB = textChannel({ guild_id: guildB, name: 'clips' });
const viewer = user({ username: 'viewer' });

let h: CommandBot;

const edit = (requests: RecordedRequest[]) => requests.find((r) => r.method === 'PATCH' && /\/messages\/(@|%40)original$/.test(r.path));

beforeAll(async () => {
  h = await startCommandBot({
    now: NOW,
    guilds: [
      { id: guildA, name: 'Clip Town', channels: [clipsA] },
      { id: guildB, name: 'Elsewhere', channels: [clipsB] },
    ],
  });
  const db = h.temp.db;
  const q = queries(db);
  const place = async (
    guildId: string,
    channelId: string,
    clipId: string,
    videoId: string | null,
    offset: number | null,
    views: number,
  ) => {
    shareClip(db, { guildId, channelId, clipId, authorId: viewer.id, authorName: 'viewer', at: STREAM_START + 5 * HOUR });
    enrich(db, guildId, {
      clipId,
      title: `Clip ${clipId}`,
      creatorId: 'c1',
      creatorName: 'Alice',
      gameId: 'g1',
      gameName: 'Just Chatting',
      views,
      createdAt: STREAM_START + (offset ?? 0) * 1000,
    });
    await q.run('UPDATE clips SET video_id = ?, vod_offset = ? WHERE guild_id = ? AND clip_id = ?', [videoId, offset, guildId, clipId]);
  };
  const video = (guildId: string, id: string, title: string) =>
    q.run(
      `INSERT INTO twitch_videos (guild_id, video_id, broadcaster_id, broadcaster_name, stream_id, title, started_at, duration_seconds, fetched_at)
       VALUES (?, ?, 'b1', 'Streamer', NULL, ?, ?, ?, ?)`,
      [guildId, id, title, STREAM_START, 4 * 3600, NOW],
    );
  await video(guildA, 'v1', 'Tuesday night **stream**');
  await place(guildA, clipsA.id, 'EarlyOne', 'v1', 120, 300);
  await place(guildA, clipsA.id, 'EarlyTwo', 'v1', 500, 200);
  await place(guildA, clipsA.id, 'LateOne', 'v1', 3 * 3600 + 60, 100);
  await place(guildA, clipsA.id, 'Unplaced', null, null, 50);
  await video(guildB, 'vB', 'Secret stream of B');
  await place(guildB, clipsB.id, 'OtherOne', 'vB', 60, 999);
});

afterAll(async () => {
  await h?.stop();
});

const streams = (period?: string, guildId = guildA) =>
  chatInput({
    applicationId: h.discord.applicationId,
    guildId,
    channel: guildId === guildA ? clipsA : clipsB,
    user: viewer,
    commandName: 'clipstats',
    options: [subcommand('streams', period ? options({ period }) : [])],
  });

describe('/clipstats streams', () => {
  it('shows when in the stream clips happen, the stream with the most clips and the rate per third', async () => {
    const [embed] = bodyOf(edit(await h.invoke(streams('week')))).embeds;
    expect(embed.title).toBe('🎥 Stream moments · Week of 2026-11-23');
    expect(embed.description).toContain('**3** of 4 clips placed in their stream (1 without a VOD offset, counted apart)');
    expect(embed.description).toContain('Most clips come **0–10 min** into the stream');
    const value = (name: string) => embed.fields.find((f: { name: string }) => f.name === name)?.value;
    expect(value('Streams')).toBe('1 · 4 h\n3 clips · 0.75/h');
    expect(value('Time to first clip')).toBe('median 2 min\nmean 2 min');
    expect(value('Clips per hour by third')).toBe('start 1.5/h\nmiddle 0/h\nend 0.75/h');
    expect(value('Streams with the most clips')).toBe(
      '🥇 [Tuesday night \\*\\*stream\\*\\*](https://www.twitch.tv/videos/v1) · 3 clips, 600 views · 0.75/h',
    );
    expect(embedLength(embed)).toBeLessThanOrEqual(EMBED_LIMITS.total);
    expect(JSON.stringify(embed)).not.toContain('Secret stream of B');
  });

  it('answers a period without streams or clips with a hint, not an error', async () => {
    const [embed] = bodyOf(edit(await h.invoke(streams('day')))).embeds;
    expect(embed.description).toContain('No clips or streams in this period yet');
  });

  it('shows another server its own streams only', async () => {
    const [embed] = bodyOf(edit(await h.invoke(streams('week', guildB)))).embeds;
    const value = (name: string) => embed.fields.find((f: { name: string }) => f.name === name)?.value;
    expect(value('Streams with the most clips')).toContain('Secret stream of B');
    expect(value('Streams')).toBe('1 · 4 h\n1 clip · 0.25/h');
  });
});
