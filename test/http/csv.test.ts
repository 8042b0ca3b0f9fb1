import { describe, expect, it } from 'vitest';
import type { TopCreators } from '../../src/analytics/types';
import { topCreatorsCsv } from '../../src/discord/csv-export';
import { csvCell, toCsv } from '../../src/http/csv';

describe('CSV rendering', () => {
  it('quotes commas, quotes and line breaks', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"');
    expect(csvCell('plain')).toBe('plain');
  });

  it('neutralises text that a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe('"\'=HYPERLINK(""http://evil"",""x"")"');
    expect(csvCell('+1+1')).toBe("'+1+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell('\rcmd')).toBe('"\'\rcmd"');
  });

  it('neutralises a formula behind a line break, a no-break space, U+FEFF, U+200B or in its full-width form', () => {
    for (const text of ['\n=1+1', '\u00A0=1+1', '\uFEFF=1+1', '\u200B=1+1', '\uFF1D1+1', '\uFF0B1', '\uFF201', ' \u200B\u00A0@SUM(A1)']) {
      expect(csvCell(text).replace(/^"/, ''), JSON.stringify(text)).toMatch(/^'/);
    }
    // Leading spaces before ordinary text are nothing to neutralise.
    expect(csvCell('\u00A0Alice')).toBe('\u00A0Alice');
  });

  it('quotes cells with a semicolon, so a semicolon-locale spreadsheet cannot split a formula out of them', () => {
    expect(csvCell('a;=cmd|calc')).toBe('"a;=cmd|calc"');
    expect(csvCell('a; +1')).toBe('"a; +1"');
    expect(csvCell('x;y')).toBe('"x;y"');
  });

  it('is the rule of the /clipstats export too', () => {
    const csv = topCreatorsCsv({
      creators: [{ creator_id: 'c1', creator_name: '\uFEFF=HYPERLINK("x")', top_game: { id: 'g', name: 'a;=1' } }],
    } as unknown as TopCreators);
    const row = csv.split('\r\n')[1] ?? '';
    expect(row).toContain('"\'\uFEFF=HYPERLINK(""x"")"');
    expect(row).toContain('"a;=1"');
  });

  it('keeps numbers as numbers (a negative number is not a formula) and leaves empty cells for nothing', () => {
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(12.5)).toBe('12.5');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(Number.NaN)).toBe('');
  });

  it('writes a header and CRLF-terminated rows', () => {
    const csv = toCsv(
      [
        { header: 'name', value: (r: { n: string; v: number }) => r.n },
        { header: 'views', value: (r) => r.v },
      ],
      [
        { n: 'a, b', v: 1 },
        { n: '=x', v: 2 },
      ],
    );
    expect(csv).toBe('name,views\r\n"a, b",1\r\n\'=x,2\r\n');
  });
});
