// Operational state on PostgreSQL: the twin of src/db/schema/ops.ts. digest_posts and backfill_checkpoints are
// guild data (keys begin with guild_id); api_tokens (looked up by token hash before the guild is known),
// job_runs (per job) and identify_slots (per gateway rate-limit key, bot-wide) are small shared tables: reference tables
// under Citus.
import { doublePrecision, index, integer, pgTable, primaryKey, uniqueIndex } from 'drizzle-orm/pg-core';
import { bigCount, identity, millis, text } from './types';

export const digestPosts = pgTable(
  'digest_posts',
  {
    guildId: text('guild_id').notNull(),
    weekStart: millis('week_start').notNull(),
    channelId: text('channel_id').notNull(),
    messageId: text('message_id'),
    status: text('status').$type<'claimed' | 'posted' | 'failed'>().notNull(),
    error: text('error'),
    createdAt: millis('created_at').notNull(),
  },
  (t) => [primaryKey({ name: 'digest_posts_pkey', columns: [t.guildId, t.weekStart] })],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: identity('id').primaryKey(),
    guildId: text('guild_id').notNull(),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    prefix: text('prefix').notNull(),
    createdAt: millis('created_at').notNull(),
    lastUsedAt: millis('last_used_at'),
    revokedAt: millis('revoked_at'),
  },
  (t) => [uniqueIndex('api_tokens_hash_uq').on(t.tokenHash), index('api_tokens_guild_idx').on(t.guildId)],
);

export const backfillCheckpoints = pgTable(
  'backfill_checkpoints',
  {
    guildId: text('guild_id').notNull(),
    channelId: text('channel_id').notNull(),
    beforeMessageId: text('before_message_id'),
    sinceTs: millis('since_ts'),
    messagesScanned: integer('messages_scanned').notNull().default(0),
    sharesFound: integer('shares_found').notNull().default(0),
    completedAt: millis('completed_at'),
    updatedAt: millis('updated_at').notNull(),
  },
  (t) => [primaryKey({ name: 'backfill_checkpoints_pkey', columns: [t.guildId, t.channelId] })],
);

// Keyed by guild first (#24): the same export path imported for two guilds is two runs, never one overwriting the other.
export const importRuns = pgTable(
  'import_runs',
  {
    filePath: text('file_path').notNull(),
    guildId: text('guild_id').notNull(),
    channelId: text('channel_id').notNull(),
    /** Bytes: exports of big servers pass 2 GiB. */
    fileSize: bigCount('file_size').notNull(),
    messagesImported: integer('messages_imported').notNull().default(0),
    lastMessageId: text('last_message_id'),
    completedAt: millis('completed_at'),
    updatedAt: millis('updated_at').notNull(),
    byteOffset: bigCount('byte_offset').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.filePath] })],
);

export const jobRuns = pgTable('job_runs', {
  job: text('job').primaryKey(),
  lastStartedAt: millis('last_started_at'),
  lastFinishedAt: millis('last_finished_at'),
  lastError: text('last_error'),
  lastSummary: text('last_summary'),
});

export const jobLeases = pgTable('job_leases', {
  job: text('job').primaryKey(),
  holder: text('holder').notNull(),
  expiresAt: millis('expires_at').notNull(),
  lastTick: millis('last_tick'),
  takenAt: millis('taken_at').notNull(),
});

export const jobRunHistory = pgTable(
  'job_run_history',
  {
    id: identity('id').primaryKey(),
    job: text('job').notNull(),
    tick: millis('tick'),
    holder: text('holder').notNull(),
    startedAt: millis('started_at').notNull(),
    finishedAt: millis('finished_at'),
    error: text('error'),
  },
  (t) => [index('job_run_history_job_idx').on(t.job, t.id)],
);

export const identifySlots = pgTable('identify_slots', {
  rateLimitKey: integer('rate_limit_key').primaryKey(),
  identifiedAt: millis('identified_at').notNull(),
  holder: text('holder').notNull(),
  shardId: integer('shard_id').notNull(),
});

/** The twin of SQLite's helix_clip_claims: shared by all guilds (a reference table under Citus). */
export const helixClipClaims = pgTable(
  'helix_clip_claims',
  {
    clipId: text('clip_id').primaryKey(),
    holder: text('holder').notNull(),
    host: text('host').notNull(),
    pid: integer('pid').notNull(),
    expiresAt: millis('expires_at').notNull(),
  },
  (t) => [index('helix_clip_claims_holder_idx').on(t.holder)],
);

/** The twin of SQLite's helix_budgets: one bucket per Twitch client id (a reference table under Citus). */
export const helixBudgets = pgTable('helix_budgets', {
  clientId: text('client_id').primaryKey(),
  points: doublePrecision('points').notNull(),
  refilledAt: millis('refilled_at').notNull(),
  lastGrant: integer('last_grant').notNull().default(0),
});
