ALTER TABLE `aggregation_pending` ADD `engagement_only` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `dirty_hours` ADD `engagement_only` integer DEFAULT 0 NOT NULL;