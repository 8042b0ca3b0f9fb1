// Issue 9: every slash command and subcommand (walked from the registered builders, so a new one is walked
// automatically), every autocomplete and every /clipstats export report, run as a user of guild A through the real
// discord.js Client. Nothing the bot sends back may carry guild B's data; the same walk in guild B shows it (control).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateAnalytics } from '../../src/analytics/aggregate';
import { createAdminServices } from '../../src/discord/admin-services';
import { commandDefinitions } from '../../src/discord/commands/index';
import type { HelixClip } from '../../src/twitch/schemas';
import { writeTwitchClip } from '../../src/db/stores/twitch-clips';
import { bodyOf, shareClip, startCommandBot, type CommandBot } from '../discord/command-bot';
import { snowflake, textChannel, user, type RecordedRequest } from '../fakes/discord';
import { autocomplete, chatInput, OptionTypes, Permissions, type ApiOption } from '../fakes/discord/interactions';

const NOW = Date.UTC(2026, 10, 25, 12, 0); // Wednesday 25 November 2026, 12:00 UTC
const TUESDAY = Date.UTC(2026, 10, 24, 10, 0);

interface Side {
  guildId: string;
  channel: ReturnType<typeof textChannel>;
  marker: string;
  clipIds: string[];
}

const guildA = snowflake();
const guildB = snowflake();
const A: Side = {
  guildId: guildA,
  channel: textChannel({ guild_id: guildA, name: 'clips' }),
  marker: 'ZZALPHA',
  clipIds: ['AlphaClipOne', 'AlphaClipTwo', 'AlphaClipThree'],
};
const B: Side = {
  guildId: guildB,
  channel: textChannel({ guild_id: guildB, name: 'clips' }),
  marker: 'ZZBETA',
  clipIds: ['BetaClipOne', 'BetaClipTwo', 'BetaClipThree'],
};
const manager = user({ username: 'manager' });

interface CommandOption {
  name: string;
  type: number;
  required?: boolean;
  autocomplete?: boolean;
  choices?: { value: string | number }[];
  min_value?: number;
  options?: CommandOption[];
}
interface CommandJson {
  name: string;
  options?: CommandOption[];
}

/** One invocation: the command name, the path of subcommand group/subcommand, and that leaf's options. */
interface Leaf {
  command: string;
  path: string[];
  options: CommandOption[];
}

function leavesOf(command: CommandJson): Leaf[] {
  const walk = (path: string[], opts: CommandOption[]): Leaf[] => {
    const subs = opts.filter((o) => o.type === OptionTypes.Subcommand || o.type === OptionTypes.SubcommandGroup);
    if (subs.length === 0) return [{ command: command.name, path, options: opts }];
    return subs.flatMap((s) => walk([...path, s.name], s.options ?? []));
  };
  return walk([], command.options ?? []);
}

/** Wraps a leaf's options in its subcommand group/subcommand, as Discord nests them. */
function nest(path: string[], opts: ApiOption[]): ApiOption[] {
  let nested = opts;
  for (let i = path.length - 1; i >= 0; i--) {
    nested = [{ name: path[i]!, type: i === path.length - 1 ? OptionTypes.Subcommand : OptionTypes.SubcommandGroup, options: nested }];
  }
  return nested;
}

const COMMANDS = commandDefinitions() as unknown as CommandJson[];
const LEAVES = COMMANDS.flatMap(leavesOf);

let h: CommandBot;

function helixClip(side: Side, clipId: string, i: number): HelixClip {
  return {
    id: clipId,
    url: `https://clips.twitch.tv/${clipId}`,
    broadcasterId: `${side.marker}-b`,
    broadcasterName: `${side.marker} Streamer`,
    creatorId: `${side.marker}-c${i % 2}`,
    creatorName: `${side.marker} Creator ${i % 2}`,
    gameId: `${side.marker}-g${i % 2}`,
    title: `${side.marker} clip title ${i}`,
    viewCount: 100 * (i + 1),
    createdAt: TUESDAY,
    thumbnailUrl: `https://clips-media.example/${clipId}.jpg`,
    duration: 30,
    videoId: null,
    vodOffset: null,
  };
}

beforeAll(async () => {
  h = await startCommandBot({
    now: NOW,
    guilds: [
      { id: A.guildId, name: 'Alpha Town', channels: [A.channel] },
      { id: B.guildId, name: 'Beta Town', channels: [B.channel] },
    ],
  });
  const db = h.temp.db;
  // The real /clipscope-admin services (aggregation, API tokens, history backfill); Twitch stays unconfigured.
  Object.assign(
    h.ctx.services,
    createAdminServices({
      db,
      clock: h.clock,
      logger: h.ctx.logger,
      twitch: null,
      discord: { token: h.discord.token, apiBaseUrl: h.discord.apiBaseUrl },
    }),
  );
  for (const side of [A, B]) {
    for (const [i, clipId] of side.clipIds.entries()) {
      shareClip(db, {
        guildId: side.guildId,
        channelId: side.channel.id,
        clipId,
        authorId: manager.id,
        authorName: `${side.marker.toLowerCase()}sharer`,
        at: TUESDAY + 3_600_000,
      });
      const clip = helixClip(side, clipId, i);
      await writeTwitchClip(db, clip, { now: TUESDAY + 4_000_000, gameName: `${side.marker} Game ${i % 2}` });
    }
  }
  await aggregateAnalytics(db, {}, { clock: h.clock });
});

afterAll(async () => {
  await h?.stop();
});

