// drizzle-kit's default config (`npx drizzle-kit generate --name …` with no --config) is SQLite's, so that command
// keeps writing to drizzle/sqlite/. PostgreSQL: `npm run db:generate:postgres`; both: `npm run db:generate`.
export { default } from './drizzle.sqlite.config';
