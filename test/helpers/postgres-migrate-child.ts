// A process that migrates the PostgreSQL database at argv[2] and exits: the concurrent-start test runs several.
import pg from 'pg';
import { migratePostgres } from '../../src/db/schema-postgres/migrate';

const pool = new pg.Pool({ connectionString: process.argv[2], max: 2 });
try {
  await migratePostgres(pool);
} finally {
  await pool.end();
}
