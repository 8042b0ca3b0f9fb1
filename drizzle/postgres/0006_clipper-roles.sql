CREATE TABLE "role_changes" (
	"guild_id" text COLLATE "C" NOT NULL,
	"change_id" text COLLATE "C" NOT NULL,
	"role_id" text COLLATE "C" NOT NULL,
	"user_id" text COLLATE "C" NOT NULL,
	"action" text COLLATE "C" NOT NULL,
	"reason" text COLLATE "C" NOT NULL,
	"changed_at" bigint NOT NULL,
	CONSTRAINT "role_changes_pkey" PRIMARY KEY("guild_id","change_id")
);
--> statement-breakpoint
CREATE TABLE "role_grants" (
	"guild_id" text COLLATE "C" NOT NULL,
	"role_id" text COLLATE "C" NOT NULL,
	"user_id" text COLLATE "C" NOT NULL,
	"granted_at" bigint NOT NULL,
	CONSTRAINT "role_grants_pkey" PRIMARY KEY("guild_id","role_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "role_rules" (
	"guild_id" text COLLATE "C" NOT NULL,
	"role_id" text COLLATE "C" NOT NULL,
	"kind" text COLLATE "C" NOT NULL,
	"period" text COLLATE "C" NOT NULL,
	"top" integer,
	"min" integer,
	"state" text COLLATE "C" NOT NULL,
	"previewed_at" bigint,
	"created_by" text COLLATE "C" NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "role_rules_pkey" PRIMARY KEY("guild_id","role_id")
);
--> statement-breakpoint
CREATE INDEX "role_changes_guild_time_idx" ON "role_changes" USING btree ("guild_id","changed_at");--> statement-breakpoint
CREATE INDEX "role_rules_state_idx" ON "role_rules" USING btree ("state","guild_id");