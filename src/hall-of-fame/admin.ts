// What /clipscope-admin halloffame and /halloffame ask of the hall of fame (presentation never holds the database):
// its settings per guild, and the standings.
import type { Clock } from '../clock';
import type { Db } from '../db/database';
import {
  deleteHallOfFameSettings,
  getHallOfFameSettings,
  setHallOfFameSettings,
  topHallOfFameEntries,
  topHallOfFameSharers,
  type HallOfFameEntry,
  type HallOfFameSettings,
  type HallOfFameSharer,
} from '../db/stores/hall-of-fame';

export type { HallOfFameEntry, HallOfFameSettings, HallOfFameSharer };

/** What a guild sets; what it omits keeps its current value (or the default, for a new hall of fame). */
export type HallOfFameInput = { channelId: string } & Partial<Omit<HallOfFameSettings, 'guildId' | 'channelId' | 'updatedAt'>>;

export const HALL_OF_FAME_DEFAULTS = { threshold: 5, emojis: [] as string[], removeBelow: null, selfReactions: false, nsfw: false };

export interface HallOfFameStandings {
  entries: HallOfFameEntry[];
  sharers: HallOfFameSharer[];
}

export interface HallOfFameAdmin {
  get(guildId: string): Promise<HallOfFameSettings | null>;
  /** Turns the hall of fame on or changes it; resolves with the settings now in force. */
  set(guildId: string, input: HallOfFameInput): Promise<HallOfFameSettings>;
  /** Turns it off (reposts stay); false when it was not on. */
  off(guildId: string): Promise<boolean>;
  standings(guildId: string, limit: number): Promise<HallOfFameStandings>;
}

export function createHallOfFameAdmin(deps: { db: Db; clock: Clock }): HallOfFameAdmin {
  const { db, clock } = deps;
  return {
    get: (guildId) => getHallOfFameSettings(db, guildId),
    async set(guildId, input) {
      const current = (await getHallOfFameSettings(db, guildId)) ?? HALL_OF_FAME_DEFAULTS;
      const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
      const settings: HallOfFameSettings = {
        threshold: current.threshold,
        emojis: current.emojis,
        removeBelow: current.removeBelow,
        selfReactions: current.selfReactions,
        nsfw: current.nsfw,
        ...defined,
        channelId: input.channelId,
        guildId,
        updatedAt: clock.now(),
      };
      await setHallOfFameSettings(db, settings);
      return settings;
    },
    off: (guildId) => deleteHallOfFameSettings(db, guildId),
    async standings(guildId, limit) {
      return { entries: await topHallOfFameEntries(db, guildId, limit), sharers: await topHallOfFameSharers(db, guildId, limit) };
    },
  };
}
