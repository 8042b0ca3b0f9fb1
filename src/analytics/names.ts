// Display names of creators and games for answers: the guild's current name of each (see src/db/analytics/names.ts).
import { nameLookupOn, type NameLookup } from '../db/analytics/names';
import { connectionNow, type Db } from '../db/client';

export { readNames, UNKNOWN_GAME_NAME, type NameLookup } from '../db/analytics/names';

/**
 * A synchronous lookup on the connection. Transitional: for the aggregation's writers until they read names inside
 * their own run() (nameLookupOn in src/db/analytics/names.ts); answers use readNames.
 * @deprecated Use readNames, or nameLookupOn inside a run callback.
 */
export function createNameLookup(db: Db, guildId: string): NameLookup {
  return nameLookupOn(connectionNow(db), guildId);
}
