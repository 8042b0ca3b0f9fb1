// `clipscope guilds`: every Discord server the database holds, with the id the other commands' --guild takes.
import { createAnalytics, type GuildListing } from '../../analytics/service';
import type { CliCommand } from '../command';
import { closeCommandDatabase, openCommandDatabase } from '../database';

export const guildsCommand: CliCommand = {
  name: 'guilds',
  summary: 'List the Discord servers in the database: id, name, clips, last activity',
  help: `Usage: clipscope guilds [--json] [--database PATH]

Lists every server the database holds data of, most clips first: its id (what --guild takes), its name
(when the bot has seen the server), its clips and shares, and when anything last happened there.

Options:
  --json            One JSON array instead of a table
  --database PATH   SQLite file or postgres:// URL (default: DATABASE_URL, else DATABASE_PATH)`,
  options: { json: { type: 'boolean' }, database: { type: 'string' } },
  async run({ values }, io) {
    const db = await openCommandDatabase(io, values.database, { command: 'guilds', needs: ['reads'] });
    let guilds: GuildListing[];
    try {
      guilds = await createAnalytics(db).guilds();
    } finally {
      await closeCommandDatabase(db);
    }
    if (values.json === true) {
      const rows = guilds.map((g) => ({
        guild_id: g.guildId,
        name: g.name,
        clips: g.clips,
        shares: g.shares,
        last_activity_at: g.lastActivityAt === null ? null : new Date(g.lastActivityAt).toISOString(),
      }));
      io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    if (guilds.length === 0) {
      io.stdout.write(`No servers in ${db.location} yet: run the bot, or "clipscope import" an export.\n`);
      return 0;
    }
    const rows = [
      ['GUILD ID', 'NAME', 'CLIPS', 'SHARES', 'LAST ACTIVITY'],
      ...guilds.map((g) => [
        g.guildId,
        g.name ?? '(name not seen yet)',
        g.clips.toLocaleString('en-US'),
        g.shares.toLocaleString('en-US'),
        g.lastActivityAt === null ? '—' : `${new Date(g.lastActivityAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      ]),
    ];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    const numeric = [false, false, true, true, false];
    for (const row of rows)
      io.stdout.write(
        `${row
          .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
          .join('  ')
          .trimEnd()}\n`,
      );
    return 0;
  },
};
