-- latest_names and the names in summary rows, kept by triggers: the PL/pgSQL twins of SQLite's migrations 0005 and
-- 0007 (docs/adr/0003-name-triggers-and-names-in-summary-rows.md), with the same rules.
--
-- A creator's (game's) name is the one on the guild's most recent clip of it (by clip_created_at, then clip_id) that
-- counts: creator_id, creator_name and clip_created_at all set (for a game: game_id, a non-empty game_name and
-- clip_created_at). A clip inserted, or filled by its first enrichment, is only compared with the stored name; a
-- change to a clip that already counted (rename, new creation time, moved to another creator or game, name cleared)
-- or its deletion recomputes the key from the clips index, writes the row only where it differs, and deletes it
-- only when no clip of the key counts any more. Ids are COLLATE "C", so clip_id ties break as SQLite's BINARY
-- comparison does.
--
-- Every change of latest_names is carried into the summary rows already written: creator_analytics.creator_name,
-- .top_game_name and game_analytics.game_name always equal the display name (the name; else the creator id, or
-- "Game <id>"; "Unknown game" for Twitch's no-game id '', which the aggregator writes and no trigger touches).
--
-- Every statement of these functions reads and writes rows of one guild (the row's guild_id): under Citus, with the
-- tables co-located by guild_id, they run on the worker that holds the guild (docs/operations.md).

-- Offers a clip's name for its key: stored when the key has none or the clip is at least as recent as the stored one.
CREATE FUNCTION latest_names_offer(p_guild_id text, p_kind text, p_entity_id text, p_name text, p_clip_created_at bigint, p_clip_id text)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO latest_names AS ln (guild_id, kind, entity_id, name, clip_created_at, clip_id)
  VALUES (p_guild_id, p_kind, p_entity_id, p_name, p_clip_created_at, p_clip_id)
  ON CONFLICT (guild_id, kind, entity_id) DO UPDATE
    SET name = excluded.name, clip_created_at = excluded.clip_created_at, clip_id = excluded.clip_id
    WHERE excluded.clip_created_at > ln.clip_created_at
       OR (excluded.clip_created_at = ln.clip_created_at AND excluded.clip_id >= ln.clip_id);
$$;
--> statement-breakpoint
-- Recomputes one key from the guild's clips: deleted when no clip of it counts, else written where it differs.
CREATE FUNCTION latest_names_recompute(p_guild_id text, p_kind text, p_entity_id text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  best record;
BEGIN
  IF p_guild_id IS NULL OR p_entity_id IS NULL THEN
    RETURN;
  END IF;
  IF p_kind = 'creator' THEN
    SELECT c.creator_name AS name, c.clip_created_at, c.clip_id INTO best FROM clips c
     WHERE c.guild_id = p_guild_id AND c.creator_id = p_entity_id AND c.creator_name IS NOT NULL AND c.clip_created_at IS NOT NULL
     ORDER BY c.clip_created_at DESC, c.clip_id DESC LIMIT 1;
  ELSE
    SELECT c.game_name AS name, c.clip_created_at, c.clip_id INTO best FROM clips c
     WHERE c.guild_id = p_guild_id AND c.game_id = p_entity_id AND c.game_name IS NOT NULL AND c.game_name <> ''
       AND c.clip_created_at IS NOT NULL
     ORDER BY c.clip_created_at DESC, c.clip_id DESC LIMIT 1;
  END IF;
  IF NOT FOUND THEN
    DELETE FROM latest_names WHERE guild_id = p_guild_id AND kind = p_kind AND entity_id = p_entity_id;
    RETURN;
  END IF;
  INSERT INTO latest_names AS ln (guild_id, kind, entity_id, name, clip_created_at, clip_id)
  VALUES (p_guild_id, p_kind, p_entity_id, best.name, best.clip_created_at, best.clip_id)
  ON CONFLICT (guild_id, kind, entity_id) DO UPDATE
    SET name = excluded.name, clip_created_at = excluded.clip_created_at, clip_id = excluded.clip_id
    WHERE ln.name IS DISTINCT FROM excluded.name OR ln.clip_created_at IS DISTINCT FROM excluded.clip_created_at
       OR ln.clip_id IS DISTINCT FROM excluded.clip_id;
END;
$$;
--> statement-breakpoint
-- clips → latest_names, creators. The WHEN clauses are those of the SQLite triggers.
CREATE FUNCTION clips_creator_name_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM latest_names_offer(NEW.guild_id, 'creator', NEW.creator_id, NEW.creator_name, NEW.clip_created_at, NEW.clip_id);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER clips_creator_name_after_insert AFTER INSERT ON clips FOR EACH ROW
WHEN (NEW.creator_id IS NOT NULL AND NEW.creator_name IS NOT NULL AND NEW.clip_created_at IS NOT NULL)
EXECUTE FUNCTION clips_creator_name_after_insert();
--> statement-breakpoint
CREATE TRIGGER clips_creator_name_after_fill AFTER UPDATE OF guild_id, clip_id, creator_id, creator_name, clip_created_at ON clips FOR EACH ROW
WHEN (NOT (OLD.creator_id IS NOT NULL AND OLD.creator_name IS NOT NULL AND OLD.clip_created_at IS NOT NULL)
  AND NEW.creator_id IS NOT NULL AND NEW.creator_name IS NOT NULL AND NEW.clip_created_at IS NOT NULL)
EXECUTE FUNCTION clips_creator_name_after_insert();
--> statement-breakpoint
CREATE FUNCTION clips_creator_name_after_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM latest_names_recompute(OLD.guild_id, 'creator', OLD.creator_id);
  IF TG_OP = 'UPDATE' THEN
    PERFORM latest_names_recompute(NEW.guild_id, 'creator', NEW.creator_id);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER clips_creator_name_after_change AFTER UPDATE OF guild_id, clip_id, creator_id, creator_name, clip_created_at ON clips FOR EACH ROW
WHEN ((OLD.creator_id IS NOT NULL AND OLD.creator_name IS NOT NULL AND OLD.clip_created_at IS NOT NULL)
  AND (OLD.guild_id IS DISTINCT FROM NEW.guild_id OR OLD.clip_id IS DISTINCT FROM NEW.clip_id
    OR OLD.creator_id IS DISTINCT FROM NEW.creator_id OR OLD.creator_name IS DISTINCT FROM NEW.creator_name
    OR OLD.clip_created_at IS DISTINCT FROM NEW.clip_created_at))
EXECUTE FUNCTION clips_creator_name_after_change();
--> statement-breakpoint
CREATE TRIGGER clips_creator_name_after_delete AFTER DELETE ON clips FOR EACH ROW
WHEN (OLD.creator_id IS NOT NULL AND OLD.creator_name IS NOT NULL AND OLD.clip_created_at IS NOT NULL)
EXECUTE FUNCTION clips_creator_name_after_change();
--> statement-breakpoint
-- clips → latest_names, games.
CREATE FUNCTION clips_game_name_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM latest_names_offer(NEW.guild_id, 'game', NEW.game_id, NEW.game_name, NEW.clip_created_at, NEW.clip_id);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER clips_game_name_after_insert AFTER INSERT ON clips FOR EACH ROW
WHEN (NEW.game_id IS NOT NULL AND NEW.game_name IS NOT NULL AND NEW.game_name <> '' AND NEW.clip_created_at IS NOT NULL)
EXECUTE FUNCTION clips_game_name_after_insert();
--> statement-breakpoint
CREATE TRIGGER clips_game_name_after_fill AFTER UPDATE OF guild_id, clip_id, game_id, game_name, clip_created_at ON clips FOR EACH ROW
WHEN (NOT (OLD.game_id IS NOT NULL AND OLD.game_name IS NOT NULL AND OLD.game_name <> '' AND OLD.clip_created_at IS NOT NULL)
  AND NEW.game_id IS NOT NULL AND NEW.game_name IS NOT NULL AND NEW.game_name <> '' AND NEW.clip_created_at IS NOT NULL)
EXECUTE FUNCTION clips_game_name_after_insert();
--> statement-breakpoint
CREATE FUNCTION clips_game_name_after_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM latest_names_recompute(OLD.guild_id, 'game', OLD.game_id);
  IF TG_OP = 'UPDATE' THEN
    PERFORM latest_names_recompute(NEW.guild_id, 'game', NEW.game_id);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER clips_game_name_after_change AFTER UPDATE OF guild_id, clip_id, game_id, game_name, clip_created_at ON clips FOR EACH ROW
WHEN ((OLD.game_id IS NOT NULL AND OLD.game_name IS NOT NULL AND OLD.game_name <> '' AND OLD.clip_created_at IS NOT NULL)
  AND (OLD.guild_id IS DISTINCT FROM NEW.guild_id OR OLD.clip_id IS DISTINCT FROM NEW.clip_id
    OR OLD.game_id IS DISTINCT FROM NEW.game_id OR OLD.game_name IS DISTINCT FROM NEW.game_name
    OR OLD.clip_created_at IS DISTINCT FROM NEW.clip_created_at))
EXECUTE FUNCTION clips_game_name_after_change();
--> statement-breakpoint
CREATE TRIGGER clips_game_name_after_delete AFTER DELETE ON clips FOR EACH ROW
WHEN (OLD.game_id IS NOT NULL AND OLD.game_name IS NOT NULL AND OLD.game_name <> '' AND OLD.clip_created_at IS NOT NULL)
EXECUTE FUNCTION clips_game_name_after_change();
--> statement-breakpoint
-- latest_names → summary rows. Creators: creator_analytics by its unique index (guild_id, creator_id, …).
CREATE FUNCTION latest_names_creator_to_summaries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    UPDATE creator_analytics SET creator_name = OLD.entity_id
     WHERE guild_id = OLD.guild_id AND creator_id = OLD.entity_id AND creator_name IS DISTINCT FROM OLD.entity_id;
  ELSE
    UPDATE creator_analytics SET creator_name = NEW.name
     WHERE guild_id = NEW.guild_id AND creator_id = NEW.entity_id AND creator_name IS DISTINCT FROM NEW.name;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER latest_names_creator_after_insert AFTER INSERT ON latest_names FOR EACH ROW
WHEN (NEW.kind = 'creator')
EXECUTE FUNCTION latest_names_creator_to_summaries();
--> statement-breakpoint
CREATE TRIGGER latest_names_creator_after_rename AFTER UPDATE OF name ON latest_names FOR EACH ROW
WHEN (NEW.kind = 'creator' AND OLD.name IS DISTINCT FROM NEW.name)
EXECUTE FUNCTION latest_names_creator_to_summaries();
--> statement-breakpoint
CREATE TRIGGER latest_names_creator_after_delete AFTER DELETE ON latest_names FOR EACH ROW
WHEN (OLD.kind = 'creator')
EXECUTE FUNCTION latest_names_creator_to_summaries();
--> statement-breakpoint
-- Games: game_analytics by its unique index. creator_analytics has no index by top game, so its rows are searched
-- only when the guild has summary rows of the game at all (a creator's top game in a period always has a
-- game_analytics row there): a brand-new game costs one index probe, a rename (rare) one pass over the guild. The
-- probe is in the function because a trigger's WHEN cannot hold a subquery in PostgreSQL.
CREATE FUNCTION latest_names_game_to_summaries() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_guild_id text;
  v_game_id text;
  v_shown text;
BEGIN
  IF TG_OP = 'DELETE' THEN
    v_guild_id := OLD.guild_id;
    v_game_id := OLD.entity_id;
    v_shown := 'Game ' || OLD.entity_id;
  ELSE
    v_guild_id := NEW.guild_id;
    v_game_id := NEW.entity_id;
    v_shown := NEW.name;
  END IF;
  IF EXISTS (SELECT 1 FROM game_analytics WHERE guild_id = v_guild_id AND game_id = v_game_id) THEN
    UPDATE game_analytics SET game_name = v_shown
     WHERE guild_id = v_guild_id AND game_id = v_game_id AND game_name IS DISTINCT FROM v_shown;
    UPDATE creator_analytics SET top_game_name = v_shown
     WHERE guild_id = v_guild_id AND top_game_id = v_game_id AND top_game_name IS DISTINCT FROM v_shown;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER latest_names_game_after_insert AFTER INSERT ON latest_names FOR EACH ROW
WHEN (NEW.kind = 'game' AND NEW.entity_id <> '')
EXECUTE FUNCTION latest_names_game_to_summaries();
--> statement-breakpoint
CREATE TRIGGER latest_names_game_after_rename AFTER UPDATE OF name ON latest_names FOR EACH ROW
WHEN (NEW.kind = 'game' AND NEW.entity_id <> '' AND OLD.name IS DISTINCT FROM NEW.name)
EXECUTE FUNCTION latest_names_game_to_summaries();
--> statement-breakpoint
CREATE TRIGGER latest_names_game_after_delete AFTER DELETE ON latest_names FOR EACH ROW
WHEN (OLD.kind = 'game' AND OLD.entity_id <> '')
EXECUTE FUNCTION latest_names_game_to_summaries();
