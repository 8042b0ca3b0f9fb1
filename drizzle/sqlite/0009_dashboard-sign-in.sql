CREATE TABLE `dashboard_session_guilds` (
	`session_hash` text NOT NULL,
	`guild_id` text NOT NULL,
	`guild_name` text NOT NULL,
	`guild_icon` text,
	`access` text NOT NULL,
	`checked_at` integer NOT NULL,
	PRIMARY KEY(`session_hash`, `guild_id`),
	FOREIGN KEY (`session_hash`) REFERENCES `dashboard_sessions`(`id_hash`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `dashboard_sessions` (
	`id_hash` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`user_name` text NOT NULL,
	`user_avatar` text,
	`discord_tokens` text NOT NULL,
	`token_expires_at` integer NOT NULL,
	`guilds_read_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dashboard_sessions_user_idx` ON `dashboard_sessions` (`user_id`);--> statement-breakpoint
CREATE INDEX `dashboard_sessions_expires_idx` ON `dashboard_sessions` (`expires_at`);--> statement-breakpoint
CREATE TABLE `dashboard_sign_ins` (
	`state_hash` text PRIMARY KEY NOT NULL,
	`browser_hash` text NOT NULL,
	`purpose` text NOT NULL,
	`session_hash` text,
	`return_to` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dashboard_sign_ins_expires_idx` ON `dashboard_sign_ins` (`expires_at`);--> statement-breakpoint
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
CREATE INDEX `twitch_links_twitch_idx` ON `twitch_links` (`guild_id`,`twitch_user_id`);--> statement-breakpoint
CREATE TABLE `settings_changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`guild_id` text NOT NULL,
	`changed_at` integer NOT NULL,
	`actor_id` text NOT NULL,
	`actor_name` text NOT NULL,
	`source` text NOT NULL,
	`field` text NOT NULL,
	`old_value` text,
	`new_value` text
);
--> statement-breakpoint
CREATE INDEX `settings_changes_guild_idx` ON `settings_changes` (`guild_id`,`changed_at`);--> statement-breakpoint
ALTER TABLE `guild_settings` ADD `dashboard_viewer_role_id` text;