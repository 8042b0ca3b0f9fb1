CREATE TABLE `identify_slots` (
	`rate_limit_key` integer PRIMARY KEY NOT NULL,
	`identified_at` integer NOT NULL,
	`holder` text NOT NULL,
	`shard_id` integer NOT NULL
);
