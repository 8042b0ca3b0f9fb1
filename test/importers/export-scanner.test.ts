import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExportScanner, ExportSyntaxError } from '../../src/importers/export-scanner';

function scan(text: string, chunkSizes: number[]): { header: Record<string, unknown>; messages: unknown[] } {
  const bytes = Buffer.from(text, 'utf8');
  let header: Record<string, unknown> = {};
  const messages: unknown[] = [];
  const scanner = new ExportScanner({
    onHeader: (h) => {
      header = { ...h };
    },
    onMessage: (json, start, end) => {
      expect(bytes.subarray(start, end).toString('utf8')).toBe(json);
      messages.push(JSON.parse(json));
    },
  });
  let position = 0;
  let k = 0;
  while (position < bytes.length) {
    const size = Math.max(1, chunkSizes[k++ % chunkSizes.length] ?? 1);
    // Copy into a reused buffer, as the importer does, to prove the scanner keeps no views of old chunks.
    const chunk = Buffer.alloc(size);
    const n = bytes.copy(chunk, 0, position, position + size);
    position = scanner.push(chunk.subarray(0, n), position);
  }
  scanner.end(bytes.length);
  return { header, messages };
}

const jsonValue = fc.jsonValue({ maxDepth: 3 });
const text = fc.string({ unit: fc.constantFrom('a', '"', '\\', '{', '}', '[', ']', ',', ':', 'é', '😂', '\n', ' ', '\u0000') });

describe('ExportScanner', () => {
  it('hands over the header and every message exactly as JSON.parse reads them, whatever the chunk sizes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ id: fc.string(), content: text, extra: jsonValue }), { maxLength: 8 }),
        fc.record({ guild: jsonValue, channel: jsonValue, exportedAt: text }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 2 }),
        (messages, header, chunks, indent) => {
          const doc = JSON.stringify({ ...header, messages, messageCount: messages.length }, null, indent);
          const result = scan(doc, chunks);
          expect(result.messages).toEqual(JSON.parse(JSON.stringify(messages)));
          expect(result.header).toEqual(JSON.parse(JSON.stringify(header)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects every truncation of a valid export', () => {
    const doc = JSON.stringify(
      { guild: { id: '1' }, channel: { id: '2' }, messages: [{ id: '3', content: 'a "b" \\ c' }, { id: '4' }], messageCount: 2 },
      null,
      2,
    );
    for (let cut = 0; cut < doc.length - 1; cut++) {
      expect(() => scan(doc.slice(0, cut), [5])).toThrow(ExportSyntaxError);
    }
    expect(scan(doc, [5]).messages).toHaveLength(2);
  });

  it('hands over messages much larger than a chunk intact, with small and large messages mixed', () => {
    // Larger than the scanner's initial work buffer, so it grows, shifts and is released across reads.
    const piece = 'héllo "quoted" \\ back\nslash 😂 {[,:]} ';
    const messages = [150_000, 12, 300_000, 70_000, 5_000_000, 3].map((length, i) => ({
      id: String(i),
      content: piece.repeat(Math.ceil(length / piece.length)).slice(0, length),
    }));
    const doc = JSON.stringify({ guild: { id: '1' }, messages }, null, 1);
    for (const chunks of [[1000, 7, 65_537, 4096], [1_048_576], [333]]) {
      expect(scan(doc, chunks).messages).toEqual(messages);
    }
  });
});
