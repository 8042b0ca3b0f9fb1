CREATE TABLE `helix_budgets` (
	`client_id` text PRIMARY KEY NOT NULL,
	`capacity` integer NOT NULL,
	`window_ms` integer NOT NULL,
	`milli_points` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`last_grant` integer DEFAULT 0 NOT NULL,
	`last_limit` integer,
	`last_remaining` integer,
	`observed_at` integer
);
--> statement-breakpoint
CREATE TABLE `helix_grants` (
	`client_id` text NOT NULL,
	`holder` text NOT NULL,
	`points` integer NOT NULL,
	`expires_at` integer NOT NULL,
	PRIMARY KEY(`client_id`, `holder`)
);
--> statement-breakpoint
CREATE TABLE `twitch_clip_claims` (
	`clip_id` text PRIMARY KEY NOT NULL,
	`holder` text NOT NULL,
	`expires_at` integer NOT NULL
);
