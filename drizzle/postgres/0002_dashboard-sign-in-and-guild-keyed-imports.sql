CREATE TABLE "dashboard_session_guilds" (
	"session_hash" text COLLATE "C" NOT NULL,
	"guild_id" text COLLATE "C" NOT NULL,
	"guild_name" text COLLATE "C" NOT NULL,
	"guild_icon" text COLLATE "C",
	"access" text COLLATE "C" NOT NULL,
	"checked_at" bigint NOT NULL,
	CONSTRAINT "dashboard_session_guilds_session_hash_guild_id_pk" PRIMARY KEY("session_hash","guild_id")
);
--> statement-breakpoint
CREATE TABLE "dashboard_sessions" (
	"id_hash" text COLLATE "C" PRIMARY KEY NOT NULL,
	"user_id" text COLLATE "C" NOT NULL,
	"user_name" text COLLATE "C" NOT NULL,
	"user_avatar" text COLLATE "C",
	"discord_tokens" text COLLATE "C" NOT NULL,
	"token_expires_at" bigint NOT NULL,
	"guilds_read_at" bigint NOT NULL,
	"created_at" bigint NOT NULL,
	"last_seen_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dashboard_sign_ins" (
	"state_hash" text COLLATE "C" PRIMARY KEY NOT NULL,
	"browser_hash" text COLLATE "C" NOT NULL,
	"purpose" text COLLATE "C" NOT NULL,
	"session_hash" text COLLATE "C",
	"return_to" text COLLATE "C" NOT NULL,
	"created_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "twitch_links" (
	"guild_id" text COLLATE "C" NOT NULL,
	"discord_user_id" text COLLATE "C" NOT NULL,
	"discord_name" text COLLATE "C" NOT NULL,
	"twitch_user_id" text COLLATE "C" NOT NULL,
	"twitch_name" text COLLATE "C" NOT NULL,
	"linked_at" bigint NOT NULL,
	CONSTRAINT "twitch_links_guild_id_discord_user_id_pk" PRIMARY KEY("guild_id","discord_user_id")
);
--> statement-breakpoint
CREATE TABLE "settings_changes" (
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "settings_changes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"guild_id" text COLLATE "C" NOT NULL,
	"changed_at" bigint NOT NULL,
	"actor_id" text COLLATE "C" NOT NULL,
	"actor_name" text COLLATE "C" NOT NULL,
	"source" text COLLATE "C" NOT NULL,
	"field" text COLLATE "C" NOT NULL,
	"old_value" text COLLATE "C",
	"new_value" text COLLATE "C",
	CONSTRAINT "settings_changes_guild_id_id_pk" PRIMARY KEY("guild_id","id")
);
--> statement-breakpoint
ALTER TABLE "import_runs" DROP CONSTRAINT "import_runs_pkey";--> statement-breakpoint
ALTER TABLE "import_runs" ADD CONSTRAINT "import_runs_guild_id_file_path_pk" PRIMARY KEY("guild_id","file_path");--> statement-breakpoint
ALTER TABLE "guild_settings" ADD COLUMN "dashboard_viewer_role_id" text COLLATE "C";--> statement-breakpoint
CREATE INDEX "dashboard_sessions_user_idx" ON "dashboard_sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "dashboard_sessions_expires_idx" ON "dashboard_sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "dashboard_sign_ins_expires_idx" ON "dashboard_sign_ins" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "twitch_links_twitch_idx" ON "twitch_links" USING btree ("guild_id","twitch_user_id");--> statement-breakpoint
CREATE INDEX "settings_changes_guild_idx" ON "settings_changes" USING btree ("guild_id","changed_at");