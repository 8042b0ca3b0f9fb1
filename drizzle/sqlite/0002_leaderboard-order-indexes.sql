DROP INDEX `creator_analytics_rank_idx`;--> statement-breakpoint
DROP INDEX `creator_analytics_views_idx`;--> statement-breakpoint
DROP INDEX `creator_analytics_avg_idx`;--> statement-breakpoint
DROP INDEX `creator_analytics_shares_idx`;--> statement-breakpoint
DROP INDEX `creator_analytics_reactions_idx`;--> statement-breakpoint
CREATE INDEX `creator_analytics_rank_idx` ON `creator_analytics` (`guild_id`,`period_type`,`period_start`,"clip_count" DESC,`creator_id`);--> statement-breakpoint
CREATE INDEX `creator_analytics_views_idx` ON `creator_analytics` (`guild_id`,`period_type`,`period_start`,"total_views" DESC,"clip_count" DESC,`creator_id`);--> statement-breakpoint
CREATE INDEX `creator_analytics_avg_idx` ON `creator_analytics` (`guild_id`,`period_type`,`period_start`,"avg_views" DESC,"clip_count" DESC,`creator_id`);--> statement-breakpoint
CREATE INDEX `creator_analytics_shares_idx` ON `creator_analytics` (`guild_id`,`period_type`,`period_start`,"discord_shares" DESC,"clip_count" DESC,`creator_id`);--> statement-breakpoint
CREATE INDEX `creator_analytics_reactions_idx` ON `creator_analytics` (`guild_id`,`period_type`,`period_start`,"discord_reactions" DESC,"clip_count" DESC,`creator_id`);