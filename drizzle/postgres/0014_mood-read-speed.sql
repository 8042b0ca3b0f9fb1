DROP INDEX "analytics_clip_moods_ranking_idx";--> statement-breakpoint
ALTER TABLE "analytics_clip_moods" ADD COLUMN "counted" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics_clip_moods" ADD COLUMN "clip_counts" text COLLATE "C" DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics_clip_moods" ADD COLUMN "title" text COLLATE "C";--> statement-breakpoint
ALTER TABLE "analytics_clip_moods" ADD COLUMN "url" text COLLATE "C" DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics_clip_moods" ADD COLUMN "creator_name" text COLLATE "C";--> statement-breakpoint
ALTER TABLE "analytics_clip_moods" ADD COLUMN "game_name" text COLLATE "C";--> statement-breakpoint
CREATE INDEX "analytics_clip_moods_counted_ranking_idx" ON "analytics_clip_moods" USING btree ("guild_id","period_type","period_start","mood","reactions" DESC,"clip_total" DESC,"clip_id") WHERE "analytics_clip_moods"."counted" = 1;--> statement-breakpoint
-- Mood rows built before this layout lack what the rankings now show: every guild rebuilds its moods on the next run.
DELETE FROM "mood_state";