CREATE TABLE "job_leases" (
	"job" text COLLATE "C" PRIMARY KEY NOT NULL,
	"holder" text COLLATE "C" NOT NULL,
	"expires_at" bigint NOT NULL,
	"last_tick" bigint,
	"taken_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "job_run_history" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "job_run_history_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"job" text COLLATE "C" NOT NULL,
	"tick" bigint,
	"holder" text COLLATE "C" NOT NULL,
	"started_at" bigint NOT NULL,
	"finished_at" bigint,
	"error" text COLLATE "C"
);
--> statement-breakpoint
CREATE INDEX "job_run_history_job_idx" ON "job_run_history" USING btree ("job","id");