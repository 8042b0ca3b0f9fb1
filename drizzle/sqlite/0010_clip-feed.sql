CREATE TABLE `feed_clips` (
	`clip_id` text PRIMARY KEY NOT NULL,
	`broadcaster_id` text NOT NULL,
	`url` text NOT NULL,
	`title` text NOT NULL,
	`creator_id` text NOT NULL,
	`creator_name` text NOT NULL,
	`game_id` text NOT NULL,
	`game_name` text,
	`view_count` integer NOT NULL,
	`duration` real NOT NULL,
	`clip_created_at` integer NOT NULL,
	`first_seen_at` integer NOT NULL,
	`views_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `feed_clips_broadcaster_idx` ON `feed_clips` (`broadcaster_id`,`clip_created_at`);--> statement-breakpoint
CREATE TABLE `feed_poll_state` (
	`broadcaster_id` text PRIMARY KEY NOT NULL,
	`polled_through` integer,
	`last_poll_at` integer,
	`next_poll_at` integer DEFAULT 0 NOT NULL,
	`interval_ms` integer NOT NULL,
	`window_start` integer,
	`window_end` integer,
	`cursor` text,
	`lease_owner` text,
	`lease_until` integer,
	`last_error` text
);
--> statement-breakpoint
CREATE TABLE `feed_posts` (
	`guild_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`clip_id` text NOT NULL,
	`kind` text NOT NULL,
	`feed_id` integer NOT NULL,
	`state` text NOT NULL,
	`nonce` text NOT NULL,
	`message_id` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`error` text,
	`claimed_at` integer NOT NULL,
	`sent_at` integer,
	PRIMARY KEY(`guild_id`, `channel_id`, `clip_id`, `kind`)
);
--> statement-breakpoint
CREATE INDEX `feed_posts_feed_sent_idx` ON `feed_posts` (`guild_id`,`feed_id`,`sent_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `feed_posts_message_uq` ON `feed_posts` (`guild_id`,`message_id`);--> statement-breakpoint
CREATE TABLE `feeds` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`guild_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`broadcaster_id` text NOT NULL,
	`broadcaster_login` text NOT NULL,
	`broadcaster_name` text NOT NULL,
	`min_views` integer DEFAULT 0 NOT NULL,
	`games` text DEFAULT '[]' NOT NULL,
	`exclude_games` text DEFAULT '[]' NOT NULL,
	`creators_exclude` text DEFAULT '[]' NOT NULL,
	`max_per_hour` integer,
	`mention_role_id` text,
	`post_member_shared` integer DEFAULT true NOT NULL,
	`taking_off` integer DEFAULT true NOT NULL,
	`alert_channel_id` text,
	`paused` integer DEFAULT false NOT NULL,
	`pause_cause` text,
	`pause_reason` text,
	`starts_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `feeds_guild_idx` ON `feeds` (`guild_id`,`channel_id`);--> statement-breakpoint
CREATE INDEX `feeds_broadcaster_idx` ON `feeds` (`broadcaster_id`);