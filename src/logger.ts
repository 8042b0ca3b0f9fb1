// pino logger construction, with secrets redacted wherever they could appear.
import pino, { type Logger } from 'pino';

export type { Logger };

const REDACT_PATHS = [
  'token',
  'secret',
  'password',
  'authorization',
  '*.token',
  '*.secret',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'config.DISCORD_TOKEN',
  'config.TWITCH_CLIENT_SECRET',
  'config.DISCORD_CLIENT_SECRET',
  'clientSecret',
  '*.clientSecret',
  'accessToken',
  'refreshToken',
  '*.accessToken',
  '*.refreshToken',
  'access_token',
  'refresh_token',
  '*.access_token',
  '*.refresh_token',
];

// Interaction and webhook tokens sit in Discord REST URLs (/interactions/:id/:token/…, /webhooks/:app/:token/…): each lets
// anyone post as the bot in that channel for 15 minutes.
const DISCORD_URL_TOKEN = /(\/(?:interactions|webhooks)\/\d+\/)[^/?#\s"]+/g;

/**
 * pino's error serializer, minus what a failed Discord request carries that must not be logged: its request body (the
 * reply that failed, e.g. a newly created API token shown once to an admin) and the token in its URL.
 */
export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const serialized = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  delete serialized.requestBody;
  for (const key of ['url', 'message', 'stack']) {
    const value = serialized[key];
    if (typeof value === 'string') serialized[key] = value.replace(DISCORD_URL_TOKEN, '$1[redacted]');
  }
  return serialized;
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };

/**
 * One readable line per JSON log line: "14:03:21 INFO  http  dashboard at … url=http://…". Fields that are objects are
 * written as JSON, an error's stack on the lines below. A line that is not JSON passes through unchanged.
 */
export function prettyLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const { level, time, msg, app: _app, component, err, pid: _pid, hostname: _host, ...fields } = entry;
  const clock = typeof time === 'string' ? time.slice(11, 19) : '';
  const name = LEVEL_NAMES[level as number] ?? String(level);
  const extra = Object.entries(fields)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  const error = err && typeof err === 'object' ? (err as { stack?: string; message?: string }) : null;
  const head = [clock, name, component ? String(component) : null, String(msg ?? ''), extra || null].filter(Boolean).join('  ');
  return `${head}${error ? `\n  ${(error.stack ?? error.message ?? '').split('\n').join('\n  ')}` : ''}\n`;
}

/** A destination that writes prettyLine of every line to `out`. */
export function prettyDestination(out: { write(text: string): unknown }): pino.DestinationStream {
  return { write: (line: string) => out.write(prettyLine(line)) };
}

/** Whether logs are written pretty: LOG_FORMAT=pretty, or auto on a terminal. */
export function usePrettyLogs(format: 'auto' | 'pretty' | 'json', isTTY: boolean | undefined): boolean {
  return format === 'pretty' || (format === 'auto' && isTTY === true);
}

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  const pinoOptions: pino.LoggerOptions = {
    level: options.level ?? 'info',
    base: { app: 'clipscope' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: serializeError },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return options.destination ? pino(pinoOptions, options.destination) : pino(pinoOptions);
}

/** A logger that writes nothing, for tests and CLI commands that print their own output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * Writes an already-serialised log line (from another thread's logger, e.g. the HTTP worker's) to this logger's
 * destination, so every line of the process ends up wherever the main logger writes, in one stream.
 */
export function writeLogLine(logger: Logger, line: string): void {
  const stream = (logger as unknown as Record<symbol, { write(line: string): unknown } | undefined>)[pino.symbols.streamSym];
  stream?.write(line.endsWith('\n') ? line : `${line}\n`);
}
