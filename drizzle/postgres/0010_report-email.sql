CREATE TABLE "report_email_recipients" (
	"guild_id" text COLLATE "C" NOT NULL,
	"address" text COLLATE "C" NOT NULL,
	"added_at" bigint NOT NULL,
	CONSTRAINT "report_email_recipients_pkey" PRIMARY KEY("guild_id","address")
);
--> statement-breakpoint
CREATE TABLE "report_emails" (
	"guild_id" text COLLATE "C" NOT NULL,
	"month_start" bigint NOT NULL,
	"address" text COLLATE "C" NOT NULL,
	"state" text COLLATE "C" NOT NULL,
	"message_id" text COLLATE "C",
	"error" text COLLATE "C",
	"attempts" integer NOT NULL,
	"claimed_at" bigint NOT NULL,
	CONSTRAINT "report_emails_pkey" PRIMARY KEY("guild_id","month_start","address")
);
