// How capture's rows are keyed (a message by its guild and id, never by the id alone) and the indexes its reads by
// key must take.

/**
 * A message as capture keys it. Discord's message ids are unique, but an imported file's are whatever the file says,
 * so every read and write of a message's rows is scoped to its guild: one guild's input never reaches another's rows.
 */
export interface MessageRef {
  guildId: string;
  messageId: string;
}

/**
 * A message's reactions and imported counts (`FROM reactions ${REACTIONS_KEY} WHERE guild_id = ? AND message_id = ?`)
 * are read through the primary key. Every index of these tables begins with guild_id and, without statistics, SQLite
 * takes `guild_id = ?` for as selective as `message_id = ?`: left to itself it walks all of a guild's reactions
 * through (guild_id, reacted_at) to save a sort or apply a time range (a 50 MB import took ten times as long).
 */
export const REACTIONS_KEY = 'INDEXED BY sqlite_autoindex_reactions_1';
export const BASELINES_KEY = 'INDEXED BY sqlite_autoindex_reaction_baselines_1';

/**
 * A clip's shares, found by (guild_id, clip_id) in a join to their reactions: `FROM shares s ${SHARES_OF_CLIP} CROSS
 * JOIN reactions r ON r.guild_id = s.guild_id AND r.message_id = s.message_id`. The unique (guild_id, message_id,
 * clip_id) index covers such a join and, without statistics, looks as good on guild_id alone; and without the CROSS
 * JOIN (which keeps shares the outer table) SQLite walks the guild's reactions and looks each one's share up.
 */
export const SHARES_OF_CLIP = 'INDEXED BY shares_guild_clip_idx';

/**
 * The hints above and the CROSS JOIN that keeps shares the outer table are SQLite's; PostgreSQL's planner takes the
 * guild-first keys by itself (and refuses ON after CROSS JOIN), so its statements are plain.
 */
export interface CaptureJoins {
  reactionsKey: string;
  baselinesKey: string;
  sharesOfClip: string;
  /** `CROSS JOIN` on SQLite, a plain `JOIN` on PostgreSQL; followed by ON. */
  join: string;
}

const SQLITE_JOINS: CaptureJoins = {
  reactionsKey: REACTIONS_KEY,
  baselinesKey: BASELINES_KEY,
  sharesOfClip: SHARES_OF_CLIP,
  join: 'CROSS JOIN',
};
const POSTGRES_JOINS: CaptureJoins = { reactionsKey: '', baselinesKey: '', sharesOfClip: '', join: 'JOIN' };

export function captureJoins(engine: 'sqlite' | 'postgres'): CaptureJoins {
  return engine === 'postgres' ? POSTGRES_JOINS : SQLITE_JOINS;
}
