// The `clipscope` command line: dispatches to one file per command, each with its own --help.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadDotEnvFile } from '../config';
import { CliError, type CliCommand, type CliIo } from './command';
import { aggregateCommand } from './commands/aggregate';
import { backfillCommand } from './commands/backfill';
import { commandsRegisterCommand } from './commands/commands-register';
import { copyCommand } from './commands/copy';
import { enrichCommand } from './commands/enrich';
import { generateCommand } from './commands/generate';
import { guildsCommand } from './commands/guilds';
import { importCommand } from './commands/import';
import { migrateCommand } from './commands/migrate';
import { reportCommand } from './commands/report';
import { syncTwitchCommand } from './commands/sync-twitch';
import { tokenCommand } from './commands/token';
import { twitchChannelsCommand } from './commands/twitch-channels';

export const COMMANDS: CliCommand[] = [
  migrateCommand,
  aggregateCommand,
  backfillCommand,
  commandsRegisterCommand,
  copyCommand,
  enrichCommand,
  generateCommand,
  guildsCommand,
  importCommand,
  reportCommand,
  syncTwitchCommand,
  tokenCommand,
  twitchChannelsCommand,
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: clipscope <command> [options]

Commands:
${lines.join('\n')}

Run "clipscope <command> --help" for a command's options, "clipscope --version" for the version.
Exit status: 0 done, 1 failed, 2 usage error (unknown command or option, missing or malformed argument).
`;
}

/** The version in package.json (the CLI runs from the source tree, so the file is always beside src/). */
export function cliVersion(): string {
  const file = fileURLToPath(new URL('../../package.json', import.meta.url));
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Exit status of every usage error (unknown command or option, missing or malformed argument), as in getopt tools. */
export const USAGE_ERROR = 2;

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    io.stdout.write(`clipscope ${cliVersion()}\n`);
    return 0;
  }
  if (name === undefined) {
    io.stderr.write(usage());
    return USAGE_ERROR;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`clipscope: unknown command "${name}". Run "clipscope --help" for the list.\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.help}\n`);
    return 0;
  }
  try {
    const parsed = parseArgs({
      args: rest,
      options: command.options,
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
    return await command.run(parsed, io);
  } catch (error) {
    io.stderr.write(`clipscope ${name}: ${oneLine(error)}\n`);
    if (isParseArgsError(error)) return USAGE_ERROR;
    return error instanceof CliError ? error.exitCode : 1;
  }
}

/** node:util parseArgs' own errors (unknown option, missing value, unexpected argument): usage errors. */
function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

function oneLine(error: unknown): string {
  if (error instanceof ConfigError) return error.problems.join('; ');
  if (error instanceof Error) {
    // parseArgs errors carry a code; their messages are already user-facing.
    return error.message.split('\n')[0] ?? String(error);
  }
  return String(error);
}

const isEntryPoint = process.argv[1] !== undefined && /src[\\/]cli[\\/]index\.ts$/.test(process.argv[1]);
if (isEntryPoint || process.env.CLIPSCOPE_CLI === '1') {
  loadDotEnvFile();
  runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`clipscope: ${oneLine(error)}\n`);
      process.exitCode = 1;
    },
  );
}
