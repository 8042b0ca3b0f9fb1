CREATE TABLE `latest_names` (
	`guild_id` text NOT NULL,
	`kind` text NOT NULL,
	`entity_id` text NOT NULL,
	`name` text NOT NULL,
	`clip_created_at` integer NOT NULL,
	`clip_id` text NOT NULL,
	PRIMARY KEY(`guild_id`, `kind`, `entity_id`)
) WITHOUT ROWID;
