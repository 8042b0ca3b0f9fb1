CREATE TABLE `engagement_changes` (
	`guild_id` text NOT NULL,
	`at` integer NOT NULL,
	`clip_id` text NOT NULL,
	`shares` integer NOT NULL,
	`reactions` integer NOT NULL,
	PRIMARY KEY(`guild_id`, `at`, `clip_id`)
) WITHOUT ROWID;
--> statement-breakpoint
ALTER TABLE `aggregation_pending` ADD `engagement_only` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `dirty_hours` ADD `engagement_only` integer DEFAULT 0 NOT NULL;