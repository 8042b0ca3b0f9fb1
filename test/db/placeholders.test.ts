// `?` and `@name` placeholders rewritten as PostgreSQL's `$n`, leaving strings, identifiers, comments and operators be.
import { describe, expect, it } from 'vitest';
import { PlaceholderError, toPostgresPlaceholders } from '../../src/db/postgres/placeholders';

describe('toPostgresPlaceholders', () => {
  it('numbers positional placeholders in order', () => {
    expect(toPostgresPlaceholders('SELECT * FROM t WHERE a = ? AND b IN (?, ?)')).toEqual({
      text: 'SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)',
      names: null,
      count: 3,
    });
  });

  it('gives each name one number, reused where the name repeats', () => {
    expect(toPostgresPlaceholders('UPDATE t SET a = coalesce(@started, a), b = @error WHERE c = @started AND d = @job_2')).toEqual({
      text: 'UPDATE t SET a = coalesce($1, a), b = $2 WHERE c = $1 AND d = $3',
      names: ['started', 'error', 'job_2'],
      count: 3,
    });
  });

  it('leaves statements without placeholders as they are', () => {
    expect(toPostgresPlaceholders('SELECT 1')).toEqual({ text: 'SELECT 1', names: null, count: 0 });
  });

  it('copies quoted strings, quoted identifiers, comments and dollar-quoted bodies untouched', () => {
    const sql = [
      "SELECT 'what? @no', 'it''s ?', E'back\\'slash ?', \"odd?col@x\" FROM t -- a comment? @no",
      '/* block ? @no */ WHERE x = ? AND y = $$ ? @no $$ AND z = $tag$ ? $tag$ AND w = ?::bigint AND j @> ?::jsonb',
    ].join('\n');
    const { text, count } = toPostgresPlaceholders(sql);
    expect(count).toBe(3);
    expect(text).toBe(
      [
        "SELECT 'what? @no', 'it''s ?', E'back\\'slash ?', \"odd?col@x\" FROM t -- a comment? @no",
        '/* block ? @no */ WHERE x = $1 AND y = $$ ? @no $$ AND z = $tag$ ? $tag$ AND w = $2::bigint AND j @> $3::jsonb',
      ].join('\n'),
    );
  });

  it('refuses a statement that mixes ? and @name, and hand-written $n', () => {
    expect(() => toPostgresPlaceholders('SELECT ? , @name')).toThrow(PlaceholderError);
    expect(() => toPostgresPlaceholders('SELECT @name, ?')).toThrow(/mixes \? and @name/);
    expect(() => toPostgresPlaceholders('SELECT $1')).toThrow(/not \$n/);
  });

  it('refuses unterminated strings and comments rather than guessing', () => {
    expect(() => toPostgresPlaceholders("SELECT 'open ?")).toThrow(/unterminated string/);
    expect(() => toPostgresPlaceholders('SELECT 1 /* open ?')).toThrow(/unterminated comment/);
    expect(() => toPostgresPlaceholders('SELECT $$ open ?')).toThrow(/unterminated dollar-quoted/);
  });

  it('does not take an identifier containing $ or an email-like word for a placeholder', () => {
    expect(toPostgresPlaceholders('SELECT a$b, x FROM t WHERE y = ?')).toEqual({
      text: 'SELECT a$b, x FROM t WHERE y = $1',
      names: null,
      count: 1,
    });
  });
});
