// The shape of a CLI command: one file per command under src/cli/commands/, registered in src/cli/index.ts.
import type { ParseArgsConfig } from 'node:util';
import type { Db } from '../db/client';
import { ClipscopeError } from '../errors';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  /** Opens the command's database (openDatabase when absent): the seam where a test gives it a size limit. */
  openDatabase?(path: string): Db;
}

export interface CliCommand {
  name: string;
  summary: string;
  /** Usage lines and option descriptions, printed by --help. */
  help: string;
  options: OptionSpec;
  /** Whether positional arguments are accepted. */
  allowPositionals?: boolean;
  run(
    args: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] },
    io: CliIo,
  ): Promise<number>;
}

/** An error whose message is the whole story for the user: printed as one line, exit status 1. */
export class CliError extends ClipscopeError {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super('cli', message, { userFacing: true });
  }
}
