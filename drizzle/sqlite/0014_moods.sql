CREATE TABLE `analytics_clip_moods` (
	`guild_id` text NOT NULL,
	`period_type` text NOT NULL,
	`period_start` integer NOT NULL,
	`clip_id` text NOT NULL,
	`mood` text NOT NULL,
	`reactions` integer NOT NULL,
	PRIMARY KEY(`guild_id`, `period_type`, `period_start`, `clip_id`, `mood`)
);
--> statement-breakpoint
CREATE INDEX `analytics_clip_moods_rank_idx` ON `analytics_clip_moods` (`guild_id`,`period_type`,`period_start`,`mood`,"reactions" DESC,`clip_id`);--> statement-breakpoint
CREATE TABLE `mood_overrides` (
	`guild_id` text NOT NULL,
	`emoji` text NOT NULL,
	`mood` text NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text NOT NULL,
	PRIMARY KEY(`guild_id`, `emoji`)
);
--> statement-breakpoint
CREATE TABLE `mood_state` (
	`guild_id` text PRIMARY KEY NOT NULL,
	`timezone` text NOT NULL,
	`signature` text NOT NULL,
	`built_at` integer NOT NULL
);
