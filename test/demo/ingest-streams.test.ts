import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { extractClipLinks } from '../../src/capture/clip-url';
import { writeChatExports } from '../../src/demo/chat-export';
import { gatewayDispatches, type GatewayDispatch } from '../../src/demo/gateway-stream';
import { generateCommunity } from '../../src/demo/generator';
import { createTempDb, type TempDb } from '../helpers/temp-db';

const OPTIONS = { clips: 900, seed: 21, endAt: Date.UTC(2026, 10, 1), guilds: 2 };
const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

function builtDb(): TempDb {
  const temp = createTempDb();
  cleanups.push(() => temp.cleanup());
  generateCommunity(temp.db, OPTIONS);
  return temp;
}

function ids(temp: TempDb, sql: string): Set<string> {
  return new Set(
    temp.db.$client
      .prepare<[], { id: string }>(sql)
      .all()
      .map((r) => r.id),
  );
}

describe('gateway dispatch stream', () => {
  it('describes the same messages, reactions and deletions the database build wrote', () => {
    const dispatches = [...gatewayDispatches(OPTIONS)];
    const temp = builtDb();
    const byType = (t: string): GatewayDispatch[] => dispatches.filter((d) => d.t === t);
    expect(byType('GUILD_CREATE')).toHaveLength(2);
    expect(dispatches[0]?.t).toBe('GUILD_CREATE');
    dispatches.forEach((d, i) => expect(d.s).toBe(i + 1));

    const created = new Set(byType('MESSAGE_CREATE').map((d) => d.d.id as string));
    expect(created).toEqual(ids(temp, 'SELECT DISTINCT message_id AS id FROM shares'));
    const linked = new Set(
      byType('MESSAGE_CREATE').flatMap((d) => extractClipLinks(d.d.content as string).map((l) => `${d.d.guild_id as string}/${l.clipId}`)),
    );
    expect(linked).toEqual(ids(temp, "SELECT DISTINCT guild_id || '/' || clip_id AS id FROM shares"));

    const reactionKeys = new Set(
      byType('MESSAGE_REACTION_ADD').map((d) => {
        const emoji = d.d.emoji as { id: string | null; name: string };
        return `${d.d.message_id as string}/${emoji.id ? `${emoji.name}:${emoji.id}` : emoji.name}/${d.d.user_id as string}`;
      }),
    );
    expect(reactionKeys).toEqual(ids(temp, "SELECT message_id || '/' || emoji_key || '/' || user_id AS id FROM reactions"));
    expect(byType('MESSAGE_DELETE').length).toBeGreaterThan(0);
    for (const d of byType('MESSAGE_DELETE')) {
      const { n } = temp.db.$client.prepare('SELECT count(*) AS n FROM shares WHERE message_id = ? AND deleted_at IS NULL').get(d.d.id) as {
        n: number;
      };
      expect(n).toBe(0);
    }
    expect(byType('MESSAGE_UPDATE').every((d) => typeof d.d.edited_timestamp === 'string')).toBe(true);
  });

  it('posts thread messages with the thread as channel, a thread the guild announced', () => {
    const dispatches = [...gatewayDispatches(OPTIONS)];
    const threads = new Set(
      dispatches.filter((d) => d.t === 'GUILD_CREATE').flatMap((d) => (d.d.threads as Array<{ id: string }>).map((t) => t.id)),
    );
    const channels = new Set(
      dispatches.filter((d) => d.t === 'GUILD_CREATE').flatMap((d) => (d.d.channels as Array<{ id: string }>).map((c) => c.id)),
    );
    const messages = dispatches.filter((d) => d.t === 'MESSAGE_CREATE');
    expect(messages.some((m) => threads.has(m.d.channel_id as string))).toBe(true);
    expect(messages.every((m) => threads.has(m.d.channel_id as string) || channels.has(m.d.channel_id as string))).toBe(true);
  });

  it('mixes in ordinary chat without clip links when asked', () => {
    const plain = [...gatewayDispatches(OPTIONS)].filter((d) => d.t === 'MESSAGE_CREATE').length;
    const chatty = [...gatewayDispatches({ ...OPTIONS, chatterPerShare: 4 })].filter((d) => d.t === 'MESSAGE_CREATE');
    expect(chatty.length / plain).toBeGreaterThan(4);
    expect(chatty.length / plain).toBeLessThan(6);
    const withLinks = chatty.filter((d) => extractClipLinks(d.d.content as string).length > 0).length;
    expect(withLinks).toBe(plain);
    expect(new Set(chatty.map((d) => d.d.id)).size).toBe(chatty.length);
  });
});

describe('DiscordChatExporter files', () => {
  it('stream one valid export per channel and thread, agreeing with the database build', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-export-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const summary = await writeChatExports({ ...OPTIONS, dir, chatterPerShare: 2 });
    const temp = builtDb();
    expect(fs.readdirSync(dir).sort()).toEqual(summary.files.map((f) => path.basename(f.path)).sort());

    const linkedMessages = new Set<string>();
    let reactions = 0;
    let total = 0;
    for (const file of summary.files) {
      const text = fs.readFileSync(file.path, 'utf8');
      expect(Buffer.byteLength(text)).toBe(file.bytes);
      const exported = JSON.parse(text) as {
        guild: { id: string };
        channel: { id: string; type: string };
        messages: Array<{ id: string; timestamp: string; content: string; reactions: Array<{ count: number; users: unknown[] }> }>;
        messageCount: number;
      };
      expect(exported.channel.id).toBe(file.channelId);
      expect(['GuildTextChat', 'GuildPublicThread']).toContain(exported.channel.type);
      expect(exported.messageCount).toBe(exported.messages.length);
      const times = exported.messages.map((m) => Date.parse(m.timestamp));
      expect(times).toEqual([...times].sort((a, b) => a - b));
      for (const message of exported.messages) {
        if (extractClipLinks(message.content).length > 0) linkedMessages.add(message.id);
        for (const reaction of message.reactions) {
          expect(reaction.users).toHaveLength(reaction.count);
          reactions += reaction.count;
        }
      }
      total += exported.messages.length;
    }
    expect(total).toBe(summary.messages);
    // What the export shows as linking a clip is exactly what capture counts as a live share.
    expect(linkedMessages).toEqual(ids(temp, 'SELECT DISTINCT message_id AS id FROM shares WHERE deleted_at IS NULL'));
    const inExport = [...linkedMessages];
    const stored = temp.db.$client
      .prepare(`SELECT count(*) AS n FROM reactions WHERE message_id IN (${inExport.map(() => '?').join(',')})`)
      .get(...inExport) as { n: number };
    expect(reactions).toBe(stored.n);
    expect(summary.files.some((f) => f.path.includes('] ') === false && /Text Channels - clips \[/.test(f.path))).toBe(true);
  });
});
