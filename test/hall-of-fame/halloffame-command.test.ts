// /clipscope-admin halloffame set|off walked through the real bot (discord.js against the fake gateway and REST) with
// the real hall of fame service: it is turned on, changed (omitted options keep their value) and off; a channel
// Clipscope may not post in, an NSFW hall that is not age-restricted, a word that is no emoji and a remove_below above
// the threshold are refused with a message naming them; another server's hall of fame is untouched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimHallOfFamePost, claimHallOfFameRemoval, getHallOfFameSettings, recordHallOfFameSent } from '../../src/db/stores/hall-of-fame';
import { createHallOfFameAdmin } from '../../src/hall-of-fame/admin';
import { startCommandBot, type CommandBot } from '../discord/command-bot';
import { snowflake, textChannel, user, type RecordedRequest } from '../fakes/discord';
import { chatInput, options, Permissions, subcommand, subcommandGroup } from '../fakes/discord/interactions';

const NOW = Date.UTC(2026, 10, 25, 12, 0);
const guildA = snowflake();
const guildB = snowflake();
const admin = user({ username: 'admin' });
const hall = textChannel({ guild_id: guildA, name: 'hall-of-fame' });
const afterDark = textChannel({ guild_id: guildA, name: 'after-dark', nsfw: true });
const locked = textChannel({
  guild_id: guildA,
  name: 'locked',
  permission_overwrites: [{ id: guildA, type: 0, allow: '0', deny: (1n << 11n).toString() }],
});
const hallB = textChannel({ guild_id: guildB, name: 'hall' });

let h: CommandBot;

async function halloffame(guildId: string, sub: string, opts: Record<string, string | number | boolean> = {}): Promise<string> {
  const requests: RecordedRequest[] = await h.invoke(
    chatInput({
      applicationId: h.discord.applicationId,
      guildId,
      channel: guildId === guildA ? hall : hallB,
      user: admin,
      permissions: Permissions.manager,
      commandName: 'clipscope-admin',
      options: [subcommandGroup('halloffame', subcommand(sub, options(opts)))],
    }),
  );
  return requests.map((r) => JSON.stringify(r.body ?? null)).join('\n');
}

/** What /halloffame answered, as JSON text. */
async function standings(guildId: string, limit?: number): Promise<string> {
  const requests: RecordedRequest[] = await h.invoke(
    chatInput({
      applicationId: h.discord.applicationId,
      guildId,
      channel: guildId === guildA ? hall : hallB,
      user: admin,
      permissions: Permissions.member,
      commandName: 'halloffame',
      options: options({ limit }),
    }),
  );
  return requests.map((r) => JSON.stringify(r.body ?? null)).join('\n');
}

beforeAll(async () => {
  h = await startCommandBot({
    guilds: [
      { id: guildA, name: 'Alpha', ownerId: admin.id, channels: [hall, afterDark, locked] },
      { id: guildB, name: 'Beta', ownerId: admin.id, channels: [hallB] },
    ],
    now: NOW,
    services: ({ db, clock }) => ({ hallOfFame: createHallOfFameAdmin({ db, clock }) }),
  });
});

afterAll(async () => {
  await h?.stop();
});

describe('/clipscope-admin halloffame', () => {
  it('turns the hall of fame on with its options, and keeps what a later set omits', async () => {
    const on = await halloffame(guildA, 'set', { channel: hall.id, threshold: 3, emojis: '⭐ <:pog:123456>, 🔥', remove_below: 2 });
    expect(on).toContain('Hall of fame on');
    expect(on).toContain(`Shares with **3** reactions (⭐ <:pog:123456> 🔥) are reposted in <#${hall.id}>`);
    expect(await getHallOfFameSettings(h.temp.db, guildA)).toEqual({
      guildId: guildA,
      channelId: hall.id,
      threshold: 3,
      emojis: ['⭐', 'pog:123456', '🔥'],
      removeBelow: 2,
      selfReactions: false,
      nsfw: false,
      updatedAt: NOW,
    });
    await halloffame(guildA, 'set', { channel: afterDark.id, nsfw: true, self_reactions: true, emojis: 'all' });
    expect(await getHallOfFameSettings(h.temp.db, guildA)).toMatchObject({
      channelId: afterDark.id,
      threshold: 3,
      emojis: [],
      removeBelow: 2,
      selfReactions: true,
      nsfw: true,
    });
    // Moved to a channel that is not age-restricted: it stops taking NSFW shares.
    await halloffame(guildA, 'set', { channel: hall.id, remove_below: 0 });
    expect(await getHallOfFameSettings(h.temp.db, guildA)).toMatchObject({ channelId: hall.id, nsfw: false, removeBelow: null });
    expect(await getHallOfFameSettings(h.temp.db, guildB)).toBeNull();
  });

  it('refuses what it cannot do, naming why, and changes nothing', async () => {
    const before = await getHallOfFameSettings(h.temp.db, guildA);
    expect(await halloffame(guildA, 'set', { channel: locked.id })).toContain(`Clipscope needs Send Messages in <#${locked.id}>`);
    expect(await halloffame(guildA, 'set', { channel: hall.id, nsfw: true })).toContain('is not age-restricted');
    expect(await halloffame(guildA, 'set', { channel: hall.id, emojis: '⭐ hello' })).toContain('is not an emoji');
    expect(await halloffame(guildA, 'set', { channel: hall.id, threshold: 3, remove_below: 5 })).toContain(
      '`remove_below` (5) must not be above `threshold` (3)',
    );
    expect(await getHallOfFameSettings(h.temp.db, guildA)).toEqual(before);
  });

  it('turns it off, and says so when it was not on', async () => {
    await halloffame(guildB, 'set', { channel: hallB.id });
    expect(await halloffame(guildA, 'off')).toContain('Hall of fame off');
    expect(await halloffame(guildA, 'off')).toContain('was not on');
    expect(await getHallOfFameSettings(h.temp.db, guildA)).toBeNull();
    expect(await getHallOfFameSettings(h.temp.db, guildB)).toMatchObject({ channelId: hallB.id, threshold: 5 });
  });

  it('/halloffame ranks the standing reposts by count and the members by how often they reached the hall', async () => {
    expect(await standings(guildA)).toContain('no hall of fame yet');
    const repost = async (messageId: string, authorId: string, count: number, removed = false) => {
      const key = { guildId: guildA, messageId };
      await claimHallOfFamePost(h.temp.db, {
        ...key,
        channelId: hall.id,
        clipId: `Clip${messageId}`,
        authorId,
        hallChannelId: hall.id,
        nonce: messageId,
        postedCount: count,
        now: NOW,
        staleBefore: NOW - 1,
      });
      await recordHallOfFameSent(h.temp.db, key, `r${messageId}`, count, NOW);
      if (removed) await claimHallOfFameRemoval(h.temp.db, key, 'deleted', NOW);
    };
    await repost('1', 'alice', 12);
    await repost('2', 'bob', 30);
    await repost('3', 'alice', 40, true);
    await repost('4', 'carol', 9);
    const answer = await standings(guildA, 2);
    expect(answer).toContain('The hall of fame is off now');
    expect(answer).toMatch(/Clip2.*30.*<@bob>.*Clip1.*12.*<@alice>/);
    expect(answer).not.toContain('Clip3');
    expect(answer).toMatch(/<@alice> · 2 clips in the hall \(best: 40 reactions\).*<@bob> · 1 clip/);
    expect(answer).not.toContain('<@carol>');
    expect(await standings(guildB)).toContain('Nobody yet');
  });
});
