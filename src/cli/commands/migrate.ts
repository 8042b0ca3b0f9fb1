// `clipscope migrate`: creates or upgrades the database schema and exits.
import { loadConfig } from '../../config';
import { closeDatabase, openDatabase } from '../../db/client';
import type { CliCommand } from '../command';

export const migrateCommand: CliCommand = {
  name: 'migrate',
  summary: 'Create or upgrade the database schema (npm start also does this)',
  help: `Usage: clipscope migrate [--database PATH]

Applies every pending migration in drizzle/sqlite/ to the database.

Options:
  --database PATH   SQLite file (default: DATABASE_PATH, ./data/clipscope.db)`,
  options: { database: { type: 'string' } },
  async run({ values }, io) {
    const config = loadConfig(io.env);
    const path = typeof values.database === 'string' ? values.database : config.DATABASE_PATH;
    const db = openDatabase({ path });
    closeDatabase(db);
    io.stdout.write(`Database ready: ${path}\n`);
    return 0;
  },
};
