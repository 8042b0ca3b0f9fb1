-- Every key of the capture tables begins with the guild (issue #24, finding 1): a message, channel or file of one
-- guild can never address another guild's rows. The new keys are the old ones with guild_id added, so every row
-- copied below fits them. No foreign key refers to these tables: the copies need no foreign_keys pragma.
DROP INDEX `shares_message_clip_uq`;--> statement-breakpoint
CREATE UNIQUE INDEX `shares_guild_message_clip_uq` ON `shares` (`guild_id`,`message_id`,`clip_id`);--> statement-breakpoint
CREATE TABLE `__new_reaction_baselines` (
	`guild_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`message_id` text NOT NULL,
	`emoji_key` text NOT NULL,
	`anonymous_count` integer NOT NULL,
	`observed_at` integer NOT NULL,
	PRIMARY KEY(`guild_id`, `message_id`, `emoji_key`)
);
--> statement-breakpoint
INSERT INTO `__new_reaction_baselines`("guild_id", "channel_id", "message_id", "emoji_key", "anonymous_count", "observed_at") SELECT "guild_id", "channel_id", "message_id", "emoji_key", "anonymous_count", "observed_at" FROM `reaction_baselines`;--> statement-breakpoint
DROP TABLE `reaction_baselines`;--> statement-breakpoint
ALTER TABLE `__new_reaction_baselines` RENAME TO `reaction_baselines`;--> statement-breakpoint
CREATE INDEX `reaction_baselines_guild_observed_idx` ON `reaction_baselines` (`guild_id`,`observed_at`);--> statement-breakpoint
CREATE TABLE `__new_reactions` (
	`guild_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`message_id` text NOT NULL,
	`emoji_key` text NOT NULL,
	`user_id` text NOT NULL,
	`reacted_at` integer NOT NULL,
	PRIMARY KEY(`guild_id`, `message_id`, `emoji_key`, `user_id`)
);
--> statement-breakpoint
INSERT INTO `__new_reactions`("guild_id", "channel_id", "message_id", "emoji_key", "user_id", "reacted_at") SELECT "guild_id", "channel_id", "message_id", "emoji_key", "user_id", "reacted_at" FROM `reactions`;--> statement-breakpoint
DROP TABLE `reactions`;--> statement-breakpoint
ALTER TABLE `__new_reactions` RENAME TO `reactions`;--> statement-breakpoint
CREATE INDEX `reactions_guild_reacted_idx` ON `reactions` (`guild_id`,`reacted_at`);--> statement-breakpoint
CREATE TABLE `__new_backfill_checkpoints` (
	`guild_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`before_message_id` text,
	`since_ts` integer,
	`messages_scanned` integer DEFAULT 0 NOT NULL,
	`shares_found` integer DEFAULT 0 NOT NULL,
	`completed_at` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`guild_id`, `channel_id`)
);
--> statement-breakpoint
INSERT INTO `__new_backfill_checkpoints`("guild_id", "channel_id", "before_message_id", "since_ts", "messages_scanned", "shares_found", "completed_at", "updated_at") SELECT "guild_id", "channel_id", "before_message_id", "since_ts", "messages_scanned", "shares_found", "completed_at", "updated_at" FROM `backfill_checkpoints`;--> statement-breakpoint
DROP TABLE `backfill_checkpoints`;--> statement-breakpoint
ALTER TABLE `__new_backfill_checkpoints` RENAME TO `backfill_checkpoints`;--> statement-breakpoint
CREATE TABLE `__new_import_runs` (
	`guild_id` text NOT NULL,
	`file_path` text NOT NULL,
	`channel_id` text NOT NULL,
	`file_size` integer NOT NULL,
	`messages_imported` integer DEFAULT 0 NOT NULL,
	`last_message_id` text,
	`completed_at` integer,
	`updated_at` integer NOT NULL,
	`byte_offset` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`guild_id`, `file_path`)
);
--> statement-breakpoint
INSERT INTO `__new_import_runs`("guild_id", "file_path", "channel_id", "file_size", "messages_imported", "last_message_id", "completed_at", "updated_at", "byte_offset") SELECT "guild_id", "file_path", "channel_id", "file_size", "messages_imported", "last_message_id", "completed_at", "updated_at", "byte_offset" FROM `import_runs`;--> statement-breakpoint
DROP TABLE `import_runs`;--> statement-breakpoint
ALTER TABLE `__new_import_runs` RENAME TO `import_runs`;--> statement-breakpoint
CREATE TABLE `__new_message_observations` (
	`guild_id` text NOT NULL,
	`message_id` text NOT NULL,
	`observed_at` integer NOT NULL,
	PRIMARY KEY(`guild_id`, `message_id`)
);
--> statement-breakpoint
INSERT INTO `__new_message_observations`("guild_id", "message_id", "observed_at") SELECT "guild_id", "message_id", "observed_at" FROM `message_observations`;--> statement-breakpoint
DROP TABLE `message_observations`;--> statement-breakpoint
ALTER TABLE `__new_message_observations` RENAME TO `message_observations`;