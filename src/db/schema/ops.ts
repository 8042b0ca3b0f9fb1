// Operational state: digests posted, HTTP API tokens, history crawl and import progress, background jobs' last runs.
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Weekly digests already posted: exactly one per guild and ISO week, even across restarts or instances. */
export const digestPosts = sqliteTable(
  'digest_posts',
  {
    guildId: text('guild_id').notNull(),
    /** Start of the covered ISO week in the guild's timezone, epoch ms. */
    weekStart: integer('week_start').notNull(),
    channelId: text('channel_id').notNull(),
    messageId: text('message_id'),
    status: text('status', { enum: ['claimed', 'posted', 'failed'] }).notNull(),
    error: text('error'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.weekStart] })],
);

/** HTTP API tokens: stored only as a SHA-256 hash; each scoped to exactly one guild. */
export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    guildId: text('guild_id').notNull(),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    /** First characters of the token, to tell tokens apart in listings. */
    prefix: text('prefix').notNull(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [uniqueIndex('api_tokens_hash_uq').on(t.tokenHash), index('api_tokens_guild_idx').on(t.guildId)],
);

/** Resumable history crawls: the oldest message reached per guild and channel. */
export const backfillCheckpoints = sqliteTable(
  'backfill_checkpoints',
  {
    guildId: text('guild_id').notNull(),
    channelId: text('channel_id').notNull(),
    /** The oldest message id processed so far; the crawl continues with before=this. */
    beforeMessageId: text('before_message_id'),
    /** Stop when messages are older than this (epoch ms), if set. */
    sinceTs: integer('since_ts'),
    messagesScanned: integer('messages_scanned').notNull().default(0),
    sharesFound: integer('shares_found').notNull().default(0),
    completedAt: integer('completed_at'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.channelId] })],
);

/**
 * Files imported from DiscordChatExporter: how far each got, per guild, so an interrupted import can resume. A run of
 * one guild's export never overwrites another guild's run of a file at the same path.
 */
export const importRuns = sqliteTable(
  'import_runs',
  {
    guildId: text('guild_id').notNull(),
    filePath: text('file_path').notNull(),
    channelId: text('channel_id').notNull(),
    fileSize: integer('file_size').notNull(),
    messagesImported: integer('messages_imported').notNull().default(0),
    lastMessageId: text('last_message_id'),
    completedAt: integer('completed_at'),
    updatedAt: integer('updated_at').notNull(),
    /** Byte offset just after the last committed message: an interrupted import of a multi-GB file seeks here. */
    byteOffset: integer('byte_offset').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.guildId, t.filePath] })],
);

/** Background jobs' last runs and errors, for /clipscope-admin status and /healthz. */
export const jobRuns = sqliteTable('job_runs', {
  job: text('job').primaryKey(),
  lastStartedAt: integer('last_started_at'),
  lastFinishedAt: integer('last_finished_at'),
  lastError: text('last_error'),
  lastSummary: text('last_summary'),
});

/**
 * Who runs each scheduled job now (docs/adr/0024-job-leases-and-process-roles.md): taken with one conditional upsert
 * when expired and not yet run for a later tick, renewed while the job runs, released when it ends.
 */
export const jobLeases = sqliteTable('job_leases', {
  job: text('job').primaryKey(),
  holder: text('holder').notNull(),
  expiresAt: integer('expires_at').notNull(),
  /** The latest scheduled tick (epoch ms) a process took the lease for: no tick runs twice. */
  lastTick: integer('last_tick'),
  takenAt: integer('taken_at').notNull(),
});

/** Every scheduled run (job, tick, holder, start, finish, error), the last runs of each job kept. */
export const jobRunHistory = sqliteTable(
  'job_run_history',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    job: text('job').notNull(),
    /** The scheduled tick, epoch ms; null for a run started by hand. */
    tick: integer('tick'),
    holder: text('holder').notNull(),
    startedAt: integer('started_at').notNull(),
    finishedAt: integer('finished_at'),
    error: text('error'),
  },
  (t) => [index('job_run_history_job_idx').on(t.job, t.id)],
);

/**
 * The gateway identify throttle shared by every bot process and host (docs/adr/0033-identify-slots-in-the-database.md):
 * one row per rate-limit key (shard_id % max_concurrency) with the last IDENTIFY's time, taken with one conditional
 * upsert once it is 5 s old. Bot-wide, not guild data.
 */
export const identifySlots = sqliteTable('identify_slots', {
  rateLimitKey: integer('rate_limit_key').primaryKey(),
  identifiedAt: integer('identified_at').notNull(),
  /** The process that took the slot (host, pid and a random part) and for which shard, for the log and status. */
  holder: text('holder').notNull(),
  shardId: integer('shard_id').notNull(),
});

/**
 * Clips an enrichment process is looking up on Twitch (docs/adr/0034-clip-claims-and-one-helix-budget.md): taken up
 * to 100 at a time with one conditional upsert, released when the batch ends, expiring as a backstop. Keyed by the
 * Twitch clip id, which is fetched once for every guild that shared it: not guild data.
 */
export const helixClipClaims = sqliteTable(
  'helix_clip_claims',
  {
    clipId: text('clip_id').primaryKey(),
    /** The claiming process: host, pid and a random part. */
    holder: text('holder').notNull(),
    /** The holder's host and pid, so a claim of a dead process on the same host is taken over at once. */
    host: text('host').notNull(),
    pid: integer('pid').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('helix_clip_claims_holder_idx').on(t.holder)],
);

/**
 * One Helix rate-limit bucket per Twitch client id, shared by every process of that app: points as of refilled_at,
 * handed out in grants of a few points by one conditional upsert. Not guild data.
 */
export const helixBudgets = sqliteTable('helix_budgets', {
  clientId: text('client_id').primaryKey(),
  points: real('points').notNull(),
  refilledAt: integer('refilled_at').notNull(),
  /** The size of the last grant, read back by the statement that made it. */
  lastGrant: integer('last_grant').notNull().default(0),
});
