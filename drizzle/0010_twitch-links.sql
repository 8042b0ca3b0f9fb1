CREATE TABLE `twitch_links` (
	`guild_id` text NOT NULL,
	`discord_user_id` text NOT NULL,
	`discord_name` text NOT NULL,
	`twitch_user_id` text NOT NULL,
	`twitch_name` text NOT NULL,
	`linked_at` integer NOT NULL,
	PRIMARY KEY(`guild_id`, `discord_user_id`)
);
--> statement-breakpoint
CREATE INDEX `twitch_links_twitch_idx` ON `twitch_links` (`guild_id`,`twitch_user_id`);