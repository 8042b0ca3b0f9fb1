CREATE TABLE "helix_budgets" (
	"client_id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"capacity" integer NOT NULL,
	"window_ms" integer NOT NULL,
	"milli_points" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"last_grant" integer DEFAULT 0 NOT NULL,
	"last_limit" integer,
	"last_remaining" integer,
	"observed_at" bigint
);
--> statement-breakpoint
CREATE TABLE "helix_grants" (
	"client_id" text COLLATE "C" NOT NULL,
	"holder" text COLLATE "C" NOT NULL,
	"points" integer NOT NULL,
	"expires_at" bigint NOT NULL,
	CONSTRAINT "helix_grants_pkey" PRIMARY KEY("client_id","holder")
);
--> statement-breakpoint
CREATE TABLE "twitch_clip_claims" (
	"clip_id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"holder" text COLLATE "C" NOT NULL,
	"expires_at" bigint NOT NULL
);
