// /clipscope-admin report-email add|remove|list through the real bot (discord.js against the fake gateway and REST)
// with the real report email store on both engines: addresses checked and lower-cased, at most MAX_REPORT_EMAILS per
// server, refusals naming the option, and another server's list untouched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportEmailStore } from '../../src/db/stores/report-emails';
import { MAX_REPORT_EMAILS } from '../../src/reports/email';
import { snowflake, textChannel, user } from '../fakes/discord';
import { chatInput, options, Permissions, subcommand, subcommandGroup } from '../fakes/discord/interactions';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { startCommandBot, type CommandBot } from './command-bot';

const NOW = Date.UTC(2026, 10, 25, 12, 0);
const guildA = snowflake();
const guildB = snowflake();
const channelA = textChannel({ guild_id: guildA, name: 'general' });
const channelB = textChannel({ guild_id: guildB, name: 'general' });
const admin = user({ username: 'admin' });

describe.each(testEngines())('/clipscope-admin report-email on %s', (engine) => {
  let t: TestDatabase;
  let h: CommandBot;

  const reportEmail = async (guildId: string, sub: string, opts: Record<string, string> = {}): Promise<string> =>
    (
      await h.invoke(
        chatInput({
          applicationId: h.discord.applicationId,
          guildId,
          channel: guildId === guildA ? channelA : channelB,
          user: admin,
          permissions: Permissions.manager,
          commandName: 'clipscope-admin',
          options: [subcommandGroup('report-email', subcommand(sub, options(opts)))],
        }),
      )
    )
      .map((r) => JSON.stringify(r.body ?? null))
      .join('\n');

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'report-email-commands');
    h = await startCommandBot({
      guilds: [
        { id: guildA, name: 'Alpha', ownerId: admin.id, channels: [channelA] },
        { id: guildB, name: 'Beta', ownerId: admin.id, channels: [channelB] },
      ],
      now: NOW,
      database: t.db,
      services: ({ db }) => ({ reportEmails: reportEmailStore(db) }),
    });
  });
  afterAll(async () => {
    await h?.stop();
    await t?.close();
  });

  it('adds, lists and removes addresses, lower-cased, each server its own', async () => {
    expect(await reportEmail(guildA, 'list')).toContain('Nobody gets the monthly report by email');
    expect(await reportEmail(guildA, 'add', { address: ' Ana@Example.COM ' })).toContain(
      '`ana@example.com` will get last month’s report as a PDF by email',
    );
    expect(await reportEmail(guildA, 'add', { address: 'ana@example.com' })).toContain('`ana@example.com` already gets the monthly report');
    expect(await reportEmail(guildA, 'list')).toContain(`(1 of at most ${MAX_REPORT_EMAILS}):\\n- \`ana@example.com\``);
    expect(await reportEmail(guildB, 'list')).toContain('Nobody gets the monthly report by email');
    expect(await reportEmailStore(t.db).list(guildA)).toEqual(['ana@example.com']);
    expect(await reportEmail(guildA, 'remove', { address: 'ANA@example.com' })).toContain(
      '`ana@example.com` no longer gets the monthly report',
    );
    expect(await reportEmail(guildA, 'remove', { address: 'ana@example.com' })).toContain('is not on this server’s report list');
    expect(await reportEmailStore(t.db).list(guildA)).toEqual([]);
  });

  it('refuses what is not an address, naming the option, and stores nothing', async () => {
    for (const bad of ['not-an-address', 'a@', '@example.com', 'a b@example.com']) {
      const answer = await reportEmail(guildB, 'add', { address: bad });
      expect(answer, bad).toContain('`address`: an email address such as reports@example.com');
      expect(answer, bad).not.toContain('will get');
    }
    expect(await reportEmailStore(t.db).list(guildB)).toEqual([]);
  });

  it(`refuses an address past ${MAX_REPORT_EMAILS} per server, saying what to do`, async () => {
    for (let i = 0; i < MAX_REPORT_EMAILS; i++)
      expect(await reportEmail(guildB, 'add', { address: `r${i}@example.com` })).toContain('will get');
    const answer = await reportEmail(guildB, 'add', { address: 'one-more@example.com' });
    expect(answer).toContain(`already has ${MAX_REPORT_EMAILS} report addresses`);
    expect(answer).toContain('/clipscope-admin report-email remove');
    expect(await reportEmailStore(t.db).list(guildB)).toHaveLength(MAX_REPORT_EMAILS);
    expect(await reportEmailStore(t.db).list(guildA)).toEqual([]);
  });
});
