// One statement text for both engines: stores write `?` (positional) or `@name` (named) placeholders, which SQLite
// binds itself; for PostgreSQL they become `$1, $2, …` here, once per distinct text. Quoted strings, quoted
// identifiers, dollar-quoted bodies and comments are copied as they are, and `::` casts, `@>` and `?|` stay operators
// only where no placeholder could be meant (a `?` is always a placeholder: the jsonb `?` operators are not used).

/** A statement text rewritten for PostgreSQL: the text with `$n`, and for named placeholders the name of each `$n`. */
export interface PostgresStatement {
  readonly text: string;
  /** null for positional (`?`) statements and statements without placeholders; else the name bound to `$i+1`. */
  readonly names: readonly string[] | null;
  /** How many `$n` the text has. */
  readonly count: number;
}

export class PlaceholderError extends Error {
  constructor(message: string, sql: string) {
    super(`${message} in: ${sql.length > 200 ? `${sql.slice(0, 200)}…` : sql}`);
    this.name = 'PlaceholderError';
  }
}

const identifierStart = /[A-Za-z_]/;
const identifierPart = /[A-Za-z0-9_]/;

/** Rewrites `?` and `@name` placeholders as `$n`; throws when one text mixes both kinds. */
export function toPostgresPlaceholders(sql: string): PostgresStatement {
  let out = '';
  let positional = 0;
  const names: string[] = [];
  const indexOfName = new Map<string, number>();
  let i = 0;
  let copiedFrom = 0;
  const n = sql.length;
  while (i < n) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"') {
      // A quoted string or identifier; a doubled quote inside is an escaped quote.
      i++;
      while (i < n) {
        if (sql[i] === ch) {
          if (sql[i + 1] === ch) i += 2;
          else break;
        } else i++;
      }
      if (i >= n) throw new PlaceholderError(`unterminated ${ch === "'" ? 'string' : 'quoted identifier'}`, sql);
      i++;
    } else if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? n : end + 1;
    } else if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end === -1) throw new PlaceholderError('unterminated comment', sql);
      i = end + 2;
    } else if (ch === '$' && (i === 0 || !identifierPart.test(sql[i - 1]!))) {
      // A dollar-quoted body ($$…$$ or $tag$…$tag$); `$1` written by hand is refused below.
      const tagEnd = sql.indexOf('$', i + 1);
      const tag = tagEnd === -1 ? null : sql.slice(i, tagEnd + 1);
      if (tag !== null && /^\$([A-Za-z_][A-Za-z0-9_]*)?\$$/.test(tag)) {
        const close = sql.indexOf(tag, tagEnd + 1);
        if (close === -1) throw new PlaceholderError('unterminated dollar-quoted string', sql);
        i = close + tag.length;
      } else if (/[0-9]/.test(sql[i + 1] ?? '')) {
        throw new PlaceholderError('write placeholders as ? or @name, not $n', sql);
      } else i++;
    } else if (ch === '?') {
      if (names.length > 0) throw new PlaceholderError('a statement mixes ? and @name placeholders', sql);
      out += `${sql.slice(copiedFrom, i)}$${++positional}`;
      i++;
      copiedFrom = i;
    } else if (ch === '@' && identifierStart.test(sql[i + 1] ?? '')) {
      if (positional > 0) throw new PlaceholderError('a statement mixes ? and @name placeholders', sql);
      let end = i + 2;
      while (end < n && identifierPart.test(sql[end]!)) end++;
      const name = sql.slice(i + 1, end);
      let index = indexOfName.get(name);
      if (index === undefined) {
        names.push(name);
        index = names.length;
        indexOfName.set(name, index);
      }
      out += `${sql.slice(copiedFrom, i)}$${index}`;
      i = end;
      copiedFrom = i;
    } else if (identifierPart.test(ch)) {
      // Skip a whole word, so that an `@` or `$` inside an identifier is not taken for a placeholder.
      const start = i;
      i++;
      while (i < n && (identifierPart.test(sql[i]!) || sql[i] === '$')) i++;
      if (i === start + 1 && (ch === 'E' || ch === 'e') && sql[i] === "'") {
        // An escape string constant, E'…', where a backslash escapes the next character.
        i++;
        while (i < n && sql[i] !== "'") i += sql[i] === '\\' ? 2 : 1;
        if (i >= n) throw new PlaceholderError('unterminated string', sql);
        i++;
      }
    } else i++;
  }
  out += sql.slice(copiedFrom);
  return { text: out, names: names.length > 0 ? names : null, count: names.length > 0 ? names.length : positional };
}
