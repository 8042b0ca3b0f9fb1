CREATE TABLE `aggregation_pending` (
	`guild_id` text NOT NULL,
	`period_type` text NOT NULL,
	`period_start` integer NOT NULL,
	PRIMARY KEY(`guild_id`, `period_type`, `period_start`)
);
--> statement-breakpoint
CREATE TABLE `analytics_state` (
	`guild_id` text NOT NULL,
	`period_type` text NOT NULL,
	`timezone` text NOT NULL,
	`last_full_at` integer NOT NULL,
	`last_run_at` integer NOT NULL,
	PRIMARY KEY(`guild_id`, `period_type`)
);
--> statement-breakpoint
CREATE TABLE `api_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`guild_id` text NOT NULL,
	`name` text NOT NULL,
	`token_hash` text NOT NULL,
	`prefix` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_hash_uq` ON `api_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `api_tokens_guild_idx` ON `api_tokens` (`guild_id`);--> statement-breakpoint
CREATE TABLE `backfill_checkpoints` (
	`channel_id` text PRIMARY KEY NOT NULL,
	`guild_id` text NOT NULL,
	`before_message_id` text,
	`since_ts` integer,
	`messages_scanned` integer DEFAULT 0 NOT NULL,
	`shares_found` integer DEFAULT 0 NOT NULL,
	`completed_at` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `clip_view_history` (
	`clip_id` text NOT NULL,
	`observed_at` integer NOT NULL,
	`view_count` integer NOT NULL,
	PRIMARY KEY(`clip_id`, `observed_at`)
);
--> statement-breakpoint
CREATE TABLE `clips` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`guild_id` text NOT NULL,
	`clip_id` text NOT NULL,
	`url` text NOT NULL,
	`title` text,
	`broadcaster_id` text,
	`broadcaster_name` text,
	`creator_id` text,
	`creator_name` text,
	`game_id` text,
	`game_name` text,
	`view_count` integer DEFAULT 0 NOT NULL,
	`duration` real,
	`thumbnail_url` text,
	`clip_created_at` integer,
	`discord_shares` integer DEFAULT 0 NOT NULL,
	`discord_reactions` integer DEFAULT 0 NOT NULL,
	`discord_reaction_types` text DEFAULT '{}' NOT NULL,
	`first_seen_at` integer NOT NULL,
	`first_shared_at` integer,
	`last_updated_at` integer NOT NULL,
	`source` text DEFAULT 'discord' NOT NULL,
	`enrichment_state` text DEFAULT 'pending' NOT NULL,
	`enrichment_attempts` integer DEFAULT 0 NOT NULL,
	`enrichment_error` text,
	`enrichment_next_attempt_at` integer DEFAULT 0 NOT NULL,
	`enriched_at` integer,
	`views_refreshed_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `clips_guild_clip_uq` ON `clips` (`guild_id`,`clip_id`);--> statement-breakpoint
CREATE INDEX `clips_guild_creator_idx` ON `clips` (`guild_id`,`creator_id`);--> statement-breakpoint
CREATE INDEX `clips_guild_game_idx` ON `clips` (`guild_id`,`game_id`);--> statement-breakpoint
CREATE INDEX `clips_guild_created_idx` ON `clips` (`guild_id`,`clip_created_at`);--> statement-breakpoint
CREATE INDEX `clips_guild_views_idx` ON `clips` (`guild_id`,`view_count`);--> statement-breakpoint
CREATE INDEX `clips_clip_id_idx` ON `clips` (`clip_id`);--> statement-breakpoint
CREATE INDEX `clips_enrichment_idx` ON `clips` (`enrichment_state`,`enrichment_next_attempt_at`);--> statement-breakpoint
CREATE INDEX `clips_guild_updated_idx` ON `clips` (`guild_id`,`last_updated_at`);--> statement-breakpoint
CREATE INDEX `clips_guild_creator_created_idx` ON `clips` (`guild_id`,`creator_id`,`clip_created_at`);--> statement-breakpoint
CREATE INDEX `clips_guild_game_created_idx` ON `clips` (`guild_id`,`game_id`,`clip_created_at`);--> statement-breakpoint
CREATE INDEX `clips_guild_reactions_idx` ON `clips` (`guild_id`,`discord_reactions`);--> statement-breakpoint
CREATE TABLE `creator_analytics` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`guild_id` text NOT NULL,
	`creator_id` text NOT NULL,
	`creator_name` text NOT NULL,
	`period_type` text NOT NULL,
	`period_start` integer NOT NULL,
	`period_end` integer,
	`clip_count` integer DEFAULT 0 NOT NULL,
	`total_views` integer DEFAULT 0 NOT NULL,
	`avg_views` real DEFAULT 0 NOT NULL,
	`discord_shares` integer DEFAULT 0 NOT NULL,
	`discord_reactions` integer DEFAULT 0 NOT NULL,
	`unique_games` integer DEFAULT 0 NOT NULL,
	`top_game_id` text,
	`top_game_name` text,
	`computed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `creator_analytics_uq` ON `creator_analytics` (`guild_id`,`creator_id`,`period_type`,`period_start`);--> statement-breakpoint
CREATE INDEX `creator_analytics_rank_idx` ON `creator_analytics` (`guild_id`,`period_type`,`period_start`,`clip_count`);--> statement-breakpoint
CREATE INDEX `creator_analytics_views_idx` ON `creator_analytics` (`guild_id`,`period_type`,`period_start`,`total_views`);--> statement-breakpoint
CREATE INDEX `creator_analytics_avg_idx` ON `creator_analytics` (`guild_id`,`period_type`,`period_start`,`avg_views`);--> statement-breakpoint
CREATE INDEX `creator_analytics_shares_idx` ON `creator_analytics` (`guild_id`,`period_type`,`period_start`,`discord_shares`);--> statement-breakpoint
CREATE INDEX `creator_analytics_reactions_idx` ON `creator_analytics` (`guild_id`,`period_type`,`period_start`,`discord_reactions`);--> statement-breakpoint
CREATE TABLE `digest_posts` (
	`guild_id` text NOT NULL,
	`week_start` integer NOT NULL,
	`channel_id` text NOT NULL,
	`message_id` text,
	`status` text NOT NULL,
	`error` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`guild_id`, `week_start`)
);
--> statement-breakpoint
CREATE TABLE `dirty_hours` (
	`guild_id` text NOT NULL,
	`hour_start` integer NOT NULL,
	PRIMARY KEY(`guild_id`, `hour_start`)
);
--> statement-breakpoint
CREATE TABLE `game_analytics` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`guild_id` text NOT NULL,
	`game_id` text NOT NULL,
	`game_name` text NOT NULL,
	`period_type` text NOT NULL,
	`period_start` integer NOT NULL,
	`period_end` integer,
	`clip_count` integer DEFAULT 0 NOT NULL,
	`total_views` integer DEFAULT 0 NOT NULL,
	`avg_view_count` real DEFAULT 0 NOT NULL,
	`unique_creators` integer DEFAULT 0 NOT NULL,
	`discord_shares` integer DEFAULT 0 NOT NULL,
	`discord_reactions` integer DEFAULT 0 NOT NULL,
	`top_clip_id` text,
	`top_clip_title` text,
	`top_clip_views` integer,
	`computed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `game_analytics_uq` ON `game_analytics` (`guild_id`,`game_id`,`period_type`,`period_start`);--> statement-breakpoint
CREATE INDEX `game_analytics_rank_idx` ON `game_analytics` (`guild_id`,`period_type`,`period_start`,`clip_count`);--> statement-breakpoint
CREATE INDEX `game_analytics_views_idx` ON `game_analytics` (`guild_id`,`period_type`,`period_start`,`total_views`);--> statement-breakpoint
CREATE INDEX `game_analytics_avg_idx` ON `game_analytics` (`guild_id`,`period_type`,`period_start`,`avg_view_count`);--> statement-breakpoint
CREATE INDEX `game_analytics_shares_idx` ON `game_analytics` (`guild_id`,`period_type`,`period_start`,`discord_shares`);--> statement-breakpoint
CREATE INDEX `game_analytics_reactions_idx` ON `game_analytics` (`guild_id`,`period_type`,`period_start`,`discord_reactions`);--> statement-breakpoint
CREATE TABLE `guild_peak_activity` (
	`guild_id` text NOT NULL,
	`period_type` text NOT NULL,
	`period_start` integer NOT NULL,
	`weekday` integer NOT NULL,
	`hour` integer NOT NULL,
	`clips` integer NOT NULL,
	`shares` integer NOT NULL,
	PRIMARY KEY(`guild_id`, `period_type`, `period_start`, `weekday`, `hour`)
);
--> statement-breakpoint
CREATE TABLE `guild_period_stats` (
	`guild_id` text NOT NULL,
	`period_type` text NOT NULL,
	`period_start` integer NOT NULL,
	`period_end` integer,
	`clip_count` integer NOT NULL,
	`total_views` integer NOT NULL,
	`unique_creators` integer NOT NULL,
	`unique_games` integer NOT NULL,
	`discord_shares` integer NOT NULL,
	`discord_reactions` integer NOT NULL,
	`first_clip_at` integer,
	`last_clip_at` integer,
	`computed_at` integer NOT NULL,
	PRIMARY KEY(`guild_id`, `period_type`, `period_start`)
);
--> statement-breakpoint
CREATE TABLE `guild_settings` (
	`guild_id` text PRIMARY KEY NOT NULL,
	`guild_name` text,
	`capture_channel_ids` text DEFAULT '[]' NOT NULL,
	`include_bots` integer DEFAULT false NOT NULL,
	`timezone` text DEFAULT 'UTC' NOT NULL,
	`digest_channel_id` text,
	`digest_weekday` integer DEFAULT 1 NOT NULL,
	`digest_hour` integer DEFAULT 10 NOT NULL,
	`digest_enabled` integer DEFAULT true NOT NULL,
	`digest_last_error` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `import_runs` (
	`file_path` text PRIMARY KEY NOT NULL,
	`guild_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`file_size` integer NOT NULL,
	`messages_imported` integer DEFAULT 0 NOT NULL,
	`last_message_id` text,
	`completed_at` integer,
	`updated_at` integer NOT NULL,
	`byte_offset` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `job_runs` (
	`job` text PRIMARY KEY NOT NULL,
	`last_started_at` integer,
	`last_finished_at` integer,
	`last_error` text,
	`last_summary` text
);
--> statement-breakpoint
CREATE TABLE `message_observations` (
	`message_id` text PRIMARY KEY NOT NULL,
	`guild_id` text NOT NULL,
	`observed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `reaction_baselines` (
	`guild_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`message_id` text NOT NULL,
	`emoji_key` text NOT NULL,
	`anonymous_count` integer NOT NULL,
	`observed_at` integer NOT NULL,
	PRIMARY KEY(`message_id`, `emoji_key`)
);
--> statement-breakpoint
CREATE INDEX `reaction_baselines_guild_observed_idx` ON `reaction_baselines` (`guild_id`,`observed_at`);--> statement-breakpoint
CREATE TABLE `reactions` (
	`guild_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`message_id` text NOT NULL,
	`emoji_key` text NOT NULL,
	`user_id` text NOT NULL,
	`reacted_at` integer NOT NULL,
	PRIMARY KEY(`message_id`, `emoji_key`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `reactions_guild_reacted_idx` ON `reactions` (`guild_id`,`reacted_at`);--> statement-breakpoint
CREATE TABLE `shares` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`guild_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`thread_id` text,
	`message_id` text NOT NULL,
	`clip_id` text NOT NULL,
	`author_id` text NOT NULL,
	`author_name` text NOT NULL,
	`author_is_bot` integer DEFAULT false NOT NULL,
	`posted_at` integer NOT NULL,
	`deleted_at` integer,
	`source` text DEFAULT 'discord' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `shares_message_clip_uq` ON `shares` (`message_id`,`clip_id`);--> statement-breakpoint
CREATE INDEX `shares_guild_clip_idx` ON `shares` (`guild_id`,`clip_id`);--> statement-breakpoint
CREATE INDEX `shares_guild_posted_idx` ON `shares` (`guild_id`,`posted_at`);--> statement-breakpoint
CREATE INDEX `shares_guild_author_idx` ON `shares` (`guild_id`,`author_id`);--> statement-breakpoint
CREATE TABLE `twitch_channels` (
	`guild_id` text NOT NULL,
	`broadcaster_id` text NOT NULL,
	`broadcaster_login` text NOT NULL,
	`broadcaster_name` text NOT NULL,
	`added_at` integer NOT NULL,
	`synced_through` integer,
	`last_sync_at` integer,
	`last_sync_error` text,
	PRIMARY KEY(`guild_id`, `broadcaster_id`)
);
