// Fair shares of the HTTP worker's query time. A cached answer costs microseconds; an uncached one (an explicit range,
// compare, growth opportunities) can cost hundreds of milliseconds, and on one thread a flood of them from one token
// used to make every other guild's cached answers wait behind all of them. So each token (or session) gets:
// - one uncached answer computed at a time, the next only after a turn of the event loop, so other requests (cached
//   answers above all) are served between two of its queries rather than after all of them;
// - a bounded queue of uncached answers waiting (429 too_many_queries beyond it);
// - a budget of query time per minute, a token bucket charged with the time each uncached answer took to compute
//   (429 query_budget_exceeded with Retry-After once it is spent). Cached answers never touch the budget.
import { performance } from 'node:perf_hooks';
import { HttpError } from './errors';

export interface QueryBudgetOptions {
  /** Milliseconds of query time one token may use per minute; also the largest burst. */
  msPerMinute: number;
  /** Uncached answers one token may have waiting or running at once. */
  maxQueued: number;
  /** Monotonic milliseconds (injected for tests); performance.now by default. */
  now?: () => number;
}

export interface QueryBudget {
  /** Runs `work` (one uncached answer) in `key`'s turn and charges its time; rejects with a 429 when over the limits. */
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
  /** Keys with a balance or queue (for tests and health). */
  readonly size: number;
}

interface Account {
  /** Milliseconds left; negative after an answer that cost more than what was left. */
  balance: number;
  refilledAt: number;
  /** Answers waiting or running. */
  queued: number;
  /** Settles when the last queued answer has run: the next one chains on it. */
  tail: Promise<unknown>;
}

const MINUTE_MS = 60_000;
/** Accounts idle and full are forgotten once there are more than this many, so the map is bounded by active keys. */
const SWEEP_AT = 10_000;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function createQueryBudget(options: QueryBudgetOptions): QueryBudget {
  const now = options.now ?? (() => performance.now());
  const perMs = options.msPerMinute / MINUTE_MS;
  const accounts = new Map<string, Account>();

  const refill = (account: Account, t: number): void => {
    account.balance = Math.min(options.msPerMinute, account.balance + (t - account.refilledAt) * perMs);
    account.refilledAt = t;
  };
  const overBudget = (account: Account): HttpError => {
    const retry = Math.max(1, Math.ceil((-account.balance / perMs + 1) / 1000));
    return new HttpError(
      429,
      'query_budget_exceeded',
      `This token has used its share of query time (${Math.round(options.msPerMinute / 1000)} s a minute) on answers that are not cached; cached answers still work. Retry in ${retry} s, or ask for fewer distinct ranges.`,
      { retry_after: retry },
      { 'retry-after': String(retry) },
    );
  };
  const sweep = (t: number): void => {
    for (const [key, account] of accounts) {
      refill(account, t);
      if (account.queued === 0 && account.balance >= options.msPerMinute) accounts.delete(key);
    }
  };

  return {
    async run(key, work) {
      const t = now();
      let account = accounts.get(key);
      if (!account) {
        if (accounts.size >= SWEEP_AT) sweep(t);
        account = { balance: options.msPerMinute, refilledAt: t, queued: 0, tail: Promise.resolve() };
        accounts.set(key, account);
      }
      refill(account, t);
      if (account.balance <= 0) throw overBudget(account);
      if (account.queued >= options.maxQueued) {
        throw new HttpError(
          429,
          'too_many_queries',
          `This token already has ${account.queued} answers being computed; wait for them before asking more.`,
          { retry_after: 1 },
          { 'retry-after': '1' },
        );
      }
      account.queued += 1;
      const mine = account;
      // Always after a turn of the event loop, even for an idle token: requests that arrived meanwhile (cached answers
      // above all) are read and answered before this token's next uncached answer starts. (The connection itself is
      // handed on first come first served: src/db/client.ts.)
      const turn = mine.tail.then(nextTurn);
      const done = turn.then(async () => {
        refill(mine, now());
        // The budget may have run out while this answer waited its turn.
        if (mine.balance <= 0) throw overBudget(mine);
        const started = now();
        try {
          return await work();
        } finally {
          mine.balance -= now() - started;
        }
      });
      mine.tail = done.then(
        () => undefined,
        () => undefined,
      );
      try {
        return await done;
      } finally {
        mine.queued -= 1;
      }
    },
    get size() {
      return accounts.size;
    },
  };
}
