CREATE TABLE "engagement_changes" (
	"guild_id" text COLLATE "C" NOT NULL,
	"at" bigint NOT NULL,
	"clip_id" text COLLATE "C" NOT NULL,
	"shares" integer NOT NULL,
	"reactions" integer NOT NULL,
	CONSTRAINT "engagement_changes_pkey" PRIMARY KEY("guild_id","at","clip_id")
);
--> statement-breakpoint
CREATE TABLE "message_observations" (
	"guild_id" text COLLATE "C" NOT NULL,
	"message_id" text COLLATE "C" NOT NULL,
	"observed_at" bigint NOT NULL,
	CONSTRAINT "message_observations_pkey" PRIMARY KEY("guild_id","message_id")
);
--> statement-breakpoint
CREATE TABLE "reaction_baselines" (
	"guild_id" text COLLATE "C" NOT NULL,
	"channel_id" text COLLATE "C" NOT NULL,
	"message_id" text COLLATE "C" NOT NULL,
	"emoji_key" text COLLATE "C" NOT NULL,
	"anonymous_count" integer NOT NULL,
	"observed_at" bigint NOT NULL,
	CONSTRAINT "reaction_baselines_pkey" PRIMARY KEY("guild_id","message_id","emoji_key")
);
--> statement-breakpoint
CREATE TABLE "reactions" (
	"guild_id" text COLLATE "C" NOT NULL,
	"channel_id" text COLLATE "C" NOT NULL,
	"message_id" text COLLATE "C" NOT NULL,
	"emoji_key" text COLLATE "C" NOT NULL,
	"user_id" text COLLATE "C" NOT NULL,
	"reacted_at" bigint NOT NULL,
	CONSTRAINT "reactions_pkey" PRIMARY KEY("guild_id","message_id","emoji_key","user_id")
);
--> statement-breakpoint
CREATE TABLE "shares" (
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "shares_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"guild_id" text COLLATE "C" NOT NULL,
	"channel_id" text COLLATE "C" NOT NULL,
	"thread_id" text COLLATE "C",
	"message_id" text COLLATE "C" NOT NULL,
	"clip_id" text COLLATE "C" NOT NULL,
	"author_id" text COLLATE "C" NOT NULL,
	"author_name" text COLLATE "C" NOT NULL,
	"author_is_bot" boolean DEFAULT false NOT NULL,
	"posted_at" bigint NOT NULL,
	"deleted_at" bigint,
	"source" text COLLATE "C" DEFAULT 'discord' NOT NULL,
	CONSTRAINT "shares_pkey" PRIMARY KEY("guild_id","id")
);
--> statement-breakpoint
CREATE TABLE "clip_view_history" (
	"clip_id" text COLLATE "C" NOT NULL,
	"observed_at" bigint NOT NULL,
	"view_count" bigint NOT NULL,
	CONSTRAINT "clip_view_history_pkey" PRIMARY KEY("clip_id","observed_at")
);
--> statement-breakpoint
CREATE TABLE "clips" (
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "clips_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"guild_id" text COLLATE "C" NOT NULL,
	"clip_id" text COLLATE "C" NOT NULL,
	"url" text COLLATE "C" NOT NULL,
	"title" text COLLATE "C",
	"broadcaster_id" text COLLATE "C",
	"broadcaster_name" text COLLATE "C",
	"creator_id" text COLLATE "C",
	"creator_name" text COLLATE "C",
	"game_id" text COLLATE "C",
	"game_name" text COLLATE "C",
	"view_count" bigint DEFAULT 0 NOT NULL,
	"duration" double precision,
	"thumbnail_url" text COLLATE "C",
	"clip_created_at" bigint,
	"discord_shares" integer DEFAULT 0 NOT NULL,
	"discord_reactions" integer DEFAULT 0 NOT NULL,
	"discord_reaction_types" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"first_seen_at" bigint NOT NULL,
	"first_shared_at" bigint,
	"last_updated_at" bigint NOT NULL,
	"source" text COLLATE "C" DEFAULT 'discord' NOT NULL,
	"enrichment_state" text COLLATE "C" DEFAULT 'pending' NOT NULL,
	"enrichment_attempts" integer DEFAULT 0 NOT NULL,
	"enrichment_error" text COLLATE "C",
	"enrichment_next_attempt_at" bigint DEFAULT 0 NOT NULL,
	"enriched_at" bigint,
	"views_refreshed_at" bigint,
	CONSTRAINT "clips_pkey" PRIMARY KEY("guild_id","id")
);
--> statement-breakpoint
CREATE TABLE "game_name_misses" (
	"game_id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"misses" integer NOT NULL,
	"first_missed_at" bigint NOT NULL,
	"last_missed_at" bigint NOT NULL,
	"next_try_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "latest_names" (
	"guild_id" text COLLATE "C" NOT NULL,
	"kind" text COLLATE "C" NOT NULL,
	"entity_id" text COLLATE "C" NOT NULL,
	"name" text COLLATE "C" NOT NULL,
	"clip_created_at" bigint NOT NULL,
	"clip_id" text COLLATE "C" NOT NULL,
	CONSTRAINT "latest_names_pkey" PRIMARY KEY("guild_id","kind","entity_id")
);
--> statement-breakpoint
CREATE TABLE "twitch_channels" (
	"guild_id" text COLLATE "C" NOT NULL,
	"broadcaster_id" text COLLATE "C" NOT NULL,
	"broadcaster_login" text COLLATE "C" NOT NULL,
	"broadcaster_name" text COLLATE "C" NOT NULL,
	"added_at" bigint NOT NULL,
	"synced_through" bigint,
	"last_sync_at" bigint,
	"last_sync_error" text COLLATE "C",
	CONSTRAINT "twitch_channels_pkey" PRIMARY KEY("guild_id","broadcaster_id")
);
--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "api_tokens_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"guild_id" text COLLATE "C" NOT NULL,
	"name" text COLLATE "C" NOT NULL,
	"token_hash" text COLLATE "C" NOT NULL,
	"prefix" text COLLATE "C" NOT NULL,
	"created_at" bigint NOT NULL,
	"last_used_at" bigint,
	"revoked_at" bigint
);
--> statement-breakpoint
CREATE TABLE "backfill_checkpoints" (
	"guild_id" text COLLATE "C" NOT NULL,
	"channel_id" text COLLATE "C" NOT NULL,
	"before_message_id" text COLLATE "C",
	"since_ts" bigint,
	"messages_scanned" integer DEFAULT 0 NOT NULL,
	"shares_found" integer DEFAULT 0 NOT NULL,
	"completed_at" bigint,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "backfill_checkpoints_pkey" PRIMARY KEY("guild_id","channel_id")
);
--> statement-breakpoint
CREATE TABLE "digest_posts" (
	"guild_id" text COLLATE "C" NOT NULL,
	"week_start" bigint NOT NULL,
	"channel_id" text COLLATE "C" NOT NULL,
	"message_id" text COLLATE "C",
	"status" text COLLATE "C" NOT NULL,
	"error" text COLLATE "C",
	"created_at" bigint NOT NULL,
	CONSTRAINT "digest_posts_pkey" PRIMARY KEY("guild_id","week_start")
);
--> statement-breakpoint
CREATE TABLE "import_runs" (
	"file_path" text COLLATE "C" PRIMARY KEY NOT NULL,
	"guild_id" text COLLATE "C" NOT NULL,
	"channel_id" text COLLATE "C" NOT NULL,
	"file_size" bigint NOT NULL,
	"messages_imported" integer DEFAULT 0 NOT NULL,
	"last_message_id" text COLLATE "C",
	"completed_at" bigint,
	"updated_at" bigint NOT NULL,
	"byte_offset" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "job_runs" (
	"job" text COLLATE "C" PRIMARY KEY NOT NULL,
	"last_started_at" bigint,
	"last_finished_at" bigint,
	"last_error" text COLLATE "C",
	"last_summary" text COLLATE "C"
);
--> statement-breakpoint
CREATE TABLE "guild_settings" (
	"guild_id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"guild_name" text COLLATE "C",
	"capture_channel_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"include_bots" boolean DEFAULT false NOT NULL,
	"timezone" text COLLATE "C" DEFAULT 'UTC' NOT NULL,
	"digest_channel_id" text COLLATE "C",
	"digest_weekday" integer DEFAULT 1 NOT NULL,
	"digest_hour" integer DEFAULT 10 NOT NULL,
	"digest_enabled" boolean DEFAULT true NOT NULL,
	"digest_last_error" text COLLATE "C",
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "aggregation_pending" (
	"guild_id" text COLLATE "C" NOT NULL,
	"period_type" text COLLATE "C" NOT NULL,
	"period_start" bigint NOT NULL,
	"engagement_only" boolean DEFAULT false NOT NULL,
	CONSTRAINT "aggregation_pending_pkey" PRIMARY KEY("guild_id","period_type","period_start")
);
--> statement-breakpoint
CREATE TABLE "analytics_day_top_clips" (
	"guild_id" text COLLATE "C" NOT NULL,
	"game_id" text COLLATE "C" NOT NULL,
	"day_start" bigint NOT NULL,
	"clip_id" text COLLATE "C" NOT NULL,
	"title" text COLLATE "C" NOT NULL,
	"views" bigint NOT NULL,
	CONSTRAINT "analytics_day_top_clips_pkey" PRIMARY KEY("guild_id","game_id","day_start")
);
--> statement-breakpoint
CREATE TABLE "analytics_pair_facts" (
	"guild_id" text COLLATE "C" NOT NULL,
	"period_type" text COLLATE "C" NOT NULL,
	"period_start" bigint NOT NULL,
	"game_id" text COLLATE "C" NOT NULL,
	"creator_id" text COLLATE "C" NOT NULL,
	"clip_count" integer NOT NULL,
	"total_views" bigint NOT NULL,
	"discord_shares" integer NOT NULL,
	"discord_reactions" integer NOT NULL,
	CONSTRAINT "analytics_pair_facts_pkey" PRIMARY KEY("guild_id","period_type","period_start","game_id","creator_id")
);
--> statement-breakpoint
CREATE TABLE "analytics_state" (
	"guild_id" text COLLATE "C" NOT NULL,
	"period_type" text COLLATE "C" NOT NULL,
	"timezone" text COLLATE "C" NOT NULL,
	"last_full_at" bigint NOT NULL,
	"last_run_at" bigint NOT NULL,
	"facts_version" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "analytics_state_pkey" PRIMARY KEY("guild_id","period_type")
);
--> statement-breakpoint
CREATE TABLE "creator_analytics" (
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "creator_analytics_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"guild_id" text COLLATE "C" NOT NULL,
	"creator_id" text COLLATE "C" NOT NULL,
	"creator_name" text COLLATE "C" NOT NULL,
	"period_type" text COLLATE "C" NOT NULL,
	"period_start" bigint NOT NULL,
	"period_end" bigint,
	"clip_count" integer DEFAULT 0 NOT NULL,
	"total_views" bigint DEFAULT 0 NOT NULL,
	"avg_views" double precision DEFAULT 0 NOT NULL,
	"discord_shares" integer DEFAULT 0 NOT NULL,
	"discord_reactions" integer DEFAULT 0 NOT NULL,
	"unique_games" integer DEFAULT 0 NOT NULL,
	"top_game_id" text COLLATE "C",
	"top_game_name" text COLLATE "C",
	"computed_at" bigint NOT NULL,
	CONSTRAINT "creator_analytics_pkey" PRIMARY KEY("guild_id","id")
);
--> statement-breakpoint
CREATE TABLE "dirty_hours" (
	"guild_id" text COLLATE "C" NOT NULL,
	"hour_start" bigint NOT NULL,
	"engagement_only" boolean DEFAULT false NOT NULL,
	CONSTRAINT "dirty_hours_pkey" PRIMARY KEY("guild_id","hour_start")
);
--> statement-breakpoint
CREATE TABLE "game_analytics" (
	"id" bigint GENERATED ALWAYS AS IDENTITY (sequence name "game_analytics_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"guild_id" text COLLATE "C" NOT NULL,
	"game_id" text COLLATE "C" NOT NULL,
	"game_name" text COLLATE "C" NOT NULL,
	"period_type" text COLLATE "C" NOT NULL,
	"period_start" bigint NOT NULL,
	"period_end" bigint,
	"clip_count" integer DEFAULT 0 NOT NULL,
	"total_views" bigint DEFAULT 0 NOT NULL,
	"avg_view_count" double precision DEFAULT 0 NOT NULL,
	"unique_creators" integer DEFAULT 0 NOT NULL,
	"discord_shares" integer DEFAULT 0 NOT NULL,
	"discord_reactions" integer DEFAULT 0 NOT NULL,
	"top_clip_id" text COLLATE "C",
	"top_clip_title" text COLLATE "C",
	"top_clip_views" bigint,
	"computed_at" bigint NOT NULL,
	CONSTRAINT "game_analytics_pkey" PRIMARY KEY("guild_id","id")
);
--> statement-breakpoint
CREATE TABLE "guild_peak_activity" (
	"guild_id" text COLLATE "C" NOT NULL,
	"period_type" text COLLATE "C" NOT NULL,
	"period_start" bigint NOT NULL,
	"weekday" integer NOT NULL,
	"hour" integer NOT NULL,
	"clips" integer NOT NULL,
	"shares" integer NOT NULL,
	CONSTRAINT "guild_peak_activity_pkey" PRIMARY KEY("guild_id","period_type","period_start","weekday","hour")
);
--> statement-breakpoint
CREATE TABLE "guild_period_stats" (
	"guild_id" text COLLATE "C" NOT NULL,
	"period_type" text COLLATE "C" NOT NULL,
	"period_start" bigint NOT NULL,
	"period_end" bigint,
	"clip_count" integer NOT NULL,
	"total_views" bigint NOT NULL,
	"unique_creators" integer NOT NULL,
	"unique_games" integer NOT NULL,
	"discord_shares" integer NOT NULL,
	"discord_reactions" integer NOT NULL,
	"first_clip_at" bigint,
	"last_clip_at" bigint,
	"computed_at" bigint NOT NULL,
	CONSTRAINT "guild_period_stats_pkey" PRIMARY KEY("guild_id","period_type","period_start")
);
--> statement-breakpoint
CREATE INDEX "reaction_baselines_guild_observed_idx" ON "reaction_baselines" USING btree ("guild_id","observed_at");--> statement-breakpoint
CREATE INDEX "reactions_guild_reacted_idx" ON "reactions" USING btree ("guild_id","reacted_at");--> statement-breakpoint
CREATE UNIQUE INDEX "shares_guild_message_clip_uq" ON "shares" USING btree ("guild_id","message_id","clip_id");--> statement-breakpoint
CREATE INDEX "shares_guild_clip_idx" ON "shares" USING btree ("guild_id","clip_id");--> statement-breakpoint
CREATE INDEX "shares_guild_posted_idx" ON "shares" USING btree ("guild_id","posted_at");--> statement-breakpoint
CREATE INDEX "shares_guild_author_idx" ON "shares" USING btree ("guild_id","author_id");--> statement-breakpoint
CREATE UNIQUE INDEX "clips_guild_clip_uq" ON "clips" USING btree ("guild_id","clip_id");--> statement-breakpoint
CREATE INDEX "clips_guild_creator_idx" ON "clips" USING btree ("guild_id","creator_id");--> statement-breakpoint
CREATE INDEX "clips_guild_game_idx" ON "clips" USING btree ("guild_id","game_id");--> statement-breakpoint
CREATE INDEX "clips_guild_created_idx" ON "clips" USING btree ("guild_id","clip_created_at");--> statement-breakpoint
CREATE INDEX "clips_guild_views_idx" ON "clips" USING btree ("guild_id","view_count");--> statement-breakpoint
CREATE INDEX "clips_clip_id_idx" ON "clips" USING btree ("clip_id");--> statement-breakpoint
CREATE INDEX "clips_enrichment_idx" ON "clips" USING btree ("enrichment_state","enrichment_next_attempt_at");--> statement-breakpoint
CREATE INDEX "clips_guild_updated_idx" ON "clips" USING btree ("guild_id","last_updated_at");--> statement-breakpoint
CREATE INDEX "clips_guild_creator_created_idx" ON "clips" USING btree ("guild_id","creator_id","clip_created_at");--> statement-breakpoint
CREATE INDEX "clips_guild_game_created_idx" ON "clips" USING btree ("guild_id","game_id","clip_created_at");--> statement-breakpoint
CREATE INDEX "clips_guild_reactions_idx" ON "clips" USING btree ("guild_id","discord_reactions");--> statement-breakpoint
CREATE INDEX "clips_unnamed_game_idx" ON "clips" USING btree ("game_id") WHERE "clips"."game_name" IS NULL AND "clips"."game_id" <> '';--> statement-breakpoint
CREATE UNIQUE INDEX "api_tokens_hash_uq" ON "api_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "api_tokens_guild_idx" ON "api_tokens" USING btree ("guild_id");--> statement-breakpoint
CREATE INDEX "analytics_day_top_clips_day_idx" ON "analytics_day_top_clips" USING btree ("guild_id","day_start");--> statement-breakpoint
CREATE INDEX "analytics_day_top_clips_views_idx" ON "analytics_day_top_clips" USING btree ("guild_id","game_id","views");--> statement-breakpoint
CREATE INDEX "analytics_pair_facts_creator_idx" ON "analytics_pair_facts" USING btree ("guild_id","period_type","period_start","creator_id");--> statement-breakpoint
CREATE UNIQUE INDEX "creator_analytics_uq" ON "creator_analytics" USING btree ("guild_id","creator_id","period_type","period_start");--> statement-breakpoint
CREATE INDEX "creator_analytics_rank_idx" ON "creator_analytics" USING btree ("guild_id","period_type","period_start","clip_count" DESC NULLS FIRST,"creator_id");--> statement-breakpoint
CREATE INDEX "creator_analytics_views_idx" ON "creator_analytics" USING btree ("guild_id","period_type","period_start","total_views" DESC NULLS FIRST,"clip_count" DESC NULLS FIRST,"creator_id");--> statement-breakpoint
CREATE INDEX "creator_analytics_avg_idx" ON "creator_analytics" USING btree ("guild_id","period_type","period_start","avg_views" DESC NULLS FIRST,"clip_count" DESC NULLS FIRST,"creator_id");--> statement-breakpoint
CREATE INDEX "creator_analytics_shares_idx" ON "creator_analytics" USING btree ("guild_id","period_type","period_start","discord_shares" DESC NULLS FIRST,"clip_count" DESC NULLS FIRST,"creator_id");--> statement-breakpoint
CREATE INDEX "creator_analytics_reactions_idx" ON "creator_analytics" USING btree ("guild_id","period_type","period_start","discord_reactions" DESC NULLS FIRST,"clip_count" DESC NULLS FIRST,"creator_id");--> statement-breakpoint
CREATE UNIQUE INDEX "game_analytics_uq" ON "game_analytics" USING btree ("guild_id","game_id","period_type","period_start");--> statement-breakpoint
CREATE INDEX "game_analytics_rank_idx" ON "game_analytics" USING btree ("guild_id","period_type","period_start","clip_count");--> statement-breakpoint
CREATE INDEX "game_analytics_views_idx" ON "game_analytics" USING btree ("guild_id","period_type","period_start","total_views");--> statement-breakpoint
CREATE INDEX "game_analytics_avg_idx" ON "game_analytics" USING btree ("guild_id","period_type","period_start","avg_view_count");--> statement-breakpoint
CREATE INDEX "game_analytics_shares_idx" ON "game_analytics" USING btree ("guild_id","period_type","period_start","discord_shares");--> statement-breakpoint
CREATE INDEX "game_analytics_reactions_idx" ON "game_analytics" USING btree ("guild_id","period_type","period_start","discord_reactions");