// Clipscope's tables and indexes on PostgreSQL, split by domain as src/db/schema is: the same tables and columns,
// in PostgreSQL's types (docs/adr/0007-postgresql-schema.md). drizzle-kit generates drizzle/postgres/ from it
// (drizzle.postgres.config.ts); the name triggers are a custom migration there. Every primary and unique key of
// guild data begins with guild_id, so the tables can be distributed by guild with Citus (docs/operations.md).
export * from './capture';
export * from './clips';
export * from './dashboard';
export * from './feeds';
export * from './hall-of-fame';
export * from './moods';
export * from './ops';
export * from './roles';
export * from './reports';
export * from './settings';
export * from './summaries';
