CREATE TABLE `hall_of_fame_posts` (
	`guild_id` text NOT NULL,
	`message_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`clip_id` text NOT NULL,
	`author_id` text NOT NULL,
	`hall_channel_id` text NOT NULL,
	`state` text NOT NULL,
	`nonce` text NOT NULL,
	`repost_message_id` text,
	`posted_count` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`error` text,
	`claimed_at` integer NOT NULL,
	`sent_at` integer,
	`removed_at` integer,
	PRIMARY KEY(`guild_id`, `message_id`)
);
--> statement-breakpoint
CREATE INDEX `hall_of_fame_posts_state_idx` ON `hall_of_fame_posts` (`guild_id`,`state`,`claimed_at`);--> statement-breakpoint
CREATE INDEX `hall_of_fame_posts_author_idx` ON `hall_of_fame_posts` (`guild_id`,`author_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `hall_of_fame_posts_repost_uq` ON `hall_of_fame_posts` (`guild_id`,`repost_message_id`);--> statement-breakpoint
CREATE TABLE `hall_of_fame_settings` (
	`guild_id` text PRIMARY KEY NOT NULL,
	`channel_id` text NOT NULL,
	`threshold` integer NOT NULL,
	`emojis` text DEFAULT '[]' NOT NULL,
	`remove_below` integer,
	`self_reactions` integer DEFAULT false NOT NULL,
	`nsfw` integer DEFAULT false NOT NULL,
	`updated_at` integer NOT NULL
);
