CREATE TABLE `analytics_day_top_clips` (
	`guild_id` text NOT NULL,
	`game_id` text NOT NULL,
	`day_start` integer NOT NULL,
	`clip_id` text NOT NULL,
	`title` text NOT NULL,
	`views` integer NOT NULL,
	PRIMARY KEY(`guild_id`, `game_id`, `day_start`)
);
--> statement-breakpoint
CREATE INDEX `analytics_day_top_clips_day_idx` ON `analytics_day_top_clips` (`guild_id`,`day_start`);--> statement-breakpoint
CREATE INDEX `analytics_day_top_clips_views_idx` ON `analytics_day_top_clips` (`guild_id`,`game_id`,`views`);--> statement-breakpoint
CREATE TABLE `analytics_pair_facts` (
	`guild_id` text NOT NULL,
	`period_type` text NOT NULL,
	`period_start` integer NOT NULL,
	`game_id` text NOT NULL,
	`creator_id` text NOT NULL,
	`clip_count` integer NOT NULL,
	`total_views` integer NOT NULL,
	`discord_shares` integer NOT NULL,
	`discord_reactions` integer NOT NULL,
	PRIMARY KEY(`guild_id`, `period_type`, `period_start`, `game_id`, `creator_id`)
);
--> statement-breakpoint
CREATE INDEX `analytics_pair_facts_creator_idx` ON `analytics_pair_facts` (`guild_id`,`period_type`,`period_start`,`creator_id`);--> statement-breakpoint
ALTER TABLE `analytics_state` ADD `facts_version` integer DEFAULT 0 NOT NULL;