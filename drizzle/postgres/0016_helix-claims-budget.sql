CREATE TABLE "helix_budgets" (
	"client_id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"points" double precision NOT NULL,
	"refilled_at" bigint NOT NULL,
	"last_grant" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "helix_clip_claims" (
	"clip_id" text COLLATE "C" PRIMARY KEY NOT NULL,
	"holder" text COLLATE "C" NOT NULL,
	"host" text COLLATE "C" NOT NULL,
	"pid" integer NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "helix_clip_claims_holder_idx" ON "helix_clip_claims" USING btree ("holder");