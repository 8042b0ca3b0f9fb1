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
CREATE INDEX `clips_guild_creator_created_idx` ON `clips` (`guild_id`,`creator_id`,`clip_created_at`);--> statement-breakpoint
CREATE INDEX `clips_guild_game_created_idx` ON `clips` (`guild_id`,`game_id`,`clip_created_at`);--> statement-breakpoint
CREATE INDEX `clips_guild_reactions_idx` ON `clips` (`guild_id`,`discord_reactions`);--> statement-breakpoint
CREATE INDEX `creator_analytics_views_idx` ON `creator_analytics` (`guild_id`,`period_type`,`period_start`,`total_views`);--> statement-breakpoint
CREATE INDEX `creator_analytics_avg_idx` ON `creator_analytics` (`guild_id`,`period_type`,`period_start`,`avg_views`);--> statement-breakpoint
CREATE INDEX `creator_analytics_shares_idx` ON `creator_analytics` (`guild_id`,`period_type`,`period_start`,`discord_shares`);--> statement-breakpoint
CREATE INDEX `creator_analytics_reactions_idx` ON `creator_analytics` (`guild_id`,`period_type`,`period_start`,`discord_reactions`);--> statement-breakpoint
CREATE INDEX `game_analytics_views_idx` ON `game_analytics` (`guild_id`,`period_type`,`period_start`,`total_views`);--> statement-breakpoint
CREATE INDEX `game_analytics_avg_idx` ON `game_analytics` (`guild_id`,`period_type`,`period_start`,`avg_view_count`);--> statement-breakpoint
CREATE INDEX `game_analytics_shares_idx` ON `game_analytics` (`guild_id`,`period_type`,`period_start`,`discord_shares`);--> statement-breakpoint
CREATE INDEX `game_analytics_reactions_idx` ON `game_analytics` (`guild_id`,`period_type`,`period_start`,`discord_reactions`);--> statement-breakpoint
CREATE INDEX `reaction_baselines_guild_observed_idx` ON `reaction_baselines` (`guild_id`,`observed_at`);