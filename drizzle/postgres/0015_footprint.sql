DROP INDEX "shares_guild_author_idx";--> statement-breakpoint
DROP INDEX "clips_guild_creator_idx";--> statement-breakpoint
DROP INDEX "clips_guild_game_idx";