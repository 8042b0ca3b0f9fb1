// `clipscope migrate`: creates or upgrades the database schema and exits.
import type { CliCommand } from '../command';
import { closeCommandDatabase, openCommandDatabase } from '../database';

export const migrateCommand: CliCommand = {
  name: 'migrate',
  summary: 'Create or upgrade the database schema (npm start also does this)',
  help: `Usage: clipscope migrate [--database PATH|URL]

Applies every pending migration to the database: drizzle/sqlite/ to a SQLite file, drizzle/postgres/ to a
PostgreSQL database (DATABASE_URL, or a postgres:// URL given with --database).

Options:
  --database PATH   SQLite file or postgres:// URL (default: DATABASE_URL, else DATABASE_PATH)`,
  options: { database: { type: 'string' } },
  async run({ values }, io) {
    const db = await openCommandDatabase(io, values.database, { command: 'migrate', needs: [], create: true });
    await closeCommandDatabase(db);
    io.stdout.write(`Database ready: ${db.location}\n`);
    return 0;
  },
};
