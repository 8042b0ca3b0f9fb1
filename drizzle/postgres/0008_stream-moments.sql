CREATE TABLE "twitch_videos" (
	"guild_id" text COLLATE "C" NOT NULL,
	"video_id" text COLLATE "C" NOT NULL,
	"broadcaster_id" text COLLATE "C" NOT NULL,
	"broadcaster_name" text COLLATE "C" NOT NULL,
	"stream_id" text COLLATE "C",
	"title" text COLLATE "C" NOT NULL,
	"started_at" bigint NOT NULL,
	"duration_seconds" integer NOT NULL,
	"fetched_at" bigint NOT NULL,
	CONSTRAINT "twitch_videos_pkey" PRIMARY KEY("guild_id","video_id")
);
--> statement-breakpoint
ALTER TABLE "clips" ADD COLUMN "video_id" text COLLATE "C";--> statement-breakpoint
ALTER TABLE "clips" ADD COLUMN "vod_offset" integer;--> statement-breakpoint
CREATE INDEX "twitch_videos_guild_started_idx" ON "twitch_videos" USING btree ("guild_id","started_at");--> statement-breakpoint
CREATE INDEX "clips_guild_video_idx" ON "clips" USING btree ("guild_id","video_id");