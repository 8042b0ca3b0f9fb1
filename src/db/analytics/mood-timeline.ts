// The mood timeline's stored read: the guild mood mix of each asked bucket of one period type (primary-key reads).
// The raw fallback reads the reactions by range, clip and emoji through db/aggregation/moods.ts readEmojiRows.
import { MOOD_COLUMNS } from '../aggregation/moods';
import type { Db } from '../database';
import { dialect, KEYS_IN_JSON_LIST, queries } from '../sql';

/** A bucket's stored guild mix; `counts` in MOOD_COLUMNS order. Buckets without reactions have no row. */
export interface StoredBucketMix {
  period_start: number;
  counts: number[];
}

/** The stored guild mixes of the buckets of `type` starting at `starts` (one statement, the starts as one JSON parameter). */
export async function readStoredGuildMixes(db: Db, guildId: string, type: string, starts: readonly number[]): Promise<StoredBucketMix[]> {
  if (starts.length === 0) return [];
  const inList = dialect(db, KEYS_IN_JSON_LIST);
  const rows = await queries(db).all<Record<string, unknown>>(
    `SELECT period_start, ${MOOD_COLUMNS.join(', ')} FROM analytics_mood_mixes
      WHERE guild_id = ? AND period_type = ? AND period_start ${inList} AND dimension = 'guild' AND subject_id = ''`,
    [guildId, type, JSON.stringify(starts)],
  );
  return rows.map((r) => ({ period_start: Number(r.period_start), counts: MOOD_COLUMNS.map((m) => Number(r[m])) }));
}
