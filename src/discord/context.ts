// The one container of what slash commands, buttons and the digest need: injected once by the bot service,
// so command files hold no module globals and tests build their own.
import type { Clock } from '../clock';
import type { Db } from '../db/client';
import type { Logger } from '../logger';
import type { Pagination } from './pagination';

/**
 * Work that /clipscope-admin starts but other parts of Clipscope own. A null entry means the part is not
 * available in this process (e.g. no Twitch credentials), and the command says so instead of pretending.
 */
export interface AdminServices {
  /** Runs the aggregation job now; resolves with its summary line, or false if a run was already going. */
  runAggregation: (() => Promise<boolean>) | null;
}

export interface BotContext {
  db: Db;
  clock: Clock;
  logger: Logger;
  pagination: Pagination;
  services: AdminServices;
}
