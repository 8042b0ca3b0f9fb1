// Verified Twitch links on both engines: one link per member and guild (a new link replaces the old), unlinking
// everywhere, the guild's list for the creators table and the lookup by Twitch user (the newest link wins), and the
// guild's data version moving with them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalytics } from '../../src/analytics/service';
import { queries } from '../../src/db/sql';
import {
  deleteTwitchLinksOfUser,
  findTwitchLink,
  listGuildTwitchLinks,
  listTwitchLinksOfUser,
  upsertTwitchLinks,
  type TwitchLink,
} from '../../src/db/stores/twitch-links';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

const link = (guildId: string, discordUserId: string, twitchUserId: string, linkedAt: number): TwitchLink => ({
  guildId,
  discordUserId,
  discordName: `member ${discordUserId}`,
  twitchUserId,
  twitchName: `tw_${twitchUserId}`,
  linkedAt,
});

describe.each(testEngines())('Twitch links on %s', (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase(engine, 'twitch-links');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps one link per member and guild, lists and finds them per guild, and unlinks a member everywhere', async () => {
    const analytics = createAnalytics(t.db);
    const before = await analytics.dataVersion('gA');
    await upsertTwitchLinks(t.db, [link('gA', 'd1', 't1', 100), link('gB', 'd1', 't1', 100)]);
    await upsertTwitchLinks(t.db, [link('gA', 'd2', 't2', 200)]);
    // d1 links another Twitch account in gA: it replaces the first.
    await upsertTwitchLinks(t.db, [link('gA', 'd1', 't9', 300)]);
    // d3 verified the same Twitch account as d2, later: the lookup names d3.
    await upsertTwitchLinks(t.db, [link('gA', 'd3', 't2', 400)]);

    expect((await listGuildTwitchLinks(t.db, 'gA')).map((l) => [l.discordUserId, l.twitchUserId])).toEqual([
      ['d2', 't2'],
      ['d3', 't2'],
      ['d1', 't9'],
    ]);
    expect(await findTwitchLink(t.db, 'gA', 't2')).toEqual(link('gA', 'd3', 't2', 400));
    expect(await findTwitchLink(t.db, 'gB', 't2')).toBeNull();
    expect(await analytics.linkedAccount('gA', 't9')).toEqual({
      twitch_user_id: 't9',
      twitch_name: 'tw_t9',
      discord_user_id: 'd1',
      discord_name: 'member d1',
    });
    expect((await listTwitchLinksOfUser(t.db, 'd1')).map((l) => [l.guildId, l.twitchUserId])).toEqual([
      ['gA', 't9'],
      ['gB', 't1'],
    ]);
    const linked = await analytics.dataVersion('gA');
    expect(linked.fingerprint).not.toBe(before.fingerprint);
    expect(linked.fingerprint).toContain('3:400');

    expect(await deleteTwitchLinksOfUser(t.db, 'd1')).toBe(2);
    expect(await deleteTwitchLinksOfUser(t.db, 'd1')).toBe(0);
    expect(await listTwitchLinksOfUser(t.db, 'd1')).toEqual([]);
    expect((await analytics.linkedAccounts('gA')).map((a) => a.discord_user_id)).toEqual(['d2', 'd3']);
    expect((await queries(t.db).get<{ n: number }>('SELECT count(*) AS n FROM twitch_links'))?.n).toBe(2);
  });
});
