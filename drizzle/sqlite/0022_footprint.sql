DROP INDEX `shares_guild_author_idx`;--> statement-breakpoint
DROP INDEX `clips_guild_creator_idx`;--> statement-breakpoint
DROP INDEX `clips_guild_game_idx`;--> statement-breakpoint
DROP INDEX `game_analytics_views_idx`;--> statement-breakpoint
CREATE TABLE `__new_clip_view_history` (
	`clip_id` text NOT NULL,
	`observed_at` integer NOT NULL,
	`view_count` integer NOT NULL,
	PRIMARY KEY(`clip_id`, `observed_at`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_clip_view_history`(`clip_id`, `observed_at`, `view_count`) SELECT `clip_id`, `observed_at`, `view_count` FROM `clip_view_history`;--> statement-breakpoint
DROP TABLE `clip_view_history`;--> statement-breakpoint
ALTER TABLE `__new_clip_view_history` RENAME TO `clip_view_history`;--> statement-breakpoint
CREATE TABLE `__new_reactions` (
	`guild_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`message_id` text NOT NULL,
	`emoji_key` text NOT NULL,
	`user_id` text NOT NULL,
	`reacted_at` integer NOT NULL,
	PRIMARY KEY(`guild_id`, `message_id`, `emoji_key`, `user_id`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_reactions`(`guild_id`, `channel_id`, `message_id`, `emoji_key`, `user_id`, `reacted_at`) SELECT `guild_id`, `channel_id`, `message_id`, `emoji_key`, `user_id`, `reacted_at` FROM `reactions`;--> statement-breakpoint
DROP TABLE `reactions`;--> statement-breakpoint
ALTER TABLE `__new_reactions` RENAME TO `reactions`;--> statement-breakpoint
CREATE INDEX `reactions_guild_reacted_idx` ON `reactions` (`guild_id`,`reacted_at`);--> statement-breakpoint
CREATE TABLE `__new_dirty_hours` (
	`guild_id` text NOT NULL,
	`hour_start` integer NOT NULL,
	`engagement_only` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`guild_id`, `hour_start`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_dirty_hours`(`guild_id`, `hour_start`, `engagement_only`) SELECT `guild_id`, `hour_start`, `engagement_only` FROM `dirty_hours`;--> statement-breakpoint
DROP TABLE `dirty_hours`;--> statement-breakpoint
ALTER TABLE `__new_dirty_hours` RENAME TO `dirty_hours`;
