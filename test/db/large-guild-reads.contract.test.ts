// Reads that return one row per clip of a guild stay whole for a large guild, on both engines: 300,000 clips read at
// once once overflowed the call stack (the rows were appended as the arguments of one push), which the L bench found
// in the full mood rebuild.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readClipFacets } from '../../src/db/aggregation/moods';
import { queries } from '../../src/db/sql';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

const CLIPS = 300_000;
const GUILD = '100000000000000001';

describe.each(testEngines())('reads of a large guild on %s', (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(engine, 'large-guild-reads');
    const numbers =
      engine === 'postgres'
        ? `SELECT i FROM generate_series(1, ${CLIPS}) AS g(i)`
        : `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${CLIPS}) SELECT i FROM n`;
    await queries(t.db).run(
      `INSERT INTO clips (guild_id, clip_id, url, first_seen_at, last_updated_at)
       SELECT ?, 'Clip' || CAST(i AS TEXT), 'https://clips.twitch.tv/Clip' || CAST(i AS TEXT), 0, 0 FROM (${numbers}) AS numbers`,
      [GUILD],
    );
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('reads every clip of the guild for the full mood rebuild', async () => {
    const facets = await readClipFacets(t.db, GUILD, 'all');
    expect(facets).toHaveLength(CLIPS);
    expect(new Set(facets.map((f) => f.clip_id)).size).toBe(CLIPS);
    expect(await readClipFacets(t.db, '200000000000000002', 'all')).toEqual([]);
  }, 120_000);
});
