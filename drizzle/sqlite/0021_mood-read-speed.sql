DROP INDEX `analytics_clip_moods_ranking_idx`;--> statement-breakpoint
ALTER TABLE `analytics_clip_moods` ADD `counted` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `analytics_clip_moods` ADD `clip_counts` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `analytics_clip_moods` ADD `title` text;--> statement-breakpoint
ALTER TABLE `analytics_clip_moods` ADD `url` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `analytics_clip_moods` ADD `creator_name` text;--> statement-breakpoint
ALTER TABLE `analytics_clip_moods` ADD `game_name` text;--> statement-breakpoint
CREATE INDEX `analytics_clip_moods_counted_ranking_idx` ON `analytics_clip_moods` (`guild_id`,`period_type`,`period_start`,`mood`,"reactions" DESC,"clip_total" DESC,`clip_id`) WHERE "analytics_clip_moods"."counted" = 1;--> statement-breakpoint
-- Mood rows built before this layout lack what the rankings now show: every guild rebuilds its moods on the next run.
DELETE FROM `mood_state`;