// What goes wrong between Clipscope and a PostgreSQL server, named for an operator: a statement cut off by the
// statement timeout, a pool with no free connection within the bound, a server that cannot be reached, a connection
// lost mid-statement. Other server errors (constraints, syntax) pass through as pg's DatabaseError with its SQLSTATE.
import { ClipscopeError } from '../../errors';

export type PostgresProblem = 'statement_timeout' | 'pool_exhausted' | 'unreachable' | 'connection_lost';

export class PostgresError extends ClipscopeError {
  constructor(
    readonly problem: PostgresProblem,
    message: string,
    /** The server's SQLSTATE when the server reported the error (57014 for a statement timeout), else null. */
    readonly sqlState: string | null,
    cause: unknown,
  ) {
    super(`postgres_${problem}`, message, { cause, detail: { sqlState } });
  }
}

/** What the engine knows when it names an error. */
export interface PostgresErrorContext {
  /** The server and database, without password (describePostgresUrl). */
  location: string;
  poolSize: number;
  acquireTimeoutMs: number;
  statementTimeoutMs: number;
  /** Connections the pool holds now (all in use when it equals poolSize). */
  connections: number;
}

/** The SQLSTATE of a server error (pg's DatabaseError), or null for anything else. */
export function sqlStateOf(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof (error as { severity?: unknown }).severity === 'string'
    ? code
    : null;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Whether the connection that raised `error` can no longer be used (it must be destroyed, not returned to the pool). */
export function isBrokenConnectionError(error: unknown): boolean {
  if (error instanceof PostgresError) return error.problem === 'connection_lost' || error.problem === 'unreachable';
  const state = sqlStateOf(error);
  // A server error leaves the connection usable, except the connection-exception class and a server shutting down.
  if (state !== null) return state.startsWith('08') || state.startsWith('57P');
  return true;
}

/** `error` raised while taking a connection from the pool, named. */
export function acquireError(error: unknown, context: PostgresErrorContext): PostgresError {
  if (error instanceof PostgresError) return error;
  const message = messageOf(error);
  if (message === 'timeout exceeded when trying to connect' && context.connections >= context.poolSize) {
    return new PostgresError(
      'pool_exhausted',
      `no PostgreSQL connection became free within ${context.acquireTimeoutMs} ms: all ${context.poolSize} connections of the pool ` +
        `(DATABASE_POOL_SIZE) are in use at ${context.location}`,
      null,
      error,
    );
  }
  const reason =
    message === 'timeout exceeded when trying to connect' || message.startsWith('Connection terminated due to connection timeout')
      ? `no answer within ${context.acquireTimeoutMs} ms`
      : message;
  return new PostgresError('unreachable', `cannot connect to PostgreSQL at ${context.location}: ${reason}`, sqlStateOf(error), error);
}

/** `error` raised by a statement, named when it is one of the problems above; other errors are returned as they are. */
export function statementError(error: unknown, context: PostgresErrorContext): unknown {
  if (error instanceof PostgresError) return error;
  const state = sqlStateOf(error);
  if (state === '57014' && /statement timeout/i.test(messageOf(error))) {
    return new PostgresError(
      'statement_timeout',
      `PostgreSQL cancelled a statement that ran longer than the statement timeout (${context.statementTimeoutMs} ms, ` +
        `DATABASE_STATEMENT_TIMEOUT_MS) at ${context.location}`,
      state,
      error,
    );
  }
  if (state === null ? isBrokenConnectionError(error) && isConnectionFailure(error) : state.startsWith('08') || state.startsWith('57P')) {
    return new PostgresError(
      'connection_lost',
      `lost the connection to PostgreSQL at ${context.location}: ${messageOf(error)}`,
      state,
      error,
    );
  }
  return error;
}

/** A driver or socket error about the connection itself (as opposed to a bug such as a bad parameter). */
function isConnectionFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^(ECONN|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN)/.test(code)) return true;
  return /Connection terminated|Client has encountered a connection error|connection is closed/i.test(messageOf(error));
}
