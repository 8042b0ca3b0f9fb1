// `clipscope copy`: copies a Clipscope database into an empty one, either engine to either engine (SQLite to
// PostgreSQL to move an install; PostgreSQL to SQLite with --guild to take one guild home). Resumable and verified;
// the work is src/db/copy.
import { loadConfig } from '../../config';
import { CopyError, copyDatabase, type CopyResult } from '../../db/copy/copy-database';
import type { Db } from '../../db/database';
import { closeDb, databaseTarget, describeTarget, openDb } from '../../db/open';
import { CliError, type CliCommand } from '../command';
import { requireDatabaseFile, storageProblemError } from '../database';
import { createProgress, type Progress } from '../progress';

export const copyCommand: CliCommand = {
  name: 'copy',
  summary: 'Copy the database into an empty one (SQLite → PostgreSQL, or one guild back to SQLite)',
  help: `Usage: clipscope copy --to URL|PATH [--from URL|PATH] [--guild ID] [--batch ROWS]

Copies every table of a Clipscope database into an empty database, in batches, then verifies the copy by row
counts and a checksum per guild. Stop Clipscope (npm start) first: rows written during the copy make the
verification fail. A copy that stops (Ctrl-C, a lost connection) continues where it was when run again with the
same options. The target is created and migrated when needed; a target that already holds data is refused.

Examples:
  clipscope copy --to postgres://clipscope@db.example:5432/clipscope      (from DATABASE_PATH)
  clipscope copy --from postgres://…/clipscope --to ./guild.db --guild 123456789012345678

Options:
  --to URL|PATH     the target: a postgres:// URL or a SQLite file
  --from URL|PATH   the source (default: DATABASE_URL, else DATABASE_PATH)
  --guild ID        copy only this guild's rows (and the shared Twitch rows and API tokens it uses)
  --batch ROWS      rows per batch, 1 to 10000 (default 1000; lower for wide tables)`,
  options: { to: { type: 'string' }, from: { type: 'string' }, guild: { type: 'string' }, batch: { type: 'string' } },
  async run({ values }, io) {
    if (typeof values.to !== 'string' || values.to.trim() === '')
      throw new CliError('--to is required: a postgres:// URL or a SQLite file to copy into', 2);
    const guildId = typeof values.guild === 'string' ? values.guild.trim() : undefined;
    if (guildId !== undefined && !/^\d{17,20}$/.test(guildId))
      throw new CliError(`--guild expects a Discord server id (17 to 20 digits), got "${guildId}"`, 2);
    const batchText = typeof values.batch === 'string' ? values.batch : '1000';
    const batchRows = Number(batchText);
    if (!Number.isInteger(batchRows) || batchRows < 1 || batchRows > 10_000)
      throw new CliError(`--batch expects a whole number of rows from 1 to 10000, got "${batchText}"`, 2);

    const config = loadConfig(io.env);
    const from = databaseTarget(config, typeof values.from === 'string' ? values.from : undefined);
    const to = databaseTarget(config, values.to.trim());
    if (from.engine === 'sqlite') requireDatabaseFile(from.path);
    const opened: Db[] = [];
    const open = async (target: typeof from, role: string): Promise<Db> => {
      try {
        const db = await openDb(target, { poolSize: 2, applicationName: 'clipscope-copy' });
        opened.push(db);
        return db;
      } catch (error) {
        throw storageProblemError(error, describeTarget(target), (problem) => `cannot open the ${role}: ${problem}`) ?? error;
      }
    };
    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    process.once('SIGINT', onSignal);
    let bar: Progress | null = null;
    let barTable = '';
    try {
      const source = await open(from, 'source');
      const target = await open(to, 'target');
      io.stderr.write(`Copying ${source.location} → ${target.location}${guildId ? ` (guild ${guildId})` : ''}\n`);
      const result = await copyDatabase(source, target, {
        guildId,
        batchRows,
        shouldStop: () => stop.signal.aborted,
        // One bar (or, off a terminal, a line every few seconds and one at the end) per table that has rows.
        onProgress: ({ table, copied, total }) => {
          if (table !== barTable) {
            bar?.finish();
            barTable = table;
            bar = total === 0 ? null : createProgress({ label: table, total, unit: 'rows', stream: io.stderr });
            return;
          }
          bar?.update(copied, total);
        },
      });
      (bar as Progress | null)?.finish();
      if (result.stopped) {
        io.stdout.write(`Stopped; run the same command again to continue the copy into ${target.location}.\n`);
        return 130;
      }
      io.stdout.write(report(result, target.location));
      return 0;
    } catch (error) {
      if (error instanceof CopyError) throw new CliError(error.message);
      throw (
        storageProblemError(error, describeTarget(to), (problem) => `${problem}; run the same command again to continue the copy`) ?? error
      );
    } finally {
      process.removeListener('SIGINT', onSignal);
      for (const db of opened) await closeDb(db).catch(() => undefined);
    }
  },
};

function report(result: CopyResult, target: string): string {
  const lines = [`${result.resumed ? 'Finished the copy' : 'Copied'} into ${target}, verified:`];
  const width = Math.max(...result.tables.map((t) => t.name.length));
  for (const t of result.tables) lines.push(`  ${t.name.padEnd(width)}  ${t.rows.toLocaleString('en-US').padStart(12)} rows`);
  const guilds = result.checksums?.target.guilds ?? new Map<string, string>();
  lines.push(guilds.size === 0 ? 'No guild data.' : 'Checksum per guild (the same in the source and the target):');
  for (const [guild, sum] of guilds) lines.push(`  ${guild}  ${sum}`);
  return `${lines.join('\n')}\n`;
}
