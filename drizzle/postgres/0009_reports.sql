CREATE TABLE "report_posts" (
	"guild_id" text COLLATE "C" NOT NULL,
	"month_start" bigint NOT NULL,
	"channel_id" text COLLATE "C" NOT NULL,
	"state" text COLLATE "C" NOT NULL,
	"message_id" text COLLATE "C",
	"error" text COLLATE "C",
	"claimed_at" bigint NOT NULL,
	CONSTRAINT "report_posts_pkey" PRIMARY KEY("guild_id","month_start")
);
--> statement-breakpoint
CREATE TABLE "report_settings" (
	"guild_id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"channel_id" text COLLATE "C" NOT NULL,
	"updated_at" bigint NOT NULL
);
