// `clipscope token create|list|revoke`: manage the HTTP API tokens that each open one guild's analytics.
import { z } from 'zod';
import { systemClock } from '../../clock';
import { createAnalytics } from '../../analytics/service';
import { createApiToken, listApiTokens, revokeApiToken, type ApiTokenInfo } from '../../auth/tokens';
import { CliError, type CliCommand } from '../command';
import { missingOnPostgres } from '../../database-engine';
import { closeCommandDatabase, openCommandDatabase } from '../database';

const guildId = z.string().regex(/^\d{17,20}$/, 'a Discord guild id (17 to 20 digits)');
const tokenName = z.string().trim().min(1, 'a name of 1 to 100 characters').max(100, 'a name of 1 to 100 characters');
const tokenId = z.coerce.number().int().positive();

export const tokenCommand: CliCommand = {
  name: 'token',
  summary: 'Create, list or revoke HTTP API tokens (one guild each)',
  help: `Usage:
  clipscope token create --guild ID [--name NAME]   prints the new token alone on stdout (shown only once)
  clipscope token list --guild ID [--json]          the guild's tokens (never the tokens themselves)
  clipscope token revoke TOKEN_ID                   stops the token from working at once

A token opens the analytics API and dashboard of exactly one guild: send it as "Authorization: Bearer <token>".
Only a SHA-256 hash is stored, so a lost token cannot be shown again: create a new one and revoke the old.

Options:
  --guild ID        the Discord guild (server) id
  --name NAME       a label to recognise the token by (default "API token")
  --json            list as JSON
  --database PATH   SQLite file (default: DATABASE_PATH, ./data/clipscope.db)`,
  options: {
    guild: { type: 'string' },
    name: { type: 'string' },
    json: { type: 'boolean' },
    database: { type: 'string' },
  },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    const [action, ...rest] = positionals;
    if (action !== 'create' && action !== 'list' && action !== 'revoke') {
      throw new CliError('expected "create", "list" or "revoke" (see clipscope token --help)', 2);
    }
    const now = systemClock.now();

    const parseGuild = (): string => {
      const parsed = guildId.safeParse(values.guild);
      if (!parsed.success) throw new CliError(`--guild: expected a Discord guild id (17 to 20 digits)`, 2);
      return parsed.data;
    };

    if (action === 'create') {
      const guild = parseGuild();
      let name: string | undefined;
      if (values.name !== undefined) {
        const parsed = tokenName.safeParse(values.name);
        if (!parsed.success) throw new CliError('--name: expected a name of 1 to 100 characters', 2);
        name = parsed.data;
      }
      if (rest.length > 0) throw new CliError(`unexpected argument "${rest[0]}"`, 2);
      const db = await openCommandDatabase(io, values.database, { command: 'token', needs: [] });
      try {
        const created = await createApiToken(db, { guildId: guild, name }, now);
        // The token alone on stdout, so `TOKEN=$(clipscope token create …)` works; the rest goes to stderr.
        io.stdout.write(`${created.token}\n`);
        io.stderr.write(`Created token #${created.id} "${created.name}" for guild ${guild}. It is shown only this once.\n`);
        // A token for a server the database knows nothing of opens an empty dashboard: most likely a mistyped id.
        // (The server list is an analytics read: skipped on PostgreSQL until those reads run there.)
        const canList = db.engine === 'sqlite' || missingOnPostgres(['reads']).length === 0;
        if (canList && !(await createAnalytics(db).guilds()).some((g) => g.guildId === guild))
          io.stderr.write(
            `Warning: this database holds no data for guild ${guild}; the dashboard stays empty until the bot sees it. "clipscope guilds" lists the servers it has.\n`,
          );
      } finally {
        await closeCommandDatabase(db);
      }
      return 0;
    }

    if (action === 'list') {
      const guild = parseGuild();
      const db = await openCommandDatabase(io, values.database, { command: 'token', needs: [] });
      try {
        const tokens = await listApiTokens(db, guild);
        if (values.json === true) {
          io.stdout.write(`${escapeJsonForTerminal(JSON.stringify(tokens.map(toJson), null, 2))}\n`);
        } else if (tokens.length === 0) {
          io.stdout.write(`No tokens for guild ${guild}. Create one with: clipscope token create --guild ${guild}\n`);
        } else {
          io.stdout.write(formatTable(tokens));
        }
      } finally {
        await closeCommandDatabase(db);
      }
      return 0;
    }

    const parsedId = tokenId.safeParse(rest[0]);
    if (!parsedId.success || rest.length !== 1) throw new CliError('expected one token id, e.g. clipscope token revoke 3', 2);
    const db = await openCommandDatabase(io, values.database, { command: 'token', needs: [] });
    try {
      const result = await revokeApiToken(db, parsedId.data, now);
      if (result === 'not_found') throw new CliError(`no token #${parsedId.data}; see clipscope token list --guild ID`);
      io.stdout.write(result === 'revoked' ? `Revoked token #${parsedId.data}.\n` : `Token #${parsedId.data} was already revoked.\n`);
    } finally {
      await closeCommandDatabase(db);
    }
    return 0;
  },
};

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function toJson(t: ApiTokenInfo): Record<string, unknown> {
  return {
    id: t.id,
    guild_id: t.guildId,
    name: t.name,
    prefix: t.prefix,
    created_at: iso(t.createdAt),
    last_used_at: iso(t.lastUsedAt),
    revoked_at: iso(t.revokedAt),
  };
}

/**
 * Characters a terminal acts on or that reorder what it shows: C0 and C1 controls (ESC, the 8-bit CSI U+009B, …), DEL,
 * and the bidirectional marks, overrides and isolates. Token names come from whoever created the token (also from
 * Discord). JSON.stringify escapes C0 itself, not the others.
 */
const TERMINAL_UNSAFE = /[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
const JSON_TERMINAL_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const asEscape = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Shows each unsafe character of a name as a \u escape: `token list` prints names as text, never as terminal commands. */
export function escapeForTerminal(text: string): string {
  return text.replace(TERMINAL_UNSAFE, asEscape);
}

/** The same for JSON text: the escapes are JSON's own, so the output still parses to the stored names. */
function escapeJsonForTerminal(json: string): string {
  return json.replace(JSON_TERMINAL_UNSAFE, asEscape);
}

function formatTable(tokens: ApiTokenInfo[]): string {
  const rows = tokens.map((t) => [
    `#${t.id}`,
    escapeForTerminal(t.name),
    `${t.prefix}…`,
    iso(t.createdAt)?.slice(0, 16).replace('T', ' ') ?? '',
    t.lastUsedAt === null ? 'never' : (iso(t.lastUsedAt)?.slice(0, 16).replace('T', ' ') ?? ''),
    t.revokedAt === null ? 'active' : 'revoked',
  ]);
  const header = ['ID', 'NAME', 'TOKEN', 'CREATED (UTC)', 'LAST USED', 'STATUS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
