CREATE TABLE `twitch_videos` (
	`guild_id` text NOT NULL,
	`video_id` text NOT NULL,
	`broadcaster_id` text NOT NULL,
	`broadcaster_name` text NOT NULL,
	`stream_id` text,
	`title` text NOT NULL,
	`started_at` integer NOT NULL,
	`duration_seconds` integer NOT NULL,
	`fetched_at` integer NOT NULL,
	PRIMARY KEY(`guild_id`, `video_id`)
);
--> statement-breakpoint
CREATE INDEX `twitch_videos_guild_started_idx` ON `twitch_videos` (`guild_id`,`started_at`);--> statement-breakpoint
ALTER TABLE `clips` ADD `video_id` text;--> statement-breakpoint
ALTER TABLE `clips` ADD `vod_offset` integer;--> statement-breakpoint
CREATE INDEX `clips_guild_video_idx` ON `clips` (`guild_id`,`video_id`);