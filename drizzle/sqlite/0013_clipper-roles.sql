CREATE TABLE `role_changes` (
	`guild_id` text NOT NULL,
	`change_id` text NOT NULL,
	`role_id` text NOT NULL,
	`user_id` text NOT NULL,
	`action` text NOT NULL,
	`reason` text NOT NULL,
	`changed_at` integer NOT NULL,
	PRIMARY KEY(`guild_id`, `change_id`)
);
--> statement-breakpoint
CREATE INDEX `role_changes_guild_time_idx` ON `role_changes` (`guild_id`,`changed_at`);--> statement-breakpoint
CREATE TABLE `role_grants` (
	`guild_id` text NOT NULL,
	`role_id` text NOT NULL,
	`user_id` text NOT NULL,
	`granted_at` integer NOT NULL,
	PRIMARY KEY(`guild_id`, `role_id`, `user_id`)
);
--> statement-breakpoint
CREATE TABLE `role_rules` (
	`guild_id` text NOT NULL,
	`role_id` text NOT NULL,
	`kind` text NOT NULL,
	`period` text NOT NULL,
	`top` integer,
	`min` integer,
	`state` text NOT NULL,
	`previewed_at` integer,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`guild_id`, `role_id`)
);
--> statement-breakpoint
CREATE INDEX `role_rules_state_idx` ON `role_rules` (`state`,`guild_id`);