// The one place that reads process.env: every setting parsed and checked once by a zod schema.
import cron from 'node-cron';
import { z } from 'zod';
import { isValidTimeZone } from './analytics/periods';
import { DEFAULT_DATABASE_CACHE_MB } from './db/client';
import { DIGEST_CHECK_CRON } from './digest/weekly';
import { MAX_SHARD_COUNT, parseShardIds, type ShardCountSetting, type ShardIdsSetting } from './discord/shard-plan';
import { ClipscopeError } from './errors';

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

/** Checked by the scheduler's own parser, so a value that passes here (e.g. not `61 * * * *`) is one it can run. */
const cronExpression = z
  .string()
  .trim()
  .regex(/^(\S+\s+){4,5}\S+$/, 'a cron expression with 5 or 6 fields, e.g. "15 3 * * *"')
  .refine((v) => cron.validate(v), 'a valid cron expression (each field in its range, steps of at least 1), e.g. "15 3 * * *"');

const timezone = z.string().trim().refine(isValidTimeZone, 'an IANA timezone such as "UTC" or "Europe/Berlin"');

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * A whole number within bounds, written in plain decimal digits (not 0x1F90, 1e3 or 12.0, which a number coercion
 * would accept), with a message that says so whatever the mistake.
 */
function wholeNumber(min: number, max: number) {
  const expected = { error: `a whole number from ${min} to ${max}` };
  return z
    .string(expected)
    .trim()
    .regex(/^\d{1,16}$/, expected)
    .transform(Number)
    .pipe(z.number().int(expected).min(min, expected).max(max, expected));
}

const port = wholeNumber(0, 65535);

/** A Discord snowflake (an application, client or guild id). */
const snowflakeId = z
  .string()
  .trim()
  .regex(/^\d{17,20}$/, { error: 'a Discord id (17 to 20 digits), e.g. the application id from the developer portal' })
  .optional();

/** The dashboard's public base URL: http(s), no path beyond "/", no query or fragment; kept without a trailing slash. */
const publicUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const url = new URL(v);
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.search === '' && url.hash === '' && !url.username;
    } catch {
      return false;
    }
  }, 'an http(s) URL without query or fragment, e.g. https://clipscope.example.com')
  .transform((v) => v.replace(/\/+$/, ''))
  .optional();

/** DISCORD_SHARD_COUNT: `auto` (Discord's recommendation, read at start) or the total shard count of every host. */
const shardCount = z
  .string()
  .trim()
  .regex(/^(auto|\d{1,5})$/, { error: `"auto" or a whole number of shards from 1 to ${MAX_SHARD_COUNT}` })
  .transform((v): ShardCountSetting => (v === 'auto' ? 'auto' : Number(v)))
  .refine((v) => v === 'auto' || (v >= 1 && v <= MAX_SHARD_COUNT), {
    error: `"auto" or a whole number of shards from 1 to ${MAX_SHARD_COUNT}`,
  });

/** DISCORD_SHARD_IDS: `all`, or the shards this host runs (`0-3`, `4,5`). */
const shardIds = z
  .string()
  .trim()
  .transform((v, ctx): ShardIdsSetting => {
    const parsed = parseShardIds(v);
    if ('ids' in parsed) return parsed.ids;
    ctx.issues.push({ code: 'custom', message: parsed.problem, input: v });
    return z.NEVER;
  });

/** What one process does (docs/operations.md#process-roles): capture and commands, the HTTP API, scheduled jobs. */
export const PROCESS_ROLES = ['bot', 'http', 'jobs'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

/** ROLES: a comma list of bot, http and jobs (each once, in any order), kept in the order of PROCESS_ROLES. */
const processRoles = z
  .string()
  .trim()
  .transform((v, ctx): ProcessRole[] => {
    const names = v.split(',').map((n) => n.trim().toLowerCase());
    const unknown = names.filter((n) => !(PROCESS_ROLES as readonly string[]).includes(n));
    if (unknown.length > 0) {
      ctx.issues.push({
        code: 'custom',
        message: `a comma list of ${PROCESS_ROLES.join(', ')} (e.g. "bot,jobs"), not ${unknown.map((n) => `"${n}"`).join(', ')}`,
        input: v,
      });
      return z.NEVER;
    }
    return PROCESS_ROLES.filter((role) => names.includes(role));
  });

/** SMTP_URL: smtp://user:password@host:587 or smtps://…:465 (user and password URL-encoded). */
const smtpUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const url = new URL(v);
      return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '' && url.pathname.replace(/\/+$/, '') === '';
    } catch {
      return false;
    }
  }, 'an smtp:// or smtps:// URL such as smtps://user:password@mail.example.com:465')
  .optional();

/** REPORT_FROM: the sender of report emails, `reports@example.com` or `Clipscope <reports@example.com>`. */
const mailbox = z
  .string()
  .trim()
  .max(320)
  .regex(/^(?:[^<>\r\n]{1,100} )?<?[^\s@<>]{1,64}@[^\s@<>]{1,255}>?$/, {
    error: 'an email address such as reports@example.com or "Clipscope <reports@example.com>"',
  })
  .optional();

export const configSchema = z.object({
  /** auto: readable lines on a terminal, JSON lines otherwise (a file, journald, a log shipper). */
  LOG_FORMAT: z.enum(['auto', 'pretty', 'json']).default('auto'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** What this process runs: `bot` (gateway capture, slash commands), `http` (API, dashboard), `jobs` (the scheduler). */
  ROLES: processRoles.default([...PROCESS_ROLES]),
  /**
   * How long a job's lease lasts unless its holder renews it: a killed `jobs` process's job is taken over by another
   * after this (docs/adr/0024-job-leases-and-process-roles.md).
   */
  JOB_LEASE_SECONDS: wholeNumber(2, 3600).default(60),
  DATABASE_PATH: z.string().trim().min(1).default('./data/clipscope.db'),
  /** postgres://user:password@host:5432/db (sslmode=… honoured) selects PostgreSQL instead of the SQLite file. */
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^postgres(ql)?:\/\//i, { error: 'a postgres:// or postgresql:// URL' })
    .optional(),
  /** PostgreSQL connections per process at most. */
  DATABASE_POOL_SIZE: wholeNumber(1, 1000).default(20),
  /** PostgreSQL cancels a statement that runs longer; 0 = never. */
  DATABASE_STATEMENT_TIMEOUT_MS: wholeNumber(0, 3_600_000).default(30_000),
  /** How long a caller waits for a free PostgreSQL connection before a clear error. */
  DATABASE_ACQUIRE_TIMEOUT_MS: wholeNumber(100, 600_000).default(10_000),
  /**
   * SQLite's page cache per connection, in MB (PRAGMA cache_size); a process holds one connection per role thread
   * (docs/operations.md#memory). Not used on PostgreSQL, whose cache is the server's shared_buffers.
   */
  DATABASE_CACHE_MB: wholeNumber(1, 4096).default(DEFAULT_DATABASE_CACHE_MB),

  DISCORD_TOKEN: optionalText,
  DISCORD_API_BASE_URL: z.url({ error: 'an http(s) URL such as https://discord.com/api' }).default('https://discord.com/api'),
  DISCORD_APPLICATION_ID: optionalText,
  DISCORD_DEV_GUILD_ID: optionalText,
  /** Total gateway shards of the bot across every host: `auto` asks Discord (GET /gateway/bot) at start. */
  DISCORD_SHARD_COUNT: shardCount.default('auto'),
  /** The shards this host runs: `all`, or ids and ranges (`0-3`, `4,5`); several hosts split the total between them. */
  DISCORD_SHARD_IDS: shardIds.default('all'),
  /**
   * Processes this host runs its shards in: 1 runs them all in this process; N > 1 splits them among N child processes
   * running only the bot role, supervised by this one (docs/adr/0032-bot-processes-per-host.md). At most the shards.
   */
  DISCORD_PROCESSES: wholeNumber(1, 1_024).default(1),
  /** Messages written per storage transaction at most; the batch is committed at once when the bot is idle. */
  CAPTURE_BATCH_MAX: wholeNumber(1, 10_000).default(500),

  TWITCH_CLIENT_ID: optionalText,
  TWITCH_CLIENT_SECRET: optionalText,
  /** Port of the Twitch CLI mock API (or the tests' fake Helix); Twurple reads it itself, we only log it. */
  TWURPLE_MOCK_API_PORT: wholeNumber(1, 65535).optional(),
  ENRICH_INTERVAL_SECONDS: wholeNumber(5, 86_400).default(60),
  ENRICH_MAX_ATTEMPTS: wholeNumber(1, 100).default(8),
  /** View refresh cadence by clip age, in minutes: younger than 7 days, younger than 30 days, older. */
  REFRESH_YOUNG_MINUTES: wholeNumber(1, 525_600).default(60),
  REFRESH_RECENT_MINUTES: wholeNumber(1, 525_600).default(1440),
  REFRESH_OLD_MINUTES: wholeNumber(1, 525_600).default(10_080),

  TZ: timezone.default('UTC'),
  AGGREGATE_CRON: cronExpression.default('15 3 * * *'),
  AGGREGATE_INCREMENTAL_CRON: cronExpression.default('*/5 * * * *'),
  DIGEST_ENABLED: booleanFlag.default(true),
  /** When the scheduler looks for due weekly digests; each guild's own weekday and hour decide what is due. */
  DIGEST_CHECK_CRON: cronExpression.default(DIGEST_CHECK_CRON),
  /** The clip feed (docs/feed.md): posts new clips of followed channels where a guild has set up a feed. */
  FEED_ENABLED: booleanFlag.default(true),
  /** Helix calls one run of the feed job (every minute) may make, so feeds cannot crowd out enrichment and sync. */
  FEED_HELIX_CALLS_PER_RUN: wholeNumber(1, 800).default(60),
  /** Clipper roles (docs/roles.md): role changes one run after aggregation may make, and in any minute (Discord limits). */
  ROLES_CHANGES_PER_RUN: wholeNumber(1, 1000).default(50),
  ROLES_CHANGES_PER_MINUTE: wholeNumber(1, 600).default(30),

  HTTP_ENABLED: booleanFlag.default(true),
  HTTP_HOST: z.string().trim().min(1).default('127.0.0.1'),
  HTTP_PORT: port.default(3000),
  HTTP_CORS_ORIGINS: z
    .string()
    .trim()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  HTTP_RATE_LIMIT_PER_MINUTE: wholeNumber(1, 1_000_000).default(600),
  HTTP_TRUST_PROXY: booleanFlag.default(false),

  /** When the view refresh looks for clips due by their age (REFRESH_*_MINUTES); each run takes what is due. */
  REFRESH_CRON: cronExpression.default('*/5 * * * *'),
  /** When every guild's registered Twitch channels are synced (incrementally after their first sync). */
  TWITCH_SYNC_CRON: cronExpression.default('40 */6 * * *'),
  /** Requests per minute from one IP address across all tokens (also bounds guessing of tokens). */
  HTTP_RATE_LIMIT_PER_IP_PER_MINUTE: wholeNumber(1, 1_000_000).default(1200),
  /** How long an API answer may be served from the in-process cache while the guild's data is unchanged; 0 disables it. */
  HTTP_CACHE_SECONDS: wholeNumber(0, 3600).default(60),
  /** Memory the answer cache may hold, in MiB; the oldest answers leave first beyond it. */
  HTTP_CACHE_MAX_MB: wholeNumber(1, 65_536).default(64),
  /** Seconds of query time per minute one token or session may spend on answers not in the cache. */
  HTTP_QUERY_SECONDS_PER_MINUTE: wholeNumber(1, 60).default(20),
  /** Threads that compute uncached answers on SQLite, so a long query never delays cached ones (0 = on the HTTP thread). */
  HTTP_READ_WORKERS: wholeNumber(0, 16).default(2),
  /** A read worker's time limit per uncached answer on SQLite (PostgreSQL: DATABASE_STATEMENT_TIMEOUT_MS). */
  HTTP_QUERY_TIMEOUT_SECONDS: wholeNumber(1, 600).default(15),
  /** How often the guild's data version is re-read from the database (cache invalidation, live updates). */
  HTTP_CHANGE_CHECK_MS: wholeNumber(0, 60_000).default(1000),
  /** Ids per Helix call (Get Clips/Games/Users take 100); 1 for the Twitch CLI mock API, which reads only the first. */
  TWITCH_IDS_PER_CALL: wholeNumber(1, 100).default(100),

  // The monthly report by email (docs/reports.md#the-monthly-report-by-email): on when SMTP_URL and REPORT_FROM are set.
  SMTP_URL: smtpUrl,
  REPORT_FROM: mailbox,

  // Sign in with Discord (docs/configuration.md#sign-in-with-discord): on when the bot runs and all three are known.
  /** The OAuth2 client id; the application id when unset. */
  DISCORD_CLIENT_ID: snowflakeId,
  DISCORD_CLIENT_SECRET: optionalText,
  /** The dashboard's public base URL; the redirect URI is PUBLIC_URL/auth/discord/callback. */
  PUBLIC_URL: publicUrl,
  /** A dashboard session ends after this long without a request… */
  SESSION_IDLE_HOURS: wholeNumber(1, 24 * 30).default(24),
  /** …and this long after sign-in whatever happens. */
  SESSION_MAX_DAYS: wholeNumber(1, 90).default(7),
  /** How often a signed-in person's access to a server is checked again through the bot (their current roles). */
  SESSION_RECHECK_SECONDS: wholeNumber(10, 3600).default(300),
});

export type Config = z.infer<typeof configSchema>;

/** Names of settings that must never be logged. */
export const SECRET_SETTINGS = ['DISCORD_TOKEN', 'TWITCH_CLIENT_SECRET', 'DISCORD_CLIENT_SECRET', 'DATABASE_URL', 'SMTP_URL'] as const;

/** What Sign in with Discord needs, once the configuration has all of it. */
export interface SignInSettings {
  clientId: string;
  clientSecret: string;
  publicUrl: string;
  apiBaseUrl: string;
  sessionIdleMs: number;
  sessionMaxMs: number;
  recheckMs: number;
}

/**
 * Sign in with Discord's settings, or the variables still missing (the startup log names them): the client id (the
 * application id by default), the client secret, the public URL, and the bot token (access is checked through the bot).
 */
export function signInSettings(config: Config): { settings: SignInSettings; missing: [] } | { settings: null; missing: string[] } {
  const clientId = config.DISCORD_CLIENT_ID ?? config.DISCORD_APPLICATION_ID;
  const missing = [
    clientId ? null : 'DISCORD_CLIENT_ID (or DISCORD_APPLICATION_ID)',
    config.DISCORD_CLIENT_SECRET ? null : 'DISCORD_CLIENT_SECRET',
    config.PUBLIC_URL ? null : 'PUBLIC_URL',
    config.DISCORD_TOKEN ? null : 'DISCORD_TOKEN',
  ].filter((v): v is string => v !== null);
  if (missing.length > 0 || !clientId || !config.DISCORD_CLIENT_SECRET || !config.PUBLIC_URL) return { settings: null, missing };
  return {
    settings: {
      clientId,
      clientSecret: config.DISCORD_CLIENT_SECRET,
      publicUrl: config.PUBLIC_URL,
      apiBaseUrl: config.DISCORD_API_BASE_URL,
      sessionIdleMs: config.SESSION_IDLE_HOURS * 3_600_000,
      sessionMaxMs: config.SESSION_MAX_DAYS * 86_400_000,
      recheckMs: config.SESSION_RECHECK_SECONDS * 1000,
    },
    missing: [],
  };
}

export class ConfigError extends ClipscopeError {
  constructor(readonly problems: string[]) {
    super('invalid_configuration', `Invalid configuration: ${problems.join('; ')}`, { userFacing: true, detail: { problems } });
  }
}

/** Parses the environment; throws one ConfigError naming every bad variable and what it expects. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const relevant: Record<string, string | undefined> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    // An empty variable means "use the default", as in most .env tooling.
    if (value !== undefined && value.trim() !== '') relevant[key] = value;
  }
  const parsed = configSchema.safeParse(relevant);
  if (parsed.success) {
    const problems = crossCheck(parsed.data);
    if (problems.length === 0) return parsed.data;
    throw new ConfigError(problems);
  }
  const problems = parsed.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    return `${name}: expected ${issue.message.replace(/^Invalid (input|option): (expected )?/, '')}`;
  });
  throw new ConfigError(problems);
}

/** Rules between settings, in the same `NAME: expected …` form as the schema's own problems. */
function crossCheck(config: Config): string[] {
  const problems: string[] = [];
  const count = config.DISCORD_SHARD_COUNT;
  const ids = config.DISCORD_SHARD_IDS;
  if (count !== 'auto' && ids !== 'all' && ids.some((id) => id >= count)) {
    problems.push(
      `DISCORD_SHARD_IDS: expected shard ids from 0 to ${count - 1} (DISCORD_SHARD_COUNT=${count}), not ${ids.filter((id) => id >= count).join(', ')}`,
    );
  }
  const processes = config.DISCORD_PROCESSES;
  const hostShards = ids !== 'all' ? ids.length : count !== 'auto' ? count : null;
  if (processes > 1 && hostShards !== null && processes > hostShards) {
    problems.push(
      `DISCORD_PROCESSES: expected at most the ${hostShards} shards this host runs (DISCORD_SHARD_IDS/DISCORD_SHARD_COUNT), not ${processes}: each bot process needs a shard`,
    );
  }
  if (processes > 1 && !config.ROLES.includes('bot')) {
    problems.push(`DISCORD_PROCESSES: expected 1 when ROLES has no bot (ROLES=${config.ROLES.join(',')}), not ${processes}`);
  }
  if (config.SMTP_URL && !config.REPORT_FROM) {
    problems.push('REPORT_FROM: expected the sender address of report emails (SMTP_URL is set), e.g. reports@example.com');
  }
  return problems;
}

/** Loads ./.env into process.env when present; variables already set in the environment win. */
export function loadDotEnvFile(file = '.env'): void {
  try {
    process.loadEnvFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
