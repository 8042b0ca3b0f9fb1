CREATE TABLE "feed_clips" (
	"clip_id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"broadcaster_id" text COLLATE "C" NOT NULL,
	"url" text COLLATE "C" NOT NULL,
	"title" text COLLATE "C" NOT NULL,
	"creator_id" text COLLATE "C" NOT NULL,
	"creator_name" text COLLATE "C" NOT NULL,
	"game_id" text COLLATE "C" NOT NULL,
	"game_name" text COLLATE "C",
	"view_count" bigint NOT NULL,
	"duration" double precision NOT NULL,
	"clip_created_at" bigint NOT NULL,
	"first_seen_at" bigint NOT NULL,
	"views_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "feed_poll_state" (
	"broadcaster_id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"polled_through" bigint,
	"last_poll_at" bigint,
	"next_poll_at" bigint DEFAULT 0 NOT NULL,
	"interval_ms" bigint NOT NULL,
	"window_start" bigint,
	"window_end" bigint,
	"cursor" text COLLATE "C",
	"lease_owner" text COLLATE "C",
	"lease_until" bigint,
	"last_error" text COLLATE "C"
);
--> statement-breakpoint
CREATE TABLE "feed_posts" (
	"guild_id" text COLLATE "C" NOT NULL,
	"channel_id" text COLLATE "C" NOT NULL,
	"clip_id" text COLLATE "C" NOT NULL,
	"kind" text COLLATE "C" NOT NULL,
	"feed_id" bigint NOT NULL,
	"state" text COLLATE "C" NOT NULL,
	"nonce" text COLLATE "C" NOT NULL,
	"message_id" text COLLATE "C",
	"attempts" integer DEFAULT 0 NOT NULL,
	"error" text COLLATE "C",
	"claimed_at" bigint NOT NULL,
	"sent_at" bigint,
	CONSTRAINT "feed_posts_pkey" PRIMARY KEY("guild_id","channel_id","clip_id","kind")
);
--> statement-breakpoint
CREATE TABLE "feeds" (
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "feeds_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"guild_id" text COLLATE "C" NOT NULL,
	"channel_id" text COLLATE "C" NOT NULL,
	"broadcaster_id" text COLLATE "C" NOT NULL,
	"broadcaster_login" text COLLATE "C" NOT NULL,
	"broadcaster_name" text COLLATE "C" NOT NULL,
	"min_views" bigint DEFAULT 0 NOT NULL,
	"games" text COLLATE "C" DEFAULT '[]' NOT NULL,
	"exclude_games" text COLLATE "C" DEFAULT '[]' NOT NULL,
	"creators_exclude" text COLLATE "C" DEFAULT '[]' NOT NULL,
	"max_per_hour" integer,
	"mention_role_id" text COLLATE "C",
	"post_member_shared" boolean DEFAULT true NOT NULL,
	"taking_off" boolean DEFAULT true NOT NULL,
	"alert_channel_id" text COLLATE "C",
	"paused" boolean DEFAULT false NOT NULL,
	"pause_cause" text COLLATE "C",
	"pause_reason" text COLLATE "C",
	"starts_at" bigint NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "feeds_pkey" PRIMARY KEY("guild_id","id")
);
--> statement-breakpoint
CREATE INDEX "feed_clips_broadcaster_idx" ON "feed_clips" USING btree ("broadcaster_id","clip_created_at");--> statement-breakpoint
CREATE INDEX "feed_posts_feed_sent_idx" ON "feed_posts" USING btree ("guild_id","feed_id","sent_at");--> statement-breakpoint
CREATE UNIQUE INDEX "feed_posts_message_uq" ON "feed_posts" USING btree ("guild_id","message_id");--> statement-breakpoint
CREATE INDEX "feeds_guild_idx" ON "feeds" USING btree ("guild_id","channel_id");--> statement-breakpoint
CREATE INDEX "feeds_broadcaster_idx" ON "feeds" USING btree ("guild_id","broadcaster_id");