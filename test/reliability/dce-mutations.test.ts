// DiscordChatExporter exports mutated at random (issue 9, bad input): truncated, bytes flipped/inserted/deleted,
// fields given the wrong type, removed or duplicated, strings blown up to megabytes. The real importer must either
// import the file or reject it with an ImportError naming the file, line and byte; never throw anything else. Every
// message that ends before the first mutated byte is kept, and the database stays intact and usable.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import { ImportError, importExportFile } from '../../src/importers/dce/import-file';
import { createTempDb } from '../helpers/temp-db';

const GUILD = '800000000000000001';
const MESSAGES = 12;
const NOW = Date.UTC(2024, 6, 1);

interface Export {
  bytes: Buffer;
  /** Byte ranges [start, end) of each message object in the file, in order. */
  ranges: { start: number; end: number }[];
  messageIds: string[];
}

function messageObject(i: number): Record<string, unknown> {
  const clipId = `FuzzClip${String(i).padStart(3, '0')}SwiftRage`;
  return {
    id: String(1000000000000000100n + BigInt(i)),
    type: 'Default',
    timestamp: new Date(Date.UTC(2024, 2, 1, 12, i)).toISOString(),
    timestampEdited: null,
    isPinned: false,
    content: `clip ${i} https://clips.twitch.tv/${clipId} ünïcödé ✨`,
    author: { id: String(900000000000000001n + BigInt(i % 3)), name: `user${i % 3}`, nickname: null, isBot: false, roles: [] },
    attachments: [],
    embeds: [{ title: `clip ${i}`, url: `https://clips.twitch.tv/${clipId}`, video: { url: null } }],
    reactions: [
      i % 2 === 0
        ? { emoji: { id: null, name: '🔥' }, count: 2, users: [{ id: '900000000000000009' }] }
        : { emoji: { id: '920000000000000001', name: 'PogChamp' }, count: 1 },
    ],
  };
}

const HEADER = {
  guild: { id: GUILD, name: 'Clip Fans', iconUrl: null },
  channel: {
    id: '810000000000000001',
    type: 'GuildTextChat',
    categoryId: '805000000000000001',
    category: 'Text Channels',
    name: 'general',
    topic: null,
  },
  dateRange: { after: null, before: null },
  exportedAt: '2024-06-01T12:00:00.000+00:00',
};

/** Pretty-printed as DCE writes it, with the byte range of every message (messages may be replaced as raw text). */
function buildExport(messageTexts: string[]): Export {
  const head = JSON.stringify(HEADER, null, 2);
  const parts: Buffer[] = [Buffer.from(`${head.slice(0, -2)},\n  "messages": [\n`)];
  let offset = parts[0]!.length;
  const ranges: { start: number; end: number }[] = [];
  messageTexts.forEach((text, i) => {
    const indented = Buffer.from(`    ${text.replace(/\n/g, '\n    ')}`);
    ranges.push({ start: offset + 4, end: offset + indented.length });
    const sep = Buffer.from(i < messageTexts.length - 1 ? ',\n' : '\n');
    parts.push(indented, sep);
    offset += indented.length + sep.length;
  });
  parts.push(Buffer.from('  ],\n  "messageCount": ' + messageTexts.length + '\n}\n'));
  return { bytes: Buffer.concat(parts), ranges, messageIds: messageTexts.map((t) => (JSON.parse(t) as { id: string }).id) };
}

const original = buildExport(Array.from({ length: MESSAGES }, (_, i) => JSON.stringify(messageObject(i), null, 2)));

/** `mustFail`: the importer has to reject the result (a required field missing or of the wrong type). */
type Mutation = { kind: string; at: number; mustFail?: boolean; apply(e: Export): Buffer };

const REQUIRED = ['id', 'type', 'timestamp', 'content', 'author', 'author.id', 'author.name', 'author.isBot'] as const;
const TYPED = [...REQUIRED, 'embeds', 'reactions', 'embeds.0', 'reactions.0.count', 'reactions.0.emoji'] as const;
const WRONG_VALUES: unknown[] = [0, -1.5, 1e308, [], [1, 'x'], {}, { nested: { deep: [null] } }, null, true, 'not-a-snowflake'];

/** Replaces message `index` of the original with `text` (raw JSON text); the mutation starts where that message does. */
function withMessage(index: number, text: string): Buffer {
  const texts = original.messageIds.map((_, i) => JSON.stringify(messageObject(i), null, 2));
  texts[index] = text;
  return buildExport(texts).bytes;
}

function setPath(obj: Record<string, unknown>, dotted: string, value: unknown, remove: boolean): void {
  const keys = dotted.split('.');
  let target = obj as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) target = target[k] as Record<string, unknown>;
  const last = keys[keys.length - 1]!;
  if (remove) delete target[last];
  else target[last] = value;
}

const size = original.bytes.length;
const byteAt = fc.integer({ min: 0, max: size - 1 });
const messageIndex = fc.integer({ min: 0, max: MESSAGES - 1 });

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: byteAt.map((at) => ({ kind: 'truncate', at, apply: (e: Export) => e.bytes.subarray(0, at) })) },
  {
    weight: 3,
    arbitrary: fc.tuple(byteAt, fc.integer({ min: 0, max: 255 })).map(([at, value]) => ({
      kind: 'flip',
      at,
      apply: (e: Export) => {
        const copy = Buffer.from(e.bytes);
        copy[at] = copy[at] === value ? (value + 1) % 256 : value;
        return copy;
      },
    })),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(byteAt, fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([at, inserted]) => ({
      kind: 'insert',
      at,
      apply: (e: Export) => Buffer.concat([e.bytes.subarray(0, at), Buffer.from(inserted), e.bytes.subarray(at)]),
    })),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(byteAt, fc.integer({ min: 1, max: 64 })).map(([at, n]) => ({
      kind: 'delete',
      at,
      apply: (e: Export) => Buffer.concat([e.bytes.subarray(0, at), e.bytes.subarray(Math.min(size, at + n))]),
    })),
  },
  {
    weight: 3,
    arbitrary: fc.tuple(messageIndex, fc.constantFrom(...TYPED), fc.constantFrom(...WRONG_VALUES)).map(([i, field, value]) => ({
      kind: `wrong-type ${field}=${JSON.stringify(value)}`,
      at: original.ranges[i]!.start,
      // Some replacements are still valid (an empty embed, an empty reactions list, a string where one is expected).
      mustFail:
        (REQUIRED as readonly string[]).includes(field) &&
        (typeof value !== 'string' || field === 'id' || field === 'timestamp' || field === 'author.id'),
      apply: () => {
        const m = messageObject(i);
        setPath(m, field, value, false);
        return withMessage(i, JSON.stringify(m, null, 2));
      },
    })),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(messageIndex, fc.constantFrom(...REQUIRED)).map(([i, field]) => ({
      kind: `remove ${field}`,
      at: original.ranges[i]!.start,
      mustFail: true,
      apply: () => {
        const m = messageObject(i);
        setPath(m, field, undefined, true);
        return withMessage(i, JSON.stringify(m, null, 2));
      },
    })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(messageIndex, fc.constantFrom('id', 'content', 'author', 'reactions'), fc.constantFrom(...WRONG_VALUES, 'dup'))
      .map(([i, key, value]) => ({
        kind: `duplicate ${key}`,
        at: original.ranges[i]!.start,
        apply: () => {
          const text = JSON.stringify(messageObject(i), null, 2);
          return withMessage(i, `{\n  ${JSON.stringify(key)}: ${JSON.stringify(value)},${text.slice(1)}`);
        },
      })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(messageIndex, fc.constantFrom('content', 'author.name', 'unknownField'), fc.integer({ min: 2, max: 5 }))
      .map(([i, field, mib]) => ({
        kind: `huge ${field} ${mib} MiB`,
        at: original.ranges[i]!.start,
        apply: () => {
          const m = messageObject(i);
          setPath(m, field, `${field === 'content' ? String(m.content) : ''}${'é"\\x'.repeat((mib * 1024 * 1024) / 5)}`, false);
          return withMessage(i, JSON.stringify(m, null, 2));
        },
      })),
  },
);

describe('DiscordChatExporter import of randomly mutated exports', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-dce-fuzz-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('imports or rejects with the file, line and byte; keeps every message before the mutation; never crashes', {
    timeout: 60_000,
  }, async () => {
    const lastByte = original.bytes.toString('latin1').trimEnd().length;
    let run = 0;
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(mutation, fc.constantFrom(97, 4096, 1024 * 1024), async (m, chunkSize) => {
        const file = path.join(dir, `export-${run++}.json`);
        fs.writeFileSync(file, m.apply(original));
        const temp = createTempDb();
        try {
          const deps = { db: temp.db, clock: new ManualClock(NOW) };
          let failure: unknown = null;
          try {
            // Tiny chunks split every token across reads; a multi-MiB string is read in ordinary 64 KiB+ chunks.
            await importExportFile(deps, file, {
              chunkSize: m.kind.startsWith('huge') ? Math.max(chunkSize, 65536) : chunkSize,
              batchSize: 5,
            });
          } catch (error) {
            failure = error;
          }
          const outcome = `${m.kind.split(' ')[0]} ${failure ? 'rejected' : 'imported'}`;
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
          if (failure !== null) {
            // Only the importer's own error, naming the file and where in it the problem is.
            expect(failure, String((failure as Error)?.stack ?? failure)).toBeInstanceOf(ImportError);
            const error = failure as ImportError;
            expect(error.message.startsWith(`${file}:${error.line}: `)).toBe(true);
            expect(error.byteOffset).toEqual(expect.any(Number));
            expect(error.line).toBeGreaterThanOrEqual(1);
            expect(error.message).toMatch(/\(byte [\d,]+\)$/);
          }
          // A file cut before its end cannot be imported as if it were whole; a field made invalid cannot pass.
          if (m.kind === 'truncate' && m.at < lastByte) expect(failure).not.toBeNull();
          if (m.mustFail) expect(failure, m.kind).not.toBeNull();

          const kept = new Set(
            temp.db.$client
              .prepare<[string], { message_id: string }>("SELECT DISTINCT message_id FROM shares WHERE guild_id = ? AND source = 'import'")
              .all(GUILD)
              .map((r) => r.message_id),
          );
          const before = original.ranges.flatMap((r, i) => (r.end <= m.at ? [original.messageIds[i]!] : []));
          for (const id of before) expect(kept.has(id), `message ${id} before byte ${m.at} (${m.kind})`).toBe(true);
          if (failure instanceof ImportError) expect(failure.messagesKept).toBeGreaterThanOrEqual(before.length);
          expect(temp.db.$client.pragma('integrity_check', { simple: true })).toBe('ok');
          expect(temp.db.$client.inTransaction).toBe(false);

          // The database is still usable: the intact export imports completely on top of what was kept.
          const intact = path.join(dir, `intact-${run}.json`);
          fs.writeFileSync(intact, original.bytes);
          await importExportFile(deps, intact);
          const all = temp.db.$client
            .prepare<[], { n: number }>("SELECT count(DISTINCT message_id) AS n FROM shares WHERE source = 'import'")
            .get()!.n;
          expect(all).toBeGreaterThanOrEqual(MESSAGES);
        } finally {
          temp.cleanup();
          fs.rmSync(file, { force: true });
        }
      }),
      { seed: 0x9dce, numRuns: 150, endOnFailure: true },
    );
    if (process.env.DCE_FUZZ_STATS) console.log(Object.fromEntries(outcomes));
    // Both outcomes happen, and most mutation kinds were exercised (the seed is fixed, so this is stable).
    const kinds = new Set([...outcomes.keys()].map((k) => k.split(' ')[0]));
    expect(kinds.size).toBeGreaterThanOrEqual(7);
    expect([...outcomes.keys()].some((k) => k.endsWith('rejected'))).toBe(true);
    expect([...outcomes.keys()].some((k) => k.endsWith('imported'))).toBe(true);
  });
});
