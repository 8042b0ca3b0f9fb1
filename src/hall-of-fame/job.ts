// The hall of fame's scheduled pass (docs/hall-of-fame.md): every 30 seconds, for each guild whose hall of fame is on,
// repost the shares that reached it and bring the standing reposts up to date. Capture offers no event to hook, so
// the pass reads what capture recorded: live reactions, and those a crawl or fetch found later, alike.
import type { Clock } from '../clock';
import type { Db } from '../db/database';
import { listHallOfFameSettings, type HallOfFameSettings } from '../db/stores/hall-of-fame';
import type { Logger } from '../logger';
import type { Job } from '../scheduler/scheduler';
import { runGuildPass } from './reposter';
import type { HallOfFameSender } from './sender';

export const HALL_OF_FAME_JOB_NAME = 'hall-of-fame';
export const HALL_OF_FAME_JOB_CRON = '5,35 * * * * *';
/** Guilds read per page of settings, and the time after which a pass starts no more guilds (the rest go next time). */
const GUILDS_PER_PAGE = 100;
const RUN_DEADLINE_MS = 25_000;

export interface HallOfFameJobDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  sender: HallOfFameSender;
}

export interface HallOfFameRunSummary {
  guilds: number;
  posted: number;
  edited: number;
  removed: number;
  failed: number;
  blocked: number;
}

export interface HallOfFameRunner {
  runOnce(): Promise<HallOfFameRunSummary>;
}

export function createHallOfFameRunner(deps: HallOfFameJobDeps): HallOfFameRunner {
  const logger = deps.logger.child({ component: 'hall-of-fame' });
  // Guilds are taken in turn across passes, so a pass cut short by the deadline does not starve the later ones.
  let resumeAfter = '';
  // Why each guild's hall could not be posted in, so that it is logged once when it starts and once when it ends.
  const blocked = new Map<string, string>();
  const noteBlocked = (settings: HallOfFameSettings, reason: string | null): void => {
    const before = blocked.get(settings.guildId) ?? null;
    if (reason === before) return;
    const where = { guildId: settings.guildId, channelId: settings.channelId };
    if (reason === null) {
      blocked.delete(settings.guildId);
      logger.info(where, 'hall of fame: Clipscope may post in the hall channel again');
    } else {
      blocked.set(settings.guildId, reason);
      logger.warn({ ...where, reason }, 'hall of fame: nothing is reposted until Clipscope may post in the hall channel');
    }
  };
  return {
    async runOnce() {
      const summary: HallOfFameRunSummary = { guilds: 0, posted: 0, edited: 0, removed: 0, failed: 0, blocked: 0 };
      const deadline = deps.clock.now() + RUN_DEADLINE_MS;
      const pass = (settings: HallOfFameSettings) =>
        runGuildPass({ db: deps.db, sender: deps.sender, logger, now: () => deps.clock.now() }, settings, deadline);
      // First the guilds after where the last pass stopped, then from the first up to there.
      const legs =
        resumeAfter === ''
          ? [{ from: '', to: null }]
          : [
              { from: resumeAfter, to: null },
              { from: '', to: resumeAfter },
            ];
      for (const leg of legs) {
        let cursor = leg.from;
        for (;;) {
          const page = await listHallOfFameSettings(deps.db, cursor, GUILDS_PER_PAGE);
          for (const settings of page) {
            if (leg.to !== null && settings.guildId > leg.to) break;
            if (deps.clock.now() > deadline) {
              resumeAfter = cursor;
              return summary;
            }
            cursor = settings.guildId;
            summary.guilds += 1;
            try {
              const done = await pass(settings);
              summary.posted += done.posted;
              summary.edited += done.edited;
              summary.removed += done.removed;
              summary.failed += done.failed;
              if (done.blocked) summary.blocked += 1;
              noteBlocked(settings, done.blocked);
            } catch (error) {
              logger.error({ err: error, guildId: settings.guildId }, 'hall of fame pass failed; the next one tries again');
            }
          }
          if (page.length < GUILDS_PER_PAGE || (leg.to !== null && cursor >= leg.to)) break;
        }
      }
      resumeAfter = '';
      return summary;
    },
  };
}

export function formatHallOfFameSummary(s: HallOfFameRunSummary): string {
  if (s.guilds === 0) return 'no hall of fame on';
  const parts = [`${s.guilds} guilds`, `${s.posted} reposted`, `${s.edited} edited`, `${s.removed} removed`];
  if (s.failed > 0) parts.push(`${s.failed} refused`);
  if (s.blocked > 0) parts.push(`${s.blocked} halls Clipscope cannot post in`);
  return parts.join(', ');
}

export function createHallOfFameJob(deps: HallOfFameJobDeps): Job {
  const runner = createHallOfFameRunner(deps);
  return { name: HALL_OF_FAME_JOB_NAME, cron: HALL_OF_FAME_JOB_CRON, run: async () => formatHallOfFameSummary(await runner.runOnce()) };
}
