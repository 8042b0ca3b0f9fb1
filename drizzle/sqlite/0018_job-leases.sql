CREATE TABLE `job_leases` (
	`job` text PRIMARY KEY NOT NULL,
	`holder` text NOT NULL,
	`expires_at` integer NOT NULL,
	`last_tick` integer,
	`taken_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `job_run_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`job` text NOT NULL,
	`tick` integer,
	`holder` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `job_run_history_job_idx` ON `job_run_history` (`job`,`id`);