-- Summary rows carry exact display names: creator_analytics.creator_name and .top_game_name and
-- game_analytics.game_name always equal the display name of the creator or game in latest_names (its name there;
-- the creator id, or "Game <id>", when it has none; "Unknown game" for Twitch's no-game id ''), so a leaderboard
-- reads its names with its rows instead of joining latest_names twice per row. The aggregator writes names it
-- reads from latest_names inside the same write transaction; these triggers carry every later change of
-- latest_names (kept by the triggers on clips) into the rows already written. Only rows whose name differs are
-- written.
--
-- The clips triggers of 0005 recomputed a changed or deleted clip's keys by deleting their latest_names rows and
-- inserting them again, which would now rewrite every summary row of the creator or game twice for each clip
-- changed (a game Twitch renames, refreshed clip by clip, would cost two passes over the guild per clip). They are
-- replaced by ones that write the recomputed row only where it differs, and delete it only when no clip names the
-- key any more.
DROP TRIGGER `clips_creator_name_after_change`;
--> statement-breakpoint
DROP TRIGGER `clips_creator_name_after_delete`;
--> statement-breakpoint
DROP TRIGGER `clips_game_name_after_change`;
--> statement-breakpoint
DROP TRIGGER `clips_game_name_after_delete`;
--> statement-breakpoint
CREATE TRIGGER `clips_creator_name_after_change` AFTER UPDATE OF guild_id, clip_id, creator_id, creator_name, clip_created_at ON `clips`
WHEN (OLD.creator_id IS NOT NULL AND OLD.creator_name IS NOT NULL AND OLD.clip_created_at IS NOT NULL) AND (OLD.guild_id IS NOT NEW.guild_id OR OLD.clip_id IS NOT NEW.clip_id OR OLD.creator_id IS NOT NEW.creator_id OR OLD.creator_name IS NOT NEW.creator_name OR OLD.clip_created_at IS NOT NEW.clip_created_at)
BEGIN
  DELETE FROM latest_names WHERE guild_id = OLD.guild_id AND kind = 'creator' AND entity_id = OLD.creator_id
     AND NOT EXISTS (SELECT 1 FROM clips WHERE guild_id = OLD.guild_id AND creator_id = OLD.creator_id AND clips.creator_name IS NOT NULL AND clip_created_at IS NOT NULL);
  INSERT INTO latest_names (guild_id, kind, entity_id, name, clip_created_at, clip_id)
  SELECT guild_id, 'creator', creator_id, creator_name, clip_created_at, clip_id FROM clips
   WHERE guild_id = OLD.guild_id AND creator_id = OLD.creator_id AND clips.creator_name IS NOT NULL AND clip_created_at IS NOT NULL
   ORDER BY clip_created_at DESC, clip_id DESC LIMIT 1
  ON CONFLICT (guild_id, kind, entity_id) DO UPDATE
    SET name = excluded.name, clip_created_at = excluded.clip_created_at, clip_id = excluded.clip_id
    WHERE latest_names.name IS NOT excluded.name OR latest_names.clip_created_at IS NOT excluded.clip_created_at
       OR latest_names.clip_id IS NOT excluded.clip_id;
  DELETE FROM latest_names WHERE guild_id = NEW.guild_id AND kind = 'creator' AND entity_id = NEW.creator_id
     AND NOT EXISTS (SELECT 1 FROM clips WHERE guild_id = NEW.guild_id AND creator_id = NEW.creator_id AND clips.creator_name IS NOT NULL AND clip_created_at IS NOT NULL);
  INSERT INTO latest_names (guild_id, kind, entity_id, name, clip_created_at, clip_id)
  SELECT guild_id, 'creator', creator_id, creator_name, clip_created_at, clip_id FROM clips
   WHERE guild_id = NEW.guild_id AND creator_id = NEW.creator_id AND clips.creator_name IS NOT NULL AND clip_created_at IS NOT NULL
   ORDER BY clip_created_at DESC, clip_id DESC LIMIT 1
  ON CONFLICT (guild_id, kind, entity_id) DO UPDATE
    SET name = excluded.name, clip_created_at = excluded.clip_created_at, clip_id = excluded.clip_id
    WHERE latest_names.name IS NOT excluded.name OR latest_names.clip_created_at IS NOT excluded.clip_created_at
       OR latest_names.clip_id IS NOT excluded.clip_id;
END;
--> statement-breakpoint
CREATE TRIGGER `clips_creator_name_after_delete` AFTER DELETE ON `clips`
WHEN OLD.creator_id IS NOT NULL AND OLD.creator_name IS NOT NULL AND OLD.clip_created_at IS NOT NULL
BEGIN
  DELETE FROM latest_names WHERE guild_id = OLD.guild_id AND kind = 'creator' AND entity_id = OLD.creator_id
     AND NOT EXISTS (SELECT 1 FROM clips WHERE guild_id = OLD.guild_id AND creator_id = OLD.creator_id AND clips.creator_name IS NOT NULL AND clip_created_at IS NOT NULL);
  INSERT INTO latest_names (guild_id, kind, entity_id, name, clip_created_at, clip_id)
  SELECT guild_id, 'creator', creator_id, creator_name, clip_created_at, clip_id FROM clips
   WHERE guild_id = OLD.guild_id AND creator_id = OLD.creator_id AND clips.creator_name IS NOT NULL AND clip_created_at IS NOT NULL
   ORDER BY clip_created_at DESC, clip_id DESC LIMIT 1
  ON CONFLICT (guild_id, kind, entity_id) DO UPDATE
    SET name = excluded.name, clip_created_at = excluded.clip_created_at, clip_id = excluded.clip_id
    WHERE latest_names.name IS NOT excluded.name OR latest_names.clip_created_at IS NOT excluded.clip_created_at
       OR latest_names.clip_id IS NOT excluded.clip_id;
END;
--> statement-breakpoint
CREATE TRIGGER `clips_game_name_after_change` AFTER UPDATE OF guild_id, clip_id, game_id, game_name, clip_created_at ON `clips`
WHEN (OLD.game_id IS NOT NULL AND OLD.game_name IS NOT NULL AND OLD.game_name <> '' AND OLD.clip_created_at IS NOT NULL) AND (OLD.guild_id IS NOT NEW.guild_id OR OLD.clip_id IS NOT NEW.clip_id OR OLD.game_id IS NOT NEW.game_id OR OLD.game_name IS NOT NEW.game_name OR OLD.clip_created_at IS NOT NEW.clip_created_at)
BEGIN
  DELETE FROM latest_names WHERE guild_id = OLD.guild_id AND kind = 'game' AND entity_id = OLD.game_id
     AND NOT EXISTS (SELECT 1 FROM clips WHERE guild_id = OLD.guild_id AND game_id = OLD.game_id AND clips.game_name IS NOT NULL AND clips.game_name <> '' AND clip_created_at IS NOT NULL);
  INSERT INTO latest_names (guild_id, kind, entity_id, name, clip_created_at, clip_id)
  SELECT guild_id, 'game', game_id, game_name, clip_created_at, clip_id FROM clips
   WHERE guild_id = OLD.guild_id AND game_id = OLD.game_id AND clips.game_name IS NOT NULL AND clips.game_name <> '' AND clip_created_at IS NOT NULL
   ORDER BY clip_created_at DESC, clip_id DESC LIMIT 1
  ON CONFLICT (guild_id, kind, entity_id) DO UPDATE
    SET name = excluded.name, clip_created_at = excluded.clip_created_at, clip_id = excluded.clip_id
    WHERE latest_names.name IS NOT excluded.name OR latest_names.clip_created_at IS NOT excluded.clip_created_at
       OR latest_names.clip_id IS NOT excluded.clip_id;
  DELETE FROM latest_names WHERE guild_id = NEW.guild_id AND kind = 'game' AND entity_id = NEW.game_id
     AND NOT EXISTS (SELECT 1 FROM clips WHERE guild_id = NEW.guild_id AND game_id = NEW.game_id AND clips.game_name IS NOT NULL AND clips.game_name <> '' AND clip_created_at IS NOT NULL);
  INSERT INTO latest_names (guild_id, kind, entity_id, name, clip_created_at, clip_id)
  SELECT guild_id, 'game', game_id, game_name, clip_created_at, clip_id FROM clips
   WHERE guild_id = NEW.guild_id AND game_id = NEW.game_id AND clips.game_name IS NOT NULL AND clips.game_name <> '' AND clip_created_at IS NOT NULL
   ORDER BY clip_created_at DESC, clip_id DESC LIMIT 1
  ON CONFLICT (guild_id, kind, entity_id) DO UPDATE
    SET name = excluded.name, clip_created_at = excluded.clip_created_at, clip_id = excluded.clip_id
    WHERE latest_names.name IS NOT excluded.name OR latest_names.clip_created_at IS NOT excluded.clip_created_at
       OR latest_names.clip_id IS NOT excluded.clip_id;
END;
--> statement-breakpoint
CREATE TRIGGER `clips_game_name_after_delete` AFTER DELETE ON `clips`
WHEN OLD.game_id IS NOT NULL AND OLD.game_name IS NOT NULL AND OLD.game_name <> '' AND OLD.clip_created_at IS NOT NULL
BEGIN
  DELETE FROM latest_names WHERE guild_id = OLD.guild_id AND kind = 'game' AND entity_id = OLD.game_id
     AND NOT EXISTS (SELECT 1 FROM clips WHERE guild_id = OLD.guild_id AND game_id = OLD.game_id AND clips.game_name IS NOT NULL AND clips.game_name <> '' AND clip_created_at IS NOT NULL);
  INSERT INTO latest_names (guild_id, kind, entity_id, name, clip_created_at, clip_id)
  SELECT guild_id, 'game', game_id, game_name, clip_created_at, clip_id FROM clips
   WHERE guild_id = OLD.guild_id AND game_id = OLD.game_id AND clips.game_name IS NOT NULL AND clips.game_name <> '' AND clip_created_at IS NOT NULL
   ORDER BY clip_created_at DESC, clip_id DESC LIMIT 1
  ON CONFLICT (guild_id, kind, entity_id) DO UPDATE
    SET name = excluded.name, clip_created_at = excluded.clip_created_at, clip_id = excluded.clip_id
    WHERE latest_names.name IS NOT excluded.name OR latest_names.clip_created_at IS NOT excluded.clip_created_at
       OR latest_names.clip_id IS NOT excluded.clip_id;
END;
--> statement-breakpoint
-- Rows written before this migration: brought up to date once.
UPDATE `creator_analytics` SET `creator_name` = coalesce(
    (SELECT ln.name FROM latest_names ln WHERE ln.guild_id = creator_analytics.guild_id AND ln.kind = 'creator' AND ln.entity_id = creator_analytics.creator_id),
    creator_analytics.creator_id)
 WHERE `creator_name` IS NOT coalesce(
    (SELECT ln.name FROM latest_names ln WHERE ln.guild_id = creator_analytics.guild_id AND ln.kind = 'creator' AND ln.entity_id = creator_analytics.creator_id),
    creator_analytics.creator_id);
--> statement-breakpoint
UPDATE `creator_analytics` SET `top_game_name` = CASE WHEN top_game_id = '' THEN 'Unknown game' ELSE coalesce(
    (SELECT ln.name FROM latest_names ln WHERE ln.guild_id = creator_analytics.guild_id AND ln.kind = 'game' AND ln.entity_id = creator_analytics.top_game_id),
    'Game ' || creator_analytics.top_game_id) END
 WHERE `top_game_id` IS NOT NULL AND `top_game_name` IS NOT (CASE WHEN top_game_id = '' THEN 'Unknown game' ELSE coalesce(
    (SELECT ln.name FROM latest_names ln WHERE ln.guild_id = creator_analytics.guild_id AND ln.kind = 'game' AND ln.entity_id = creator_analytics.top_game_id),
    'Game ' || creator_analytics.top_game_id) END);
--> statement-breakpoint
UPDATE `game_analytics` SET `game_name` = CASE WHEN game_id = '' THEN 'Unknown game' ELSE coalesce(
    (SELECT ln.name FROM latest_names ln WHERE ln.guild_id = game_analytics.guild_id AND ln.kind = 'game' AND ln.entity_id = game_analytics.game_id),
    'Game ' || game_analytics.game_id) END
 WHERE `game_name` IS NOT (CASE WHEN game_id = '' THEN 'Unknown game' ELSE coalesce(
    (SELECT ln.name FROM latest_names ln WHERE ln.guild_id = game_analytics.guild_id AND ln.kind = 'game' AND ln.entity_id = game_analytics.game_id),
    'Game ' || game_analytics.game_id) END);
--> statement-breakpoint
CREATE TRIGGER `latest_names_creator_after_insert` AFTER INSERT ON `latest_names`
WHEN NEW.kind = 'creator'
BEGIN
  UPDATE creator_analytics SET creator_name = NEW.name
   WHERE guild_id = NEW.guild_id AND creator_id = NEW.entity_id AND creator_name IS NOT NEW.name;
END;
--> statement-breakpoint
CREATE TRIGGER `latest_names_creator_after_rename` AFTER UPDATE OF name ON `latest_names`
WHEN NEW.kind = 'creator' AND OLD.name IS NOT NEW.name
BEGIN
  UPDATE creator_analytics SET creator_name = NEW.name
   WHERE guild_id = NEW.guild_id AND creator_id = NEW.entity_id AND creator_name IS NOT NEW.name;
END;
--> statement-breakpoint
CREATE TRIGGER `latest_names_creator_after_delete` AFTER DELETE ON `latest_names`
WHEN OLD.kind = 'creator'
BEGIN
  UPDATE creator_analytics SET creator_name = OLD.entity_id
   WHERE guild_id = OLD.guild_id AND creator_id = OLD.entity_id AND creator_name IS NOT OLD.entity_id;
END;
--> statement-breakpoint
-- Games: game_analytics by its unique index. creator_analytics has no index by top game, so its rows are
-- searched only when the guild has summary rows of the game at all (a creator's top game in a period always has
-- a game_analytics row there): a brand-new game costs one index probe, a rename (rare) one pass over the guild.
CREATE TRIGGER `latest_names_game_after_insert` AFTER INSERT ON `latest_names`
WHEN NEW.kind = 'game' AND NEW.entity_id <> ''
  AND EXISTS (SELECT 1 FROM game_analytics WHERE guild_id = NEW.guild_id AND game_id = NEW.entity_id)
BEGIN
  UPDATE game_analytics SET game_name = NEW.name
   WHERE guild_id = NEW.guild_id AND game_id = NEW.entity_id AND game_name IS NOT NEW.name;
  UPDATE creator_analytics SET top_game_name = NEW.name
   WHERE guild_id = NEW.guild_id AND top_game_id = NEW.entity_id AND top_game_name IS NOT NEW.name;
END;
--> statement-breakpoint
CREATE TRIGGER `latest_names_game_after_rename` AFTER UPDATE OF name ON `latest_names`
WHEN NEW.kind = 'game' AND NEW.entity_id <> '' AND OLD.name IS NOT NEW.name
  AND EXISTS (SELECT 1 FROM game_analytics WHERE guild_id = NEW.guild_id AND game_id = NEW.entity_id)
BEGIN
  UPDATE game_analytics SET game_name = NEW.name
   WHERE guild_id = NEW.guild_id AND game_id = NEW.entity_id AND game_name IS NOT NEW.name;
  UPDATE creator_analytics SET top_game_name = NEW.name
   WHERE guild_id = NEW.guild_id AND top_game_id = NEW.entity_id AND top_game_name IS NOT NEW.name;
END;
--> statement-breakpoint
CREATE TRIGGER `latest_names_game_after_delete` AFTER DELETE ON `latest_names`
WHEN OLD.kind = 'game' AND OLD.entity_id <> ''
  AND EXISTS (SELECT 1 FROM game_analytics WHERE guild_id = OLD.guild_id AND game_id = OLD.entity_id)
BEGIN
  UPDATE game_analytics SET game_name = 'Game ' || OLD.entity_id
   WHERE guild_id = OLD.guild_id AND game_id = OLD.entity_id AND game_name IS NOT 'Game ' || OLD.entity_id;
  UPDATE creator_analytics SET top_game_name = 'Game ' || OLD.entity_id
   WHERE guild_id = OLD.guild_id AND top_game_id = OLD.entity_id AND top_game_name IS NOT 'Game ' || OLD.entity_id;
END;
