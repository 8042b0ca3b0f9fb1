// How the PostgreSQL tables would be placed on a Citus cluster (a documented design, docs/operations.md; not run by
// Clipscope): guild data is distributed by guild_id and co-located, so a guild's rows of every table live on one
// worker and every per-guild statement (and every trigger) runs there; small shared tables are reference tables,
// copied to every worker so that joins with them stay local.

/** Tables of guild data: every primary and unique key begins with guild_id (test/db/postgres-schema.test.ts). */
export const DISTRIBUTED_TABLES = [
  'aggregation_pending',
  'analytics_clip_moods',
  'analytics_day_top_clips',
  'analytics_mood_mixes',
  'analytics_pair_facts',
  'analytics_state',
  'backfill_checkpoints',
  'clips',
  'creator_analytics',
  'digest_posts',
  'dirty_hours',
  'engagement_changes',
  'feed_posts',
  'feeds',
  'game_analytics',
  'guild_peak_activity',
  'guild_period_stats',
  'guild_settings',
  'hall_of_fame_posts',
  'hall_of_fame_settings',
  'import_runs',
  'latest_names',
  'message_observations',
  'mood_overrides',
  'mood_state',
  'reaction_baselines',
  'reactions',
  'report_email_recipients',
  'report_emails',
  'report_posts',
  'report_settings',
  'role_changes',
  'role_grants',
  'role_rules',
  'settings_changes',
  'shares',
  'twitch_channels',
  'twitch_links',
  'twitch_videos',
] as const;

/**
 * Shared tables, each with the reason it is not keyed by guild: api_tokens is looked up by token hash before the
 * guild is known; job_runs, job_leases and job_run_history per scheduled job; identify_slots per
 * gateway rate-limit key of the bot; helix_budgets per Twitch client id and helix_clip_claims per Twitch clip (fetched
 * once for every guild that shared it); game_name_misses and clip_view_history hold Twitch data that every
 * guild with the game or clip shares; the dashboard's sessions and sign-ins belong to a person, and a session's
 * servers are read by session (its rows span guilds); feed_clips and feed_poll_state hold the clips and poll state of
 * a Twitch broadcaster, shared by every guild whose feeds follow it.
 */
export const REFERENCE_TABLES = [
  'api_tokens',
  'clip_view_history',
  'dashboard_session_guilds',
  'dashboard_sessions',
  'dashboard_sign_ins',
  'feed_clips',
  'feed_poll_state',
  'game_name_misses',
  'helix_budgets',
  'helix_clip_claims',
  'identify_slots',
  'job_leases',
  'job_run_history',
  'job_runs',
] as const;

/** The statements a Citus setup runs once on the coordinator, after the migrations, before any data. */
export function citusSetupStatements(): string[] {
  // guild_settings first: every other distributed table is co-located with it.
  const rest = DISTRIBUTED_TABLES.filter((table) => table !== 'guild_settings');
  return [
    'SET citus.enable_unsafe_triggers = on;',
    "SELECT create_distributed_table('guild_settings', 'guild_id');",
    ...rest.map((table) => `SELECT create_distributed_table('${table}', 'guild_id', colocate_with => 'guild_settings');`),
    ...REFERENCE_TABLES.map((table) => `SELECT create_reference_table('${table}');`),
  ];
}
