// Empties every table of a test database (the migrations' own bookkeeping excepted), on either engine: a test file
// opens one database per engine and starts each test from an empty one.
import type { Db } from '../../src/db/database';
import { dialect, queries } from '../../src/db/sql';

export async function clearTables(db: Db): Promise<void> {
  const names = await queries(db).all<{ name: string }>(
    dialect(db, {
      sqlite: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%'",
      postgres: "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE '__drizzle%'",
    }),
  );
  if (db.engine === 'postgres') {
    // Only the tables that hold rows: a TRUNCATE of every table costs seconds on a loaded server, of a few, little.
    const filled = await queries(db).all<{ name: string }>(
      names.map((n) => `SELECT '${n.name}' AS name WHERE EXISTS (SELECT 1 FROM "${n.name}")`).join(' UNION ALL '),
    );
    if (filled.length > 0) await queries(db).run(`TRUNCATE ${filled.map((n) => `"${n.name}"`).join(', ')}`);
    return;
  }
  for (const { name } of names) await queries(db).run(`DELETE FROM "${name}"`);
}
