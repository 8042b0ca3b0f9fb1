CREATE TABLE `report_email_recipients` (
	`guild_id` text NOT NULL,
	`address` text NOT NULL,
	`added_at` integer NOT NULL,
	PRIMARY KEY(`guild_id`, `address`)
);
--> statement-breakpoint
CREATE TABLE `report_emails` (
	`guild_id` text NOT NULL,
	`month_start` integer NOT NULL,
	`address` text NOT NULL,
	`state` text NOT NULL,
	`message_id` text,
	`error` text,
	`attempts` integer NOT NULL,
	`claimed_at` integer NOT NULL,
	PRIMARY KEY(`guild_id`, `month_start`, `address`)
);
