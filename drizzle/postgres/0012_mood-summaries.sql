CREATE TABLE "analytics_mood_mixes" (
	"guild_id" text COLLATE "C" NOT NULL,
	"period_type" text COLLATE "C" NOT NULL,
	"period_start" bigint NOT NULL,
	"dimension" text COLLATE "C" NOT NULL,
	"subject_id" text COLLATE "C" NOT NULL,
	"total" integer NOT NULL,
	"hype" integer NOT NULL,
	"funny" integer NOT NULL,
	"love" integer NOT NULL,
	"wow" integer NOT NULL,
	"sad" integer NOT NULL,
	"negative" integer NOT NULL,
	"other" integer NOT NULL,
	CONSTRAINT "analytics_mood_mixes_pkey" PRIMARY KEY("guild_id","period_type","period_start","dimension","subject_id")
);
--> statement-breakpoint
DROP INDEX "analytics_clip_moods_rank_idx";--> statement-breakpoint
ALTER TABLE "analytics_clip_moods" ADD COLUMN "clip_total" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "analytics_mood_mixes_total_idx" ON "analytics_mood_mixes" USING btree ("guild_id","period_type","period_start","dimension","total" DESC,"subject_id");--> statement-breakpoint
CREATE INDEX "analytics_clip_moods_ranking_idx" ON "analytics_clip_moods" USING btree ("guild_id","period_type","period_start","mood","reactions" DESC,"clip_total" DESC,"clip_id");--> statement-breakpoint
-- Mood rows built before this layout have no clip totals and no mixes: every guild rebuilds its moods on the next run.
DELETE FROM "mood_state";