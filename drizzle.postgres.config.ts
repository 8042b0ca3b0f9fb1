// drizzle-kit for the PostgreSQL engine: `npm run db:generate:postgres` writes the next migration of
// src/db/schema-postgres into drizzle/postgres/. Triggers and other SQL drizzle cannot express go into a custom
// migration (`drizzle-kit generate --custom --config drizzle.postgres.config.ts --name …`). Never edit a migration
// that has shipped (test/db/migration-files.test.ts pins their hashes).
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema-postgres/index.ts',
  out: './drizzle/postgres',
});
