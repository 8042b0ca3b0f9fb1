// What an admin may ask of a clip feed, checked the same way wherever it comes from (the /clipscope-admin feed options,
// the dashboard's settings): the rules live here once, named as the slash command's options are.
import { z } from 'zod';
import type { FeedFilters } from './admin';

/** A new feed's filters before the admin's options apply: every clip, at once, with taking-off alerts. */
export const NEW_FEED_DEFAULTS: FeedFilters = {
  minViews: 0,
  games: [],
  excludeGames: [],
  creatorsExclude: [],
  maxPerHour: null,
  mentionRoleId: null,
  postMemberShared: true,
  takingOff: true,
  alertChannelId: null,
};

const snowflake = z.string().regex(/^\d{1,20}$/, 'a Discord id');
const nameList = z
  .string()
  .trim()
  .max(500)
  .transform((v) =>
    v.toLowerCase() === 'none'
      ? []
      : v
          .split(',')
          .map((n) => n.trim())
          .filter(Boolean),
  )
  .pipe(z.array(z.string().max(100, 'each name is at most 100 characters')).max(25, 'at most 25 names'));

export const feedFilterInput = {
  min_views: z.number().int().min(0, 'at least 0').max(10_000_000).optional(),
  games: nameList.optional(),
  exclude_games: nameList.optional(),
  creators_exclude: nameList.optional(),
  max_per_hour: z.number().int().min(0, '0 (no limit) to 100').max(100, '0 (no limit) to 100').optional(),
  mention_role: snowflake.optional(),
  post_member_shared: z.boolean().optional(),
  taking_off: z.boolean().optional(),
  alert_channel: snowflake.optional(),
};

export const feedAddInput = z.object({
  channel: snowflake,
  twitch: z
    .string()
    .trim()
    .transform((v) =>
      v
        .replace(/^(?:https?:\/\/)?(?:www\.)?twitch\.tv\//i, '')
        .replace(/^@/, '')
        .toLowerCase(),
    )
    .pipe(z.string().regex(/^[a-z0-9_]{1,25}$/, 'a Twitch login: 1–25 letters, digits or underscores')),
  ...feedFilterInput,
});
export const feedEditInput = z.object({
  feed: z.number().int().min(1),
  channel: snowflake.optional(),
  clear_mention: z.boolean().optional(),
  ...feedFilterInput,
});
export const feedIdInput = z.object({ feed: z.number().int().min(1, 'a feed number from /clipscope-admin feed list') });

/** The filter options of an add or an edit, as parsed. */
export type FilterOptions = z.output<z.ZodObject<typeof feedFilterInput>>;

/** The store's filters an add or an edit sets (only those given); max_per_hour 0 means no limit. */
export function filtersOf(o: FilterOptions): Partial<FeedFilters> {
  return {
    ...(o.min_views !== undefined ? { minViews: o.min_views } : {}),
    ...(o.games !== undefined ? { games: o.games } : {}),
    ...(o.exclude_games !== undefined ? { excludeGames: o.exclude_games } : {}),
    ...(o.creators_exclude !== undefined ? { creatorsExclude: o.creators_exclude } : {}),
    ...(o.max_per_hour !== undefined ? { maxPerHour: o.max_per_hour === 0 ? null : o.max_per_hour } : {}),
    ...(o.mention_role !== undefined ? { mentionRoleId: o.mention_role } : {}),
    ...(o.post_member_shared !== undefined ? { postMemberShared: o.post_member_shared } : {}),
    ...(o.taking_off !== undefined ? { takingOff: o.taking_off } : {}),
    ...(o.alert_channel !== undefined ? { alertChannelId: o.alert_channel } : {}),
  };
}
