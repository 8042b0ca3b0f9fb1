import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/command';
import { runCli } from '../../src/cli/index';
import { recordMessage } from '../../src/capture/record-share';
import { queries } from '../../src/db/sql';
import { clearTables } from '../helpers/clear-tables';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';

function io(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const stream = (append: (s: string) => void) =>
    ({ write: (chunk: string) => (append(String(chunk)), true) }) as unknown as NodeJS.WritableStream;
  return {
    stdout: stream((s) => (out += s)),
    stderr: stream((s) => (err += s)),
    env: {},
    out: () => out,
    err: () => err,
  };
}

async function seed(temp: TestDatabase): Promise<void> {
  const other = await temp.openAnother();
  const db = other.db;
  for (const [guildId, messageId] of [
    ['g1', 'm1'],
    ['g1', 'm2'],
    ['g2', 'm3'],
  ] as const) {
    await db.transaction((tx) =>
      recordMessage(
        tx,
        {
          guildId,
          channelId: 'c',
          messageId,
          authorId: 'u',
          authorName: 'u',
          authorIsBot: false,
          postedAt: Date.parse('2026-04-01T10:00:00Z') + Number(messageId.slice(1)) * 86_400_000,
          content: `https://clips.twitch.tv/Slug${messageId}`,
          source: 'discord',
        },
        Date.now(),
      ),
    );
  }
  await other.close();
}

// One database per engine for the file, emptied before each test; the CLI opens it by --database (path or URL).
describe.each(testEngines())('clipscope aggregate on %s', (engine) => {
  let temp: TestDatabase;
  beforeAll(async () => {
    temp = await openTestDatabase(engine, 'cli-aggregate');
  });
  afterAll(() => temp?.close());
  beforeEach(() => clearTables(temp.db));

  it('rebuilds every guild on the first run and prints what it recomputed', async () => {
    await seed(temp);
    const cli = io();
    expect(await runCli(['aggregate', '--database', temp.target], cli)).toBe(0);
    expect(cli.out()).toMatch(
      /^9 buckets recomputed \(8 of 8 guild periods rebuilt in full, 3 dirty hours\) for 2 guilds in \d+\.\d\ds\n$/,
    );
    expect(cli.err()).toContain('Aggregating: 8/8 guild periods');
    const again = io();
    expect(await runCli(['aggregate', '--database', temp.target], again)).toBe(0);
    expect(again.out()).toMatch(/^0 buckets recomputed \(nothing changed since the last run\) in \d+\.\d\ds\n$/);
  });

  it('limits the run to one guild and period type, or rebuilds in full with --full', async () => {
    await seed(temp);
    const cli = io();
    expect(await runCli(['aggregate', '--database', temp.target, '--guild', 'g2', '--period', 'week', '--full'], cli)).toBe(0);
    expect(cli.out()).toMatch(/^1 bucket recomputed \(1 of 1 guild period rebuilt in full, 1 dirty hour\) for 1 guild in/);
    // The period types of a guild are carried forward together, so g2's others are current too; g1 is untouched.
    const rows = await queries(temp.db).all<{ guild_id: string; period_type: string; discord_shares: number | string }>(
      'SELECT guild_id, period_type, discord_shares FROM guild_period_stats ORDER BY period_type',
    );
    expect(rows.map((r) => ({ ...r, discord_shares: Number(r.discord_shares) }))).toEqual(
      ['all_time', 'day', 'month', 'week'].map((type) => ({ guild_id: 'g2', period_type: type, discord_shares: 1 })),
    );
  });

  it('warns when --guild names a guild the database holds nothing of', async () => {
    await seed(temp);
    const typo = io();
    expect(await runCli(['aggregate', '--database', temp.target, '--guild', 'g3'], typo)).toBe(0);
    expect(typo.err()).toContain('Warning: this database holds no data for guild g3; nothing to aggregate. "clipscope guilds" lists');
    const known = io();
    expect(await runCli(['aggregate', '--database', temp.target, '--guild', 'g1'], known)).toBe(0);
    expect(known.err()).not.toContain('Warning');
  });

  it('refuses an unknown period type with the list of valid ones', async () => {
    const cli = io();
    expect(await runCli(['aggregate', '--database', temp.target, '--period', 'year'], cli)).toBe(2);
    expect(cli.err()).toBe('clipscope aggregate: --period must be one of day, week, month, all_time (got "year")\n');
  });
});
