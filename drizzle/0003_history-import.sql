CREATE TABLE `message_observations` (
	`message_id` text PRIMARY KEY NOT NULL,
	`guild_id` text NOT NULL,
	`observed_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `import_runs` ADD `byte_offset` integer DEFAULT 0 NOT NULL;