// The single source of truth for Clipscope's tables and indexes, split by domain; drizzle-kit generates drizzle/sqlite/
// from it (drizzle.sqlite.config.ts). The PostgreSQL twin is src/db/schema-postgres.
// Every analytics row carries guild_id: a guild's data is its own. Times are UTC epoch milliseconds.
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
