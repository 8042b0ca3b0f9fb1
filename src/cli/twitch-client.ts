// Opening the Twitch client for a CLI command: the same Twurple client as the service, or one clear error.
import type { Writable } from 'node:stream';
import { systemClock } from '../clock';
import type { Config } from '../config';
import type { Db } from '../db/database';
import { createLogger, type Logger } from '../logger';
import type { TwurpleTwitchApi } from '../twitch/client';
import { createSharedTwitchApi } from '../twitch/shared-budget';
import { CliError, type CliIo } from './command';

/** Without TWITCH_CLIENT_ID/SECRET a Twitch command cannot work: says how to fix it (before the database is opened). */
export function requireTwitchCredentials(config: Config): { clientId: string; clientSecret: string } {
  if (!config.TWITCH_CLIENT_ID || !config.TWITCH_CLIENT_SECRET) {
    throw new CliError(
      "Twitch credentials missing: set TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET (or TWURPLE_MOCK_API_PORT with the mock API's client) and run again",
    );
  }
  return { clientId: config.TWITCH_CLIENT_ID, clientSecret: config.TWITCH_CLIENT_SECRET };
}

/**
 * Builds the client from TWITCH_CLIENT_ID/SECRET, spending the client id's shared Helix bucket in `db` with the
 * service's processes (ADR 0034).
 */
export function openTwitchForCli(config: Config, io: CliIo, db: Db): { twitch: TwurpleTwitchApi; logger: Logger } {
  const credentials = requireTwitchCredentials(config);
  // Only errors reach the terminal: warnings about retried calls would tear the progress bar.
  const logger = createLogger({
    level: config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? config.LOG_LEVEL : 'error',
    destination: io.stderr,
  });
  const twitch = createSharedTwitchApi({
    ...credentials,
    logger,
    db,
    clock: systemClock,
    idsPerCall: config.TWITCH_IDS_PER_CALL,
    // Each command stops on refused credentials and prints the reason once itself.
    logRefusedCredentials: false,
  });
  return { twitch, logger };
}

/** A Discord server id from --guild, or a usage error. */
export function guildOption(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new CliError('--guild ID is required (the Discord server id)', 2);
  const guildId = value.trim();
  if (!/^\d{1,20}$/.test(guildId)) throw new CliError(`--guild expects a Discord server id (digits), got "${guildId}"`, 2);
  return guildId;
}

/** The CLI's stderr as the progress bar's stream (createProgress types it as a node:stream Writable). */
export function progressStream(io: CliIo): Writable & { isTTY?: boolean; columns?: number } {
  return io.stderr as unknown as Writable & { isTTY?: boolean; columns?: number };
}
