CREATE TABLE `helix_budgets` (
	`client_id` text PRIMARY KEY NOT NULL,
	`points` real NOT NULL,
	`refilled_at` integer NOT NULL,
	`last_grant` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `helix_clip_claims` (
	`clip_id` text PRIMARY KEY NOT NULL,
	`holder` text NOT NULL,
	`host` text NOT NULL,
	`pid` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `helix_clip_claims_holder_idx` ON `helix_clip_claims` (`holder`);