-- latest_names is kept exact by triggers on clips: a name is the one on the guild's most recent clip (by
-- clip_created_at, then clip_id) of that creator or game that has one, exactly what the analytics used to look up
-- per name. Inserts and first enrichment only compare with the stored name; a change to a clip that already
-- counted (rename, new creation time, moved to another creator or game) or a deletion recomputes the key
-- from the clips index. Filled from the existing clips first.
INSERT INTO `latest_names` (`guild_id`, `kind`, `entity_id`, `name`, `clip_created_at`, `clip_id`)
SELECT `guild_id`, 'creator', `creator_id`, `creator_name`, `clip_created_at`, `clip_id` FROM (
  SELECT c.guild_id, c.creator_id, c.creator_name, c.clip_created_at, c.clip_id,
         row_number() OVER (PARTITION BY c.guild_id, c.creator_id ORDER BY c.clip_created_at DESC, c.clip_id DESC) AS rn
    FROM `clips` c WHERE c.creator_id IS NOT NULL AND c.creator_name IS NOT NULL AND c.clip_created_at IS NOT NULL
) WHERE rn = 1;
--> statement-breakpoint
CREATE TRIGGER `clips_creator_name_after_insert` AFTER INSERT ON `clips`
WHEN NEW.creator_id IS NOT NULL AND NEW.creator_name IS NOT NULL AND NEW.clip_created_at IS NOT NULL
BEGIN
  INSERT INTO latest_names (guild_id, kind, entity_id, name, clip_created_at, clip_id)
  VALUES (NEW.guild_id, 'creator', NEW.creator_id, NEW.creator_name, NEW.clip_created_at, NEW.clip_id)
  ON CONFLICT (guild_id, kind, entity_id) DO UPDATE
    SET name = excluded.name, clip_created_at = excluded.clip_created_at, clip_id = excluded.clip_id
    WHERE excluded.clip_created_at > latest_names.clip_created_at
       OR (excluded.clip_created_at = latest_names.clip_created_at AND excluded.clip_id >= latest_names.clip_id);
END;
--> statement-breakpoint
CREATE TRIGGER `clips_creator_name_after_fill` AFTER UPDATE OF guild_id, clip_id, creator_id, creator_name, clip_created_at ON `clips`
WHEN NOT (OLD.creator_id IS NOT NULL AND OLD.creator_name IS NOT NULL AND OLD.clip_created_at IS NOT NULL) AND NEW.creator_id IS NOT NULL AND NEW.creator_name IS NOT NULL AND NEW.clip_created_at IS NOT NULL
BEGIN
  INSERT INTO latest_names (guild_id, kind, entity_id, name, clip_created_at, clip_id)
  VALUES (NEW.guild_id, 'creator', NEW.creator_id, NEW.creator_name, NEW.clip_created_at, NEW.clip_id)
  ON CONFLICT (guild_id, kind, entity_id) DO UPDATE
    SET name = excluded.name, clip_created_at = excluded.clip_created_at, clip_id = excluded.clip_id
    WHERE excluded.clip_created_at > latest_names.clip_created_at
       OR (excluded.clip_created_at = latest_names.clip_created_at AND excluded.clip_id >= latest_names.clip_id);
END;
--> statement-breakpoint
CREATE TRIGGER `clips_creator_name_after_change` AFTER UPDATE OF guild_id, clip_id, creator_id, creator_name, clip_created_at ON `clips`
WHEN (OLD.creator_id IS NOT NULL AND OLD.creator_name IS NOT NULL AND OLD.clip_created_at IS NOT NULL) AND (OLD.guild_id IS NOT NEW.guild_id OR OLD.clip_id IS NOT NEW.clip_id OR OLD.creator_id IS NOT NEW.creator_id OR OLD.creator_name IS NOT NEW.creator_name OR OLD.clip_created_at IS NOT NEW.clip_created_at)
BEGIN
  DELETE FROM latest_names WHERE guild_id = OLD.guild_id AND kind = 'creator' AND entity_id = OLD.creator_id;
  INSERT INTO latest_names (guild_id, kind, entity_id, name, clip_created_at, clip_id)
  SELECT guild_id, 'creator', creator_id, creator_name, clip_created_at, clip_id FROM clips
   WHERE guild_id = OLD.guild_id AND creator_id = OLD.creator_id AND clips.creator_name IS NOT NULL AND clip_created_at IS NOT NULL
   ORDER BY clip_created_at DESC, clip_id DESC LIMIT 1;
  DELETE FROM latest_names WHERE guild_id = NEW.guild_id AND kind = 'creator' AND entity_id = NEW.creator_id;
  INSERT INTO latest_names (guild_id, kind, entity_id, name, clip_created_at, clip_id)
  SELECT guild_id, 'creator', creator_id, creator_name, clip_created_at, clip_id FROM clips
   WHERE guild_id = NEW.guild_id AND creator_id = NEW.creator_id AND clips.creator_name IS NOT NULL AND clip_created_at IS NOT NULL
   ORDER BY clip_created_at DESC, clip_id DESC LIMIT 1;
END;
--> statement-breakpoint
CREATE TRIGGER `clips_creator_name_after_delete` AFTER DELETE ON `clips`
WHEN OLD.creator_id IS NOT NULL AND OLD.creator_name IS NOT NULL AND OLD.clip_created_at IS NOT NULL
BEGIN
  DELETE FROM latest_names WHERE guild_id = OLD.guild_id AND kind = 'creator' AND entity_id = OLD.creator_id;
  INSERT INTO latest_names (guild_id, kind, entity_id, name, clip_created_at, clip_id)
  SELECT guild_id, 'creator', creator_id, creator_name, clip_created_at, clip_id FROM clips
   WHERE guild_id = OLD.guild_id AND creator_id = OLD.creator_id AND clips.creator_name IS NOT NULL AND clip_created_at IS NOT NULL
   ORDER BY clip_created_at DESC, clip_id DESC LIMIT 1;
END;
--> statement-breakpoint
INSERT INTO `latest_names` (`guild_id`, `kind`, `entity_id`, `name`, `clip_created_at`, `clip_id`)
SELECT `guild_id`, 'game', `game_id`, `game_name`, `clip_created_at`, `clip_id` FROM (
  SELECT c.guild_id, c.game_id, c.game_name, c.clip_created_at, c.clip_id,
         row_number() OVER (PARTITION BY c.guild_id, c.game_id ORDER BY c.clip_created_at DESC, c.clip_id DESC) AS rn
    FROM `clips` c WHERE c.game_id IS NOT NULL AND c.game_name IS NOT NULL AND c.game_name <> '' AND c.clip_created_at IS NOT NULL
) WHERE rn = 1;
--> statement-breakpoint
CREATE TRIGGER `clips_game_name_after_insert` AFTER INSERT ON `clips`
WHEN NEW.game_id IS NOT NULL AND NEW.game_name IS NOT NULL AND NEW.game_name <> '' AND NEW.clip_created_at IS NOT NULL
BEGIN
  INSERT INTO latest_names (guild_id, kind, entity_id, name, clip_created_at, clip_id)
  VALUES (NEW.guild_id, 'game', NEW.game_id, NEW.game_name, NEW.clip_created_at, NEW.clip_id)
  ON CONFLICT (guild_id, kind, entity_id) DO UPDATE
    SET name = excluded.name, clip_created_at = excluded.clip_created_at, clip_id = excluded.clip_id
    WHERE excluded.clip_created_at > latest_names.clip_created_at
       OR (excluded.clip_created_at = latest_names.clip_created_at AND excluded.clip_id >= latest_names.clip_id);
END;
--> statement-breakpoint
CREATE TRIGGER `clips_game_name_after_fill` AFTER UPDATE OF guild_id, clip_id, game_id, game_name, clip_created_at ON `clips`
WHEN NOT (OLD.game_id IS NOT NULL AND OLD.game_name IS NOT NULL AND OLD.game_name <> '' AND OLD.clip_created_at IS NOT NULL) AND NEW.game_id IS NOT NULL AND NEW.game_name IS NOT NULL AND NEW.game_name <> '' AND NEW.clip_created_at IS NOT NULL
BEGIN
  INSERT INTO latest_names (guild_id, kind, entity_id, name, clip_created_at, clip_id)
  VALUES (NEW.guild_id, 'game', NEW.game_id, NEW.game_name, NEW.clip_created_at, NEW.clip_id)
  ON CONFLICT (guild_id, kind, entity_id) DO UPDATE
    SET name = excluded.name, clip_created_at = excluded.clip_created_at, clip_id = excluded.clip_id
    WHERE excluded.clip_created_at > latest_names.clip_created_at
       OR (excluded.clip_created_at = latest_names.clip_created_at AND excluded.clip_id >= latest_names.clip_id);
END;
--> statement-breakpoint
CREATE TRIGGER `clips_game_name_after_change` AFTER UPDATE OF guild_id, clip_id, game_id, game_name, clip_created_at ON `clips`
WHEN (OLD.game_id IS NOT NULL AND OLD.game_name IS NOT NULL AND OLD.game_name <> '' AND OLD.clip_created_at IS NOT NULL) AND (OLD.guild_id IS NOT NEW.guild_id OR OLD.clip_id IS NOT NEW.clip_id OR OLD.game_id IS NOT NEW.game_id OR OLD.game_name IS NOT NEW.game_name OR OLD.clip_created_at IS NOT NEW.clip_created_at)
BEGIN
  DELETE FROM latest_names WHERE guild_id = OLD.guild_id AND kind = 'game' AND entity_id = OLD.game_id;
  INSERT INTO latest_names (guild_id, kind, entity_id, name, clip_created_at, clip_id)
  SELECT guild_id, 'game', game_id, game_name, clip_created_at, clip_id FROM clips
   WHERE guild_id = OLD.guild_id AND game_id = OLD.game_id AND clips.game_name IS NOT NULL AND clips.game_name <> '' AND clip_created_at IS NOT NULL
   ORDER BY clip_created_at DESC, clip_id DESC LIMIT 1;
  DELETE FROM latest_names WHERE guild_id = NEW.guild_id AND kind = 'game' AND entity_id = NEW.game_id;
  INSERT INTO latest_names (guild_id, kind, entity_id, name, clip_created_at, clip_id)
  SELECT guild_id, 'game', game_id, game_name, clip_created_at, clip_id FROM clips
   WHERE guild_id = NEW.guild_id AND game_id = NEW.game_id AND clips.game_name IS NOT NULL AND clips.game_name <> '' AND clip_created_at IS NOT NULL
   ORDER BY clip_created_at DESC, clip_id DESC LIMIT 1;
END;
--> statement-breakpoint
CREATE TRIGGER `clips_game_name_after_delete` AFTER DELETE ON `clips`
WHEN OLD.game_id IS NOT NULL AND OLD.game_name IS NOT NULL AND OLD.game_name <> '' AND OLD.clip_created_at IS NOT NULL
BEGIN
  DELETE FROM latest_names WHERE guild_id = OLD.guild_id AND kind = 'game' AND entity_id = OLD.game_id;
  INSERT INTO latest_names (guild_id, kind, entity_id, name, clip_created_at, clip_id)
  SELECT guild_id, 'game', game_id, game_name, clip_created_at, clip_id FROM clips
   WHERE guild_id = OLD.guild_id AND game_id = OLD.game_id AND clips.game_name IS NOT NULL AND clips.game_name <> '' AND clip_created_at IS NOT NULL
   ORDER BY clip_created_at DESC, clip_id DESC LIMIT 1;
END;
