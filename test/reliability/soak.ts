// `npm run soak`: the real app in a child process (bot + HTTP API + scheduler with a 10-second incremental
// aggregation) takes SOAK_EVENTS gateway events (default 100 000) from the fake Discord as fast as it can deliver
// them, while 50 autocannon clients read leaderboards. Loopback only, bounded: every loop stops by itself and the
// whole run gives up after 10 minutes. Prints the figures as JSON and exits non-zero when a check fails.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { closeDatabase, openDatabase } from '../../src/db/client';
import { createApiToken } from '../../src/auth/tokens';
import { member, message, reactionAdd, snowflake, startFakeDiscord, textChannel, user } from '../fakes/discord';
import { ROOT, seededRandom, spawnApp, waitUntil } from './child-process';

const EVENTS = Number(process.env.SOAK_EVENTS ?? 100_000);
const CLIENTS = 50;
const DEADLINE = Date.now() + 10 * 60_000;
const log = (line: string): void => void process.stderr.write(`${line}\n`);

function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

async function main(): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-soak-'));
  const dbFile = path.join(dir, 'clipscope.db');
  const logFile = path.join(dir, 'clipscope.log');
  const random = seededRandom(7);
  const guilds = Array.from({ length: 5 }, (_, g) => {
    const id = snowflake();
    return {
      id,
      channel: textChannel({ guild_id: id, name: 'clips' }),
      members: Array.from({ length: 50 }, (_, i) => user({ username: `soak${g}x${i}` })),
      slugs: Array.from({ length: 2000 }, (_, i) => `SoakClip${g}x${i}-s`),
    };
  });
  const discord = await startFakeDiscord({
    heartbeatIntervalMs: 30_000,
    guilds: guilds.map((g, i) => ({ id: g.id, name: `Soak ${i}`, channels: [g.channel], members: g.members.map((m) => member(m)) })),
  });
  const setup = openDatabase({ path: dbFile });
  const tokens = await Promise.all(
    guilds.map(async (g) => (await createApiToken(setup, { guildId: g.id, name: 'soak' }, Date.now())).token),
  );
  closeDatabase(setup);

  const child = spawnApp(
    {
      DATABASE_PATH: dbFile,
      LOG_LEVEL: 'info',
      DISCORD_TOKEN: discord.token,
      DISCORD_API_BASE_URL: discord.apiBaseUrl,
      HTTP_ENABLED: 'true',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      HTTP_RATE_LIMIT_PER_MINUTE: '1000000',
      HTTP_RATE_LIMIT_PER_IP_PER_MINUTE: '1000000',
      // SOAK_AGGREGATE_CRON lets a run leave the aggregation out, to tell its cost from capture's.
      AGGREGATE_INCREMENTAL_CRON: process.env.SOAK_AGGREGATE_CRON ?? '*/10 * * * * *',
    },
    logFile,
  );
  const logText = (): string => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '');
  try {
    await waitUntil(() => /discord bot logged in/.test(logText()) && /dashboard at http/.test(logText()), 'the app to start', 120_000, 100);
    const baseUrl = /dashboard at (http:\/\/[\d.:]+)/.exec(logText())![1]!;
    const pid = child.process.pid!;

    // The readers run in their own process so that the gateway stream of this one does not slow them down.
    const bench = (seconds: number): Promise<autocannon.Result> =>
      new Promise((resolve, reject) => {
        const reader = spawn(
          process.execPath,
          [
            path.join(ROOT, 'node_modules/autocannon/autocannon.js'),
            '-c',
            String(CLIENTS),
            '-d',
            String(seconds),
            '-j',
            '-H',
            `authorization=Bearer ${tokens[0]}`,
            `${baseUrl}/analytics/api/top-creators?period=week&limit=25`,
          ],
          { stdio: ['ignore', 'pipe', 'ignore'] },
        );
        let out = '';
        reader.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
        reader.on('error', reject);
        reader.on('exit', () => {
          try {
            resolve(JSON.parse(out) as autocannon.Result);
          } catch (error) {
            reject(new Error(`autocannon printed no result: ${String(error)}`));
          }
        });
      });

    log('idle: 15 s of leaderboard reads');
    const idle = await bench(15);

    // Load: the gateway stream and the readers at once; RSS sampled every second.
    const rss: { at: number; bytes: number }[] = [];
    const sampler = setInterval(() => rss.push({ at: Date.now(), bytes: rssOf(pid) }), 1000);
    const expectedShares = new Set<string>();
    let reactions = 0;
    const expectedReactions = new Set<string>();
    const posted: { guild: number; id: string }[] = [];
    const loadStarted = Date.now();
    let dispatching = true;
    const readers = (async () => {
      const results = [];
      while (dispatching && Date.now() < DEADLINE) results.push(await bench(10));
      return results;
    })();
    for (let i = 0; i < EVENTS && Date.now() < DEADLINE; i++) {
      const g = Math.floor(random() * guilds.length);
      const guild = guilds[g]!;
      const author = guild.members[Math.floor(random() * guild.members.length)]!;
      if (posted.length > 100 && random() < 0.3) {
        const target = posted[posted.length - 1 - Math.floor(random() * 100)]!;
        const tg = guilds[target.guild]!;
        await discord.dispatch(
          'MESSAGE_REACTION_ADD',
          reactionAdd({
            channel_id: tg.channel.id,
            guild_id: tg.id,
            message_id: target.id,
            user_id: author.id,
            emoji: { id: null, name: '🔥' },
            member: member(author),
          }),
        );
        reactions++;
        expectedReactions.add(`${target.id}:${author.id}`);
      } else {
        const slug = guild.slugs[Math.floor(random() * guild.slugs.length)]!;
        const msg = message({
          channel_id: guild.channel.id,
          guild_id: guild.id,
          author,
          member: member(author),
          content: `clip https://clips.twitch.tv/${slug}`,
        });
        expectedShares.add(`${msg.id}:${slug}`);
        posted.push({ guild: g, id: msg.id });
        await discord.dispatch('MESSAGE_CREATE', msg);
      }
      if (i % 10_000 === 0 && i > 0) log(`dispatched ${i} events (${Math.round(i / ((Date.now() - loadStarted) / 1000))}/s)`);
    }
    const dispatchMs = Date.now() - loadStarted;
    dispatching = false;
    const loaded = await readers;

    // Everything delivered is committed, once.
    const countShares = (): number => {
      const db = new Database(dbFile, { readonly: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM shares').get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    await waitUntil(() => countShares() >= expectedShares.size, 'every share to be committed', Math.max(1000, DEADLINE - Date.now()), 500);
    const committedMs = Date.now() - loadStarted;
    clearInterval(sampler);
    const db = new Database(dbFile, { readonly: true });
    const shares = (db.prepare('SELECT message_id, clip_id FROM shares').all() as { message_id: string; clip_id: string }[]).map(
      (r) => `${r.message_id}:${r.clip_id}`,
    );
    const reactionRows = (db.prepare('SELECT count(*) AS n FROM reactions').get() as { n: number }).n;
    const integrity = db.pragma('integrity_check', { simple: true });
    const aggregations = db.prepare("SELECT * FROM job_runs WHERE job = 'aggregate-incremental'").get();
    db.close();
    const stored = new Set(shares);
    const lost = [...expectedShares].filter((k) => !stored.has(k)).length;
    const extra = shares.length - expectedShares.size;

    const half = rss.slice(Math.floor(rss.length / 2));
    const rssMid = half[0]?.bytes ?? 0;
    const rssEnd = half.at(-1)?.bytes ?? 0;
    const rssMaxSecondHalf = Math.max(...half.map((s) => s.bytes));
    const loadedP99 = Math.max(...loaded.map((r) => r.latency.p99));
    const errors = loaded.reduce((n, r) => n + r.errors + r.timeouts + r.non2xx, 0) + idle.errors + idle.timeouts + idle.non2xx;
    const logLines = logText().split('\n').filter(Boolean);
    const errorLines = logLines.filter((l) => /"level":(50|60)/.test(l));
    // The Discord token and the API tokens the readers sent must never reach the log.
    const secretsInLog = [discord.token, ...tokens].filter((secret) => logText().includes(secret)).length;
    const figures = {
      events: EVENTS,
      messages: expectedShares.size,
      reactions,
      dispatch_seconds: dispatchMs / 1000,
      events_per_second: Math.round(EVENTS / (dispatchMs / 1000)),
      all_committed_seconds: committedMs / 1000,
      lost,
      extra_shares: extra,
      distinct_reactions: expectedReactions.size,
      reaction_rows: reactionRows,
      integrity,
      http_requests_idle: idle.requests.total,
      http_requests_loaded: loaded.reduce((n, r) => n + r.requests.total, 0),
      http_errors: errors,
      p99_idle_ms: idle.latency.p99,
      p99_loaded_ms: loadedP99,
      p99_ratio: Math.round((loadedP99 / Math.max(1, idle.latency.p99)) * 100) / 100,
      rss_samples: rss.length,
      rss_mid_mb: Math.round(rssMid / 1048576),
      rss_end_mb: Math.round(rssEnd / 1048576),
      rss_growth_second_half_pct: Math.round(((rssMaxSecondHalf - rssMid) / Math.max(1, rssMid)) * 1000) / 10,
      app_error_log_lines: errorLines.length,
      log_lines: logLines.length,
      secrets_in_log: secretsInLog,
      last_incremental_aggregation: aggregations,
    };
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
    const failures = [
      lost > 0 && `${lost} events lost`,
      extra !== 0 && `${extra} shares more than delivered`,
      reactionRows !== expectedReactions.size && `${reactionRows} reaction rows for ${expectedReactions.size} distinct reactions`,
      integrity !== 'ok' && `integrity_check: ${integrity}`,
      errors > 0 && `${errors} HTTP errors`,
      secretsInLog > 0 && `${secretsInLog} secrets in the app log`,
      errorLines.length > 0 && `${errorLines.length} error lines in the app log, first: ${errorLines[0]}`,
      figures.rss_growth_second_half_pct > 10 && `RSS grew ${figures.rss_growth_second_half_pct}% over the second half`,
      figures.p99_ratio > 2 && `p99 under load ${loadedP99} ms is more than twice the idle ${idle.latency.p99} ms`,
    ].filter(Boolean);
    for (const failure of failures) log(`SOAK CHECK FAILED: ${failure}`);
    return failures.length === 0 ? 0 : 1;
  } finally {
    child.process.kill('SIGTERM');
    await Promise.race([child.exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
    await child.kill();
    await discord.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
