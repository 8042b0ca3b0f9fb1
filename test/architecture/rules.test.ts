// Proves the architecture checks of `npm test` bite: deliberate violations, written as temporary files inside src/,
// are reported by dependency-cruiser under the right rule, and Biome fails on a badly written file.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'node_modules', '.bin');
const run = promisify(execFile);

// One random tag per run, so that parallel runs never share a file; the .gitignore keeps leftovers out of commits.
const TAG = `__violation_${randomBytes(4).toString('hex')}`;
const written: string[] = [];

/** Writes a temporary module at `path` (relative to the project root) and returns that path. */
async function writeModule(path: string, source: string): Promise<string> {
  await mkdir(dirname(join(ROOT, path)), { recursive: true });
  await writeFile(join(ROOT, path), source);
  written.push(path);
  return path;
}

async function removeWritten(): Promise<void> {
  await Promise.all(written.splice(0).map((path) => rm(join(ROOT, path), { force: true })));
}

/** The rule names reported for dependencies that start at `from`, sorted. */
function rulesBrokenBy(violations: IViolation[], from: string): string[] {
  return violations
    .filter((violation) => violation.from === from)
    .map((violation) => violation.rule.name)
    .sort();
}

/** The process's result whether it exits zero or not. */
async function runTool(file: string, args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(join(BIN, file), args, { cwd: ROOT });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('the dependency rules', () => {
  const files = {
    sqliteInHttp: `src/http/${TAG}_sqlite.ts`,
    discordInAnalytics: `src/analytics/${TAG}_discord.ts`,
    cycleA: `src/capture/${TAG}_cycle_a.ts`,
    cycleB: `src/capture/${TAG}_cycle_b.ts`,
    store: `src/db/stores/${TAG}_store.ts`,
    storeInHttp: `src/http/${TAG}_store_user.ts`,
    handleInDiscord: `src/discord/${TAG}_handle.ts`,
    discordModule: `src/discord/${TAG}_embed.ts`,
    discordInDigest: `src/digest/${TAG}_render.ts`,
    sqliteInDb: `src/db/${TAG}_allowed.ts`,
  };
  let violations: IViolation[] = [];

  beforeAll(async () => {
    try {
      await writeModule(
        files.sqliteInHttp,
        "import Database from 'better-sqlite3';\n\nexport const open = (file: string) => new Database(file);\n",
      );
      await writeModule(
        files.discordInAnalytics,
        "import { EmbedBuilder } from 'discord.js';\n\nexport const embed = () => new EmbedBuilder();\n",
      );
      await writeModule(files.cycleA, `import { b } from './${TAG}_cycle_b';\n\nexport const a = (): number => b() + 1;\n`);
      await writeModule(files.cycleB, `import { a } from './${TAG}_cycle_a';\n\nexport const b = (): number => a() - 1;\n`);
      await writeModule(files.store, 'export const countClips = async (): Promise<number> => 0;\n');
      await writeModule(files.storeInHttp, `import { countClips } from '../db/stores/${TAG}_store';\n\nexport const route = countClips;\n`);
      await writeModule(files.handleInDiscord, "import type { Db } from '../db/database';\n\nexport type Handle = Db;\n");
      await writeModule(files.discordModule, "export const title = 'Weekly digest';\n");
      await writeModule(files.discordInDigest, `import { title } from '../discord/${TAG}_embed';\n\nexport const heading = title;\n`);
      await writeModule(
        files.sqliteInDb,
        "import Database from 'better-sqlite3';\nimport { systemClock } from '../clock';\n\nexport const open = (file: string) => [new Database(file), systemClock];\n",
      );

      const options = await extractDepcruiseOptions(join(ROOT, '.dependency-cruiser.mjs'));
      const tsConfig = extractTSConfig(join(ROOT, 'tsconfig.json'));
      // Only the temporary files and what they import are cruised: the rest of the tree may still break rules
      // that other work is about to fix, and this test is about the rules, not about the tree.
      const result = await cruise(Object.values(files), { ...options, outputType: 'json' }, {}, { tsConfig });
      const output = typeof result.output === 'string' ? (JSON.parse(result.output) as ICruiseResult) : result.output;
      violations = output.summary.violations;
    } finally {
      await removeWritten();
    }
  }, 20_000);

  it('reports better-sqlite3 imported outside src/db', () => {
    expect(rulesBrokenBy(violations, files.sqliteInHttp)).toEqual(['sql-engine-only-in-db']);
  });

  it('reports discord.js imported by analytics', () => {
    expect(rulesBrokenBy(violations, files.discordInAnalytics)).toEqual(['analytics-is-presentation-agnostic']);
  });

  it('reports an import cycle between two modules', () => {
    const cycles = violations.filter((violation) => violation.rule.name === 'no-circular' && violation.from.includes(TAG));
    // dependency-cruiser reports a cycle once, from whichever of its modules it met first.
    expect(cycles).toHaveLength(1);
    expect(cycles[0]!.cycle!.map((step) => step.name).sort()).toEqual([files.cycleA, files.cycleB]);
  });

  it('reports presentation reaching into a store', () => {
    expect(rulesBrokenBy(violations, files.storeInHttp)).toEqual([
      'presentation-gets-services-not-storage',
      'presentation-never-holds-a-database-handle',
    ]);
  });

  it('reports presentation naming the database handle, even as a type', () => {
    expect(rulesBrokenBy(violations, files.handleInDiscord)).toEqual(['presentation-never-holds-a-database-handle']);
  });

  it('reports the digest importing Discord code', () => {
    expect(rulesBrokenBy(violations, files.discordInDigest)).toEqual(['digest-does-not-know-discord']);
  });

  it('lets src/db use better-sqlite3 and the clock', () => {
    expect(rulesBrokenBy(violations, files.sqliteInDb)).toEqual([]);
  });

  it('fails the depcruise command (and so npm test) on a violation', async () => {
    try {
      const file = await writeModule(
        `src/analytics/${TAG}_fastify.ts`,
        "import Fastify from 'fastify';\n\nexport const app = () => Fastify();\n",
      );
      const { code, output } = await runTool('depcruise', ['--config', '.dependency-cruiser.mjs', file]);
      expect(code).not.toBe(0);
      expect(output).toContain(`analytics-is-presentation-agnostic: ${file}`);
    } finally {
      await removeWritten();
    }
  }, 20_000);
});

describe('Biome', () => {
  // The temporary files are git-ignored, and Biome skips git-ignored files unless told not to.
  const check = (file: string) => runTool('biome', ['check', '--vcs-enabled=false', file]);

  it('fails on a lint error and names the rule', async () => {
    try {
      const file = await writeModule(
        `src/${TAG}_lint.ts`,
        'export function same(a: number, b: string): boolean {\n  debugger;\n  return a == Number(b);\n}\n',
      );
      const { code, output } = await check(file);
      expect(code).not.toBe(0);
      expect(output).toContain('lint/suspicious/noDebugger');
      expect(output).toContain('lint/suspicious/noDoubleEquals');
    } finally {
      await removeWritten();
    }
  }, 10_000);

  it('fails on code the formatter would change', async () => {
    try {
      const file = await writeModule(`src/${TAG}_format.ts`, 'export const greeting = "hello"\n');
      const { code, output } = await check(file);
      expect(code).not.toBe(0);
      expect(output).toContain('Formatter would have printed');
    } finally {
      await removeWritten();
    }
  }, 10_000);

  it('passes the same code written in the project style', async () => {
    try {
      const file = await writeModule(`src/${TAG}_clean.ts`, "export const greeting = 'hello';\n");
      const { code, output } = await check(file);
      expect(output).not.toContain('×');
      expect(code).toBe(0);
    } finally {
      await removeWritten();
    }
  }, 10_000);
});