/** Plausible values for required free-text options (any other gets the first autocomplete choice or a word). */
function freeText(side: Side, name: string): string {
  if (name === 'url') return `https://clips.twitch.tv/${side.clipIds[0]}`;
  if (name === 'channels') return 'somestreamer';
  return 'something';
}

interface Walk {
  interactions: number;
  autocompletes: number;
  /** Every request body the bot sent to Discord during the walk (JSON, or the multipart text). */
  bodies: string[];
}

async function walkAll(side: Side): Promise<Walk> {
  const fields = {
    applicationId: h.discord.applicationId,
    guildId: side.guildId,
    channel: side.channel,
    user: manager,
    permissions: Permissions.manager,
  };
  const before = h.discord.requests.length;
  const walk: Walk = { interactions: 0, autocompletes: 0, bodies: [] };

  for (const leaf of LEAVES) {
    // Autocomplete every autocompletable option, with nothing typed; the first suggestion is kept for the command.
    const suggested = new Map<string, string | number>();
    for (const option of leaf.options.filter((o) => o.autocomplete)) {
      const requests = await h.invoke(
        autocomplete({
          ...fields,
          commandName: leaf.command,
          options: nest(leaf.path, [{ name: option.name, type: option.type, value: '', focused: true }]),
        }),
      );
      walk.autocompletes += 1;
      const choices = (bodyOf(requests.find((r) => r.path.endsWith('/callback'))).data?.choices ?? []) as { value: string | number }[];
      if (choices[0]) suggested.set(option.name, choices[0].value);
    }

    // Required options; a required option with choices (e.g. /clipstats export report) is walked once per choice.
    const required = leaf.options.filter((o) => o.required);
    const variants: ApiOption[][] = [[]];
    let resolvedChannels: (typeof side.channel)[] = [];
    for (const option of required) {
      let values: (string | number | boolean)[];
      if (option.type === OptionTypes.Channel) {
        values = [side.channel.id];
        resolvedChannels = [side.channel];
      } else if (option.choices && option.choices.length > 0) values = option.choices.map((c) => c.value);
      else if (suggested.has(option.name)) values = [suggested.get(option.name)!];
      else if (option.type === OptionTypes.Integer || option.type === OptionTypes.Number) values = [option.min_value ?? 1];
      else if (option.type === OptionTypes.Boolean) values = [true];
      else values = [freeText(side, option.name)];
      const next = variants.splice(0).flatMap((v) => values.map((value) => [...v, { name: option.name, type: option.type, value }]));
      variants.push(...next);
    }
    for (const opts of variants) {
      await h.invoke(chatInput({ ...fields, commandName: leaf.command, options: nest(leaf.path, opts), resolvedChannels }));
      walk.interactions += 1;
    }
  }

  for (const request of h.discord.requests.slice(before)) {
    if (request.body !== undefined) walk.bodies.push(typeof request.body === 'string' ? request.body : JSON.stringify(request.body));
  }
  return walk;
}

describe('every slash command stays inside its guild', () => {
  let inA: Walk;
  let inB: Walk;

  beforeAll(async () => {
    inA = await walkAll(A);
    inB = await walkAll(B);
  });

  it('walks every command, subcommand, autocomplete and export report', () => {
    const exportReports =
      LEAVES.find((l) => l.command === 'clipstats' && l.path.join(' ') === 'export')?.options.find((o) => o.name === 'report')?.choices ??
      [];
    expect(exportReports.length).toBeGreaterThan(0);
    expect(LEAVES.length).toBeGreaterThanOrEqual(COMMANDS.length);
    const autocompletable = LEAVES.flatMap((l) => l.options.filter((o) => o.autocomplete));
    expect(autocompletable.length).toBeGreaterThan(0);
    for (const walk of [inA, inB]) {
      // One invocation per leaf, times the choices of each required option with choices (export: one per report).
      const expected = LEAVES.reduce(
        (n, l) => n + l.options.filter((o) => o.required && o.choices?.length).reduce((m, o) => m * o.choices!.length, 1),
        0,
      );
      expect(walk.interactions).toBe(expected);
      expect(walk.autocompletes).toBe(autocompletable.length);
    }
  });

  it('never sends guild B’s creators, games or clips to guild A', () => {
    const leaks = inA.bodies.filter((b) => b.includes(B.marker));
    expect(leaks).toEqual([]);
    // The walk did show guild A its own data.
    expect(inA.bodies.filter((b) => b.includes(A.marker)).length).toBeGreaterThan(0);
  });

  it('control: the same walk in guild B does show guild B’s data (and none of guild A’s)', () => {
    expect(inB.bodies.filter((b) => b.includes(B.marker)).length).toBeGreaterThan(0);
    expect(inB.bodies.filter((b) => b.includes(A.marker))).toEqual([]);
  });

  it('a clip link from guild B asked about in guild A shows nothing of it', async () => {
    const before = h.discord.requests.length;
    await h.invoke(
      chatInput({
        applicationId: h.discord.applicationId,
        guildId: A.guildId,
        channel: A.channel,
        user: manager,
        commandName: 'clipstats',
        options: nest(['clip'], [{ name: 'url', type: OptionTypes.String, value: `https://clips.twitch.tv/${B.clipIds[0]}` }]),
      }),
    );
    const sent: RecordedRequest[] = h.discord.requests.slice(before).filter((r) => r.body !== undefined);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.map((r) => JSON.stringify(r.body)).filter((b) => b.includes(B.marker))).toEqual([]);
  });
});
