// Looks up a guild's own games, creators and clips by what a user typed: suggestions for autocomplete (most
// clipped first) and exact resolution of a picked or typed name.
import {
  findEntity,
  suggestCreators as readCreatorSuggestions,
  suggestGames as readGameSuggestions,
  type NamedEntity,
} from '../db/analytics/find-names';
import type { Db } from '../db/client';

export type { NamedEntity } from '../db/analytics/find-names';

/** Up to `limit` games of the guild whose name contains the text, most clipped first ('' = the top ones). */
export function suggestGames(db: Db, guildId: string, typed: string, limit = 25): Promise<NamedEntity[]> {
  return readGameSuggestions(db, guildId, typed, limit);
}

/** Up to `limit` clip creators of the guild whose name contains the text, most clips first. */
export function suggestCreators(db: Db, guildId: string, typed: string, limit = 25): Promise<NamedEntity[]> {
  return readCreatorSuggestions(db, guildId, typed, limit);
}

/**
 * The game a user meant: an id picked from autocomplete (`id:<game_id>`), or a name typed in full
 * (case-insensitive). Null when the guild has no clip of such a game.
 */
export function findGame(db: Db, guildId: string, text: string): Promise<NamedEntity | null> {
  return findEntity(db, guildId, 'game', entityKey(text));
}

export function findCreator(db: Db, guildId: string, text: string): Promise<NamedEntity | null> {
  return findEntity(db, guildId, 'creator', entityKey(text));
}

function entityKey(text: string): { id: string } | { name: string } {
  const trimmed = text.trim();
  const id = /^id:(.+)$/.exec(trimmed)?.[1];
  return id === undefined ? { name: trimmed } : { id };
}

/** The autocomplete value for an entity: its id, marked so it is never mistaken for a typed name. */
export function entityChoiceValue(entity: Pick<NamedEntity, 'id'>): string {
  return `id:${entity.id}`;
}
