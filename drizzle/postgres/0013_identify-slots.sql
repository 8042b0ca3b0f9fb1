CREATE TABLE "identify_slots" (
	"rate_limit_key" integer PRIMARY KEY NOT NULL,
	"identified_at" bigint NOT NULL,
	"holder" text COLLATE "C" NOT NULL,
	"shard_id" integer NOT NULL
);
