CREATE TABLE `report_posts` (
	`guild_id` text NOT NULL,
	`month_start` integer NOT NULL,
	`channel_id` text NOT NULL,
	`state` text NOT NULL,
	`message_id` text,
	`error` text,
	`claimed_at` integer NOT NULL,
	PRIMARY KEY(`guild_id`, `month_start`)
);
--> statement-breakpoint
CREATE TABLE `report_settings` (
	`guild_id` text PRIMARY KEY NOT NULL,
	`channel_id` text NOT NULL,
	`updated_at` integer NOT NULL
);
