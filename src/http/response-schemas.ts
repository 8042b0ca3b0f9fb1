// JSON schemas of the leaderboard answers (the API's most requested), compiled by fast-json-stringify into
// serialisers that write the same text as JSON.stringify at a fraction of its cost.
import fastJson, { type Schema } from 'fast-json-stringify';
import type { Moods } from '../analytics/moods';
import type { RoleChangesAnswer } from '../analytics/role-changes';
import { MOODS } from '../analytics/moods-table';
import type { EngagementTimeline, StreamMoments, TopCreators, TopGames } from '../analytics/types';

// Every property is required, so an answer missing one fails loudly; test/http/response-schemas.test.ts checks the
// text equals JSON.stringify's, so a property added to the answer but not here cannot be dropped silently.

/** Plain JSON Schema (fast-json-stringify's own types cannot say "string or null"). */
type JsonSchema = { [keyword: string]: unknown };

const string: JsonSchema = { type: 'string' };
const integer: JsonSchema = { type: 'integer' };
const number: JsonSchema = { type: 'number' };
const nullableString: JsonSchema = { type: ['string', 'null'] };
const nullableInteger: JsonSchema = { type: ['integer', 'null'] };
const nullableNumber: JsonSchema = { type: ['number', 'null'] };
const boolean: JsonSchema = { type: 'boolean' };
const integers: JsonSchema = { type: 'array', items: integer };

function object(properties: Record<string, JsonSchema>): JsonSchema {
  return { type: 'object', properties, required: Object.keys(properties) };
}

function nullableObject(properties: Record<string, JsonSchema>): JsonSchema {
  return { anyOf: [{ type: 'null' }, object(properties)] };
}

const period = object({ type: string, offset: integer, start: nullableString, end: nullableString, timezone: string, label: string });

const topCreatorsSchema = object({
  period,
  sort: string,
  creators: {
    type: 'array',
    items: object({
      creator_id: string,
      creator_name: string,
      clip_count: integer,
      total_views: integer,
      avg_views: number,
      discord_shares: integer,
      discord_reactions: integer,
      unique_games: integer,
      top_game: nullableObject({ id: string, name: string }),
    }),
  },
});

const topGamesSchema = object({
  period,
  sort: string,
  games: {
    type: 'array',
    items: object({
      game_id: string,
      game_name: string,
      clip_count: integer,
      total_views: integer,
      avg_view_count: number,
      unique_creators: integer,
      discord_shares: integer,
      discord_reactions: integer,
      top_clip: nullableObject({ id: string, title: string, views: integer, url: string }),
    }),
  },
});

const moodCounts = object(Object.fromEntries(MOODS.map((m) => [m, integer])));
const moodClip = object({
  clip_id: string,
  title: string,
  url: string,
  creator_name: nullableString,
  game_name: nullableString,
  reactions: integer,
  total: integer,
  moods: moodCounts,
});

const moodsSchema = object({
  period,
  source: string,
  mix: object({ total: integer, moods: moodCounts }),
  creators: { type: 'array', items: object({ creator_id: string, creator_name: string, total: integer, moods: moodCounts }) },
  games: { type: 'array', items: object({ game_id: string, game_name: string, total: integer, moods: moodCounts }) },
  rankings: object(Object.fromEntries(MOODS.map((m) => [m, { type: 'array', items: moodClip }]))),
  clip: nullableObject({ clip_id: string, total: integer, moods: moodCounts }),
});

export const serializeTopCreators: (answer: TopCreators) => string = fastJson(topCreatorsSchema as unknown as Schema);
export const serializeTopGames: (answer: TopGames) => string = fastJson(topGamesSchema as unknown as Schema);
export const serializeMoods: (answer: Moods) => string = fastJson(moodsSchema as unknown as Schema);

/** GET /analytics/api/engagement-timeline (src/analytics/types.ts EngagementTimeline): up to 3660 buckets. */
const timelineSchema = object({
  bucket: string,
  days: integer,
  timezone: string,
  buckets: {
    type: 'array',
    items: object({
      start: string,
      date: string,
      clips_created: integer,
      views: integer,
      discord_shares: integer,
      discord_reactions: integer,
      moods: moodCounts,
    }),
  },
  mood_source: string,
});

export const serializeTimeline: (answer: EngagementTimeline) => string = fastJson(timelineSchema as unknown as Schema);

const streamRow = object({
  video_id: string,
  url: string,
  broadcaster_id: string,
  broadcaster_name: string,
  title: string,
  started_at: string,
  duration_seconds: integer,
  clips: integer,
  views: integer,
  clips_per_hour: nullableNumber,
  first_clip_offset_seconds: nullableInteger,
  clips_without_offset: integer,
});

const streamThird = object({ clips: integer, clips_per_hour: nullableNumber });

/** GET /analytics/api/stream-moments (src/analytics/types.ts StreamMoments). */
const streamMomentsSchema = object({
  period,
  bin_minutes: integer,
  clips: object({ total: integer, placed: integer, without_offset: integer }),
  clips_by_bin: integers,
  games_by_bin: { type: 'array', items: object({ game_id: string, game_name: string, clips: integer, clips_by_bin: integers }) },
  streams: object({
    count: integer,
    truncated: boolean,
    hours_streamed: number,
    clips: integer,
    views: integer,
    clips_without_offset: integer,
    clips_per_hour: nullableNumber,
    time_to_first_clip: object({ streams: integer, median_seconds: nullableInteger, mean_seconds: nullableInteger }),
    thirds: object({ first: streamThird, middle: streamThird, last: streamThird, beyond_end: integer }),
  }),
  top_by_clips: { type: 'array', items: streamRow },
  top_by_views: { type: 'array', items: streamRow },
  games_per_hour: {
    type: 'array',
    items: object({
      game_id: string,
      game_name: string,
      streams: integer,
      hours_streamed: number,
      clips: integer,
      clips_per_hour: nullableNumber,
    }),
  },
});

export const serializeStreamMoments: (answer: StreamMoments) => string = fastJson(streamMomentsSchema as unknown as Schema);

const roleChangesSchema = object({
  rules: {
    type: 'array',
    items: object({
      role_id: string,
      kind: string,
      period: string,
      top: nullableInteger,
      min: nullableInteger,
      state: string,
      description: string,
      previewed_at: nullableString,
      updated_at: string,
    }),
  },
  changes: {
    type: 'array',
    items: object({ change_id: string, role_id: string, user_id: string, action: string, rule: string, changed_at: string }),
  },
  next_cursor: nullableString,
  last_run: nullableObject({ started_at: nullableString, finished_at: nullableString, failed: boolean }),
});

export const serializeRoleChanges: (answer: RoleChangesAnswer) => string = fastJson(roleChangesSchema as unknown as Schema);
