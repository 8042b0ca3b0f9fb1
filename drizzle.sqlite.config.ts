// drizzle-kit for the SQLite engine (the embedded default): `npm run db:generate:sqlite` writes the next migration of
// src/db/schema into drizzle/sqlite/. Never edit a migration that has shipped (test/db/migration-files.test.ts pins
// their hashes): an installed database has recorded it as applied.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema/index.ts',
  out: './drizzle/sqlite',
});
