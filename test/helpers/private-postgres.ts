// A PostgreSQL server of a test's own, for behaviour that needs server settings a shared server must not get (e.g. a
// synchronous standby that never answers holds every commit of the server): a throwaway cluster from the installed
// binaries (initdb, pg_ctl), in a temporary folder, reached over a Unix socket only, stopped and removed by stop().
// When root runs the tests (CI), the cluster runs as the `postgres` user, since PostgreSQL refuses to run as root.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface PrivatePostgres {
  /** postgres://…/postgres over the cluster's socket. */
  url: string;
  /** Runs statements as the superuser on a connection of its own. */
  admin(sql: string): Promise<pg.QueryResult>;
  stop(): void;
}

/** The folder of initdb and pg_ctl: pg_config's, else the newest Debian install. */
function binDir(): string {
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    if (existsSync(path.join(dir, 'initdb'))) return dir;
  } catch {
    // Debian's pg_config may be absent without the -dev package; look for the server's own folder.
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const dir = path.join(root, version, 'bin');
    if (existsSync(path.join(dir, 'initdb'))) return dir;
  }
  throw new Error(
    'A private PostgreSQL server needs initdb and pg_ctl (Debian: apt-get install postgresql); neither pg_config nor /usr/lib/postgresql/*/bin has them.',
  );
}

/** Starts a fresh cluster with `settings` (postgres -c name=value) and waits until it accepts connections. */
export function startPrivatePostgres(settings: Record<string, string> = {}): PrivatePostgres {
  const bin = binDir();
  // Short: the socket's path must fit in 107 bytes.
  const dir = mkdtempSync(path.join(tmpdir(), 'cs-pg-'));
  const asRoot = process.getuid?.() === 0;
  const run = (tool: string, args: string[]): void => {
    const command = asRoot ? 'runuser' : path.join(bin, tool);
    const argv = asRoot ? ['-u', 'postgres', '--', path.join(bin, tool), ...args] : args;
    execFileSync(command, argv, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
  };
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  const options = ["-c listen_addresses=''", `-c unix_socket_directories=${dir}`, '-c fsync=off', '-c max_connections=20'];
  for (const [name, value] of Object.entries(settings)) options.push(`-c ${name}=${value}`);
  let started = false;
  try {
    run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    run('pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-o', options.join(' '), '-w', '-t', '60', 'start']);
    started = true;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`A private PostgreSQL server could not start in ${dir}: ${stderr || (error as Error).message}`);
  }
  const url = `postgres://postgres@localhost/postgres?host=${encodeURIComponent(dir)}`;
  return {
    url,
    async admin(sql) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return await client.query(sql);
      } finally {
        await client.end();
      }
    },
    stop() {
      if (started) {
        try {
          run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
        } catch {
          // Already gone; the folder goes anyway.
        }
        started = false;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
