// The PostgreSQL text of a read written for SQLite's planner: its hints go, the rest of the statement stays as written.
import { describe, expect, it } from 'vitest';
import { postgresText, textArray } from '../../src/db/analytics/postgres-text';

describe('postgresText', () => {
  it('drops unary plus hints, INDEXED BY and the ON of a CROSS JOIN, and nothing else', () => {
    expect(
      postgresText(
        `SELECT min(+s.posted_at), +c.view_count FROM clips c INDEXED BY clips_unnamed_game_idx
          CROSS JOIN shares s ON s.clip_id = c.clip_id CROSS JOIN b
         WHERE +c.clip_created_at >= @start AND c.x = +r.y LIMIT @limit + @skip`,
      ),
    ).toBe(
      `SELECT min(s.posted_at), c.view_count FROM clips c
          JOIN shares s ON s.clip_id = c.clip_id CROSS JOIN b
         WHERE c.clip_created_at >= @start AND c.x = r.y LIMIT @limit + @skip`,
    );
  });

  it('leaves additions, string literals without hints and plain joins alone', () => {
    const sql = "SELECT a + b.c, 'x+y' FROM t JOIN u ON u.id = t.id WHERE n = 1 + 2";
    expect(postgresText(sql)).toBe(sql);
  });

  it('writes a text[] literal with every element quoted and escaped', () => {
    expect(textArray(['a', 'b"c', 'd\\e', ''])).toBe('{"a","b\\"c","d\\\\e",""}');
    expect(textArray([])).toBe('{}');
  });
});
