// The REST senders and Discord-over-REST client against the fake Discord: the monthly report's PDF as a multipart
// attachment, clipper roles given and taken with the checks Discord applies, the hall of fame's channel checks, a
// channel or guild Discord does not show named in the answer, and the cache asking for a guild once per TTL.
import { PermissionFlagsBits as P } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock';
import { createDiscordRest, DiscordLookupError, type DiscordRest } from '../../../src/discord/rest/discord-rest';
import { createRestHallOfFameSender, createRestReportSender, createRestRoleSender } from '../../../src/discord/rest/senders';
import { ReportDeliveryError } from '../../../src/reports/monthly';
import {
  member,
  multipartParts,
  role,
  snowflake,
  startFakeDiscord,
  textChannel,
  threadChannel,
  user,
  type FakeDiscord,
} from '../../fakes/discord';

describe('Discord over REST', () => {
  let discord: FakeDiscord | undefined;
  afterEach(async () => {
    await discord?.stop();
    discord = undefined;
  });

  const guildId = snowflake();
  const botRole = snowflake();
  const top = snowflake();
  const above = snowflake();
  const carol = user({ username: 'carol' });
  const reports = textChannel({ guild_id: guildId, name: 'reports' });
  const nsfwHall = textChannel({ guild_id: guildId, name: 'hall', nsfw: true });
  const thread = threadChannel({ guild_id: guildId, parent_id: nsfwHall.id });
  const hidden = textChannel({
    guild_id: guildId,
    name: 'staff',
    permission_overwrites: [{ id: guildId, type: 0, allow: '0', deny: String(P.ViewChannel) }],
  });

  const start = async (botPermissions: bigint): Promise<{ fake: FakeDiscord; rest: DiscordRest; clock: ManualClock }> => {
    const fake = await startFakeDiscord({
      guilds: [
        {
          id: guildId,
          name: 'Clip Town',
          ownerId: carol.id,
          channels: [reports, nsfwHall, hidden],
          threads: [thread],
          roles: [
            role({ id: guildId }),
            role({ id: above, name: 'Admins', position: 3, permissions: '0' }),
            role({ id: botRole, name: 'Clipscope', position: 2, permissions: String(botPermissions) }),
            role({ id: top, name: 'Top Sharer', position: 1, permissions: '0' }),
          ],
          members: [member(carol)],
          botRoles: [botRole],
        },
      ],
    });
    discord = fake;
    const clock = new ManualClock(Date.UTC(2026, 11, 1));
    return { fake, rest: createDiscordRest({ token: fake.token, apiBaseUrl: fake.apiBaseUrl, clock, ttlMs: 30_000 }), clock };
  };

  it('posts the monthly report with its PDF attached and finds the post again', async () => {
    const { fake, rest } = await start(0n);
    const sender = createRestReportSender(rest);
    const pdf = Buffer.from('%PDF-1.7 fake report bytes');
    const post = {
      title: 'Clipscope report · November 2026',
      description: 'The month in clips',
      files: [{ name: 'report.pdf', bytes: pdf }],
    };
    const id = await sender.send(reports.id, post, 'nonce-1');
    const [request] = fake.requestsTo('POST', `/channels/${reports.id}/messages`);
    const parts = multipartParts(request!);
    const file = parts.find((p) => p.headers.includes('name="files[0]"'));
    expect(file?.headers).toContain('filename="report.pdf"');
    expect(file?.body.equals(pdf)).toBe(true);
    const json = JSON.parse(parts.find((p) => p.headers.includes('name="payload_json"'))!.body.toString('utf8'));
    expect(json).toMatchObject({
      embeds: [{ title: post.title }],
      attachments: [{ id: 0, filename: 'report.pdf' }],
      nonce: 'nonce-1',
      enforce_nonce: true,
    });
    expect(fake.messages.get(reports.id)?.get(id)?.attachments).toMatchObject([{ filename: 'report.pdf', size: pdf.length }]);
    expect(await sender.findPosted(reports.id, post)).toBe(id);
  });

  it('names the channel when Discord refuses a post or does not know the channel', async () => {
    const { fake, rest } = await start(0n);
    const gone = snowflake();
    fake.route('POST', `/channels/${gone}/messages`, () => ({ status: 404, body: { message: 'Unknown Channel', code: 10003 } }));
    fake.route('POST', `/channels/${hidden.id}/messages`, () => ({ status: 403, body: { message: 'Missing Access', code: 50001 } }));
    const post = { title: 'Report', description: 'x', files: [{ name: 'r.pdf', bytes: Buffer.from('x') }] };
    await expect(createRestReportSender(rest).send(gone, post, 'n')).rejects.toThrow(
      new ReportDeliveryError(
        `The report channel <#${gone}> no longer exists. Fix it, or pick another channel with \`/clipscope-admin report channel:\`.`,
      ),
    );
    const repost = {
      guildId,
      messageId: snowflake(),
      channelId: reports.id,
      clipId: 'Slug',
      authorId: carol.id,
      count: { total: 5, byEmoji: [] },
    };
    await expect(createRestHallOfFameSender(rest).send(hidden.id, repost, 'n')).rejects.toMatchObject({
      failure: 'refused',
      message: `Discord refused the hall of fame repost in <#${hidden.id}>: Missing Access`,
    });
    await expect(rest.permissionsIn(guildId, gone, fake.bot.id)).rejects.toThrow(
      new DiscordLookupError(404, `The channel <#${gone}> no longer exists or Clipscope cannot see it.`),
    );
    const otherGuild = snowflake();
    await expect(rest.permissionsIn(otherGuild, reports.id, fake.bot.id)).rejects.toThrow(`the server ${otherGuild}`);
  });

  it('checks the hall of fame channel from overwrites, and a thread’s NSFW flag from its parent', async () => {
    const { rest } = await start(0n);
    const hall = createRestHallOfFameSender(rest);
    expect(await hall.checkHall(guildId, reports.id)).toBeNull();
    expect(await hall.checkHall(guildId, hidden.id)).toBe(`Clipscope needs View Channel in <#${hidden.id}>.`);
    expect(await hall.checkHall(snowflake(), reports.id)).toBe('Clipscope is not in this server any more.');
    expect(await hall.isNsfw(guildId, reports.id)).toBe(false);
    expect(await hall.isNsfw(guildId, thread.id)).toBe(true);
    expect(await hall.isNsfw(guildId, snowflake())).toBeNull();
    expect(await hall.isBot(discord!.bot.id)).toBe(true);
    expect(await hall.isBot(carol.id)).toBe(false);
    expect(await hall.isBot(snowflake())).toBe(false);
  });

  it('gives and takes a role below the bot’s highest, and says why not without Manage Roles or above it', async () => {
    const { fake, rest } = await start(P.ManageRoles);
    const roles = createRestRoleSender(rest);
    expect(await roles.checkRole(guildId, top)).toBeNull();
    expect(await roles.checkRole(guildId, above)).toContain('is not below Clipscope’s highest role');
    expect(await roles.checkRole(guildId, guildId)).toContain('@everyone');
    expect(await roles.checkRole(guildId, snowflake())).toContain('no longer exists');
    expect(await roles.addRole(guildId, carol.id, top, 'top sharer')).toBe('done');
    expect(fake.guilds[0]!.members![0]!.roles).toEqual([top]);
    expect(fake.requestsTo('PUT', `/guilds/${guildId}/members/${carol.id}/roles/${top}`)[0]!.headers['x-audit-log-reason']).toBe(
      'top%20sharer',
    );
    expect(await roles.addRole(guildId, carol.id, top, 'again')).toBe('already');
    expect(await roles.removeRole(guildId, carol.id, top, 'fell off')).toBe('done');
    expect(fake.guilds[0]!.members![0]!.roles).toEqual([]);
    expect(await roles.addRole(guildId, snowflake(), top, 'gone')).toBe('left');
    // A 403 on the member is a refusal to report, never a member who left (whose grant would be dropped).
    fake.route('GET', '/guilds/:g/members/:u', () => ({ status: 403, body: { message: 'Missing Access', code: 50001 } }));
    await expect(roles.removeRole(guildId, carol.id, top, 'fell off')).rejects.toThrow('Discord refused the role change: Missing Access');
  });

  it('asks Discord for a guild once within the TTL, then again after it', async () => {
    const { fake, rest, clock } = await start(P.ManageRoles);
    const roles = createRestRoleSender(rest);
    await Promise.all(Array.from({ length: 50 }, () => roles.checkRole(guildId, top)));
    expect(fake.requestsTo('GET', `/guilds/${guildId}`)).toHaveLength(1);
    clock.advance(31_000);
    await roles.checkRole(guildId, top);
    expect(fake.requestsTo('GET', `/guilds/${guildId}`)).toHaveLength(2);
  });

  it('waits out a 429 on a lookup and answers, as @discordjs/rest does for every route', async () => {
    const { fake, rest } = await start(P.ManageRoles);
    fake.rateLimit('GET', '/guilds/:id', { retryAfter: 0.2 }, 2);
    expect(await createRestRoleSender(rest).checkRole(guildId, top)).toBeNull();
    expect(fake.requestsTo('GET', `/guilds/${guildId}`)).toHaveLength(3);
  });

  it('keeps at most maxEntries answers per cache, forgetting the least recently used', async () => {
    const fake = await startFakeDiscord({ guilds: [{ id: guildId, name: 'Clip Town', channels: [reports, nsfwHall, hidden] }] });
    discord = fake;
    const rest = createDiscordRest({ token: fake.token, apiBaseUrl: fake.apiBaseUrl, clock: new ManualClock(0), maxEntries: 2 });
    for (const c of [reports, nsfwHall, hidden, reports]) await rest.channel(c.id);
    // reports was evicted by the third channel, so it was asked for twice; the others once.
    expect(fake.requestsTo('GET', `/channels/${reports.id}`)).toHaveLength(2);
    await rest.channel(hidden.id);
    expect(fake.requestsTo('GET', `/channels/${hidden.id}`)).toHaveLength(1);
  });

  it('without Manage Roles, says what to grant', async () => {
    const { rest } = await start(0n);
    expect(await createRestRoleSender(rest).checkRole(guildId, top)).toContain('**Manage Roles**');
  });
});
