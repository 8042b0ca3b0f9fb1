CREATE TABLE "hall_of_fame_posts" (
	"guild_id" text COLLATE "C" NOT NULL,
	"message_id" text COLLATE "C" NOT NULL,
	"channel_id" text COLLATE "C" NOT NULL,
	"clip_id" text COLLATE "C" NOT NULL,
	"author_id" text COLLATE "C" NOT NULL,
	"hall_channel_id" text COLLATE "C" NOT NULL,
	"state" text COLLATE "C" NOT NULL,
	"nonce" text COLLATE "C" NOT NULL,
	"repost_message_id" text COLLATE "C",
	"posted_count" integer NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"error" text COLLATE "C",
	"claimed_at" bigint NOT NULL,
	"sent_at" bigint,
	"removed_at" bigint,
	CONSTRAINT "hall_of_fame_posts_pkey" PRIMARY KEY("guild_id","message_id")
);
--> statement-breakpoint
CREATE TABLE "hall_of_fame_settings" (
	"guild_id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"channel_id" text COLLATE "C" NOT NULL,
	"threshold" integer NOT NULL,
	"emojis" text COLLATE "C" DEFAULT '[]' NOT NULL,
	"remove_below" integer,
	"self_reactions" boolean DEFAULT false NOT NULL,
	"nsfw" boolean DEFAULT false NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "hall_of_fame_posts_state_idx" ON "hall_of_fame_posts" USING btree ("guild_id","state","claimed_at");--> statement-breakpoint
CREATE INDEX "hall_of_fame_posts_author_idx" ON "hall_of_fame_posts" USING btree ("guild_id","author_id");--> statement-breakpoint
CREATE UNIQUE INDEX "hall_of_fame_posts_repost_uq" ON "hall_of_fame_posts" USING btree ("guild_id","repost_message_id");