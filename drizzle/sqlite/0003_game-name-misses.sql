CREATE TABLE `game_name_misses` (
	`game_id` text PRIMARY KEY NOT NULL,
	`misses` integer NOT NULL,
	`first_missed_at` integer NOT NULL,
	`last_missed_at` integer NOT NULL,
	`next_try_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `clips_unnamed_game_idx` ON `clips` (`game_id`) WHERE "clips"."game_name" IS NULL AND "clips"."game_id" <> '';