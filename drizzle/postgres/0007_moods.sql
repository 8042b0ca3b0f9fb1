CREATE TABLE "analytics_clip_moods" (
	"guild_id" text COLLATE "C" NOT NULL,
	"period_type" text COLLATE "C" NOT NULL,
	"period_start" bigint NOT NULL,
	"clip_id" text COLLATE "C" NOT NULL,
	"mood" text COLLATE "C" NOT NULL,
	"reactions" integer NOT NULL,
	CONSTRAINT "analytics_clip_moods_pkey" PRIMARY KEY("guild_id","period_type","period_start","clip_id","mood")
);
--> statement-breakpoint
CREATE TABLE "mood_overrides" (
	"guild_id" text COLLATE "C" NOT NULL,
	"emoji" text COLLATE "C" NOT NULL,
	"mood" text COLLATE "C" NOT NULL,
	"updated_at" bigint NOT NULL,
	"updated_by" text COLLATE "C" NOT NULL,
	CONSTRAINT "mood_overrides_pkey" PRIMARY KEY("guild_id","emoji")
);
--> statement-breakpoint
CREATE TABLE "mood_state" (
	"guild_id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"timezone" text COLLATE "C" NOT NULL,
	"signature" text COLLATE "C" NOT NULL,
	"built_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "analytics_clip_moods_rank_idx" ON "analytics_clip_moods" USING btree ("guild_id","period_type","period_start","mood","reactions" DESC,"clip_id");