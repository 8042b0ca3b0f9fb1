// Crash harness: runs the real Clipscope in child processes against the fake Discord and the fake Helix, kills
// them with SIGKILL at random points (live capture, enrichment, aggregation, a DiscordChatExporter import),
// restarts them, and checks what the README promises: every event the capture queue had committed survives,
// exactly once; events in flight at the kill are recovered by the replay a resume would bring, without double
// counting; `PRAGMA integrity_check` is ok; the summary tables equal a fresh full re-aggregation from raw; an
// interrupted import re-run ends identical to an uninterrupted one; no clip is left where no run retries it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { aggregateAnalytics } from '../../src/analytics/aggregate';
import { systemClock } from '../../src/clock';
import { closeDatabase, openDatabase } from '../../src/db/client';
import {
  member,
  message,
  reactionAdd,
  snowflake,
  startFakeDiscord,
  textChannel,
  user,
  type ApiUser,
  type FakeDiscord,
} from '../fakes/discord';
import { FakeHelix } from '../fakes/helix';
import { seededRandom, spawnApp, spawnCli, waitUntil, type Child } from './child-process';

export interface CrashOptions {
  /** SIGKILLs of the live app during capture. */
  captureKills: number;
  /** SIGKILLs of `clipscope enrich`, of `clipscope aggregate` and of `clipscope import` each. */
  jobKills: number;
  seed?: number;
  /** Progress lines (the npm script prints them; the test keeps quiet). */
  log?: (line: string) => void;
}

export interface CrashFigures {
  seed: number;
  captureKills: number;
  /** Kills that landed while at least one dispatched event was not yet committed. */
  killsWithEventsInFlight: number;
  eventsDispatched: number;
  eventsReplayed: number;
  messages: number;
  reactions: number;
  /** Committed events missing after a restart (must be 0), and rows counted twice (must be 0). */
  lost: number;
  duplicated: number;
  /** Kills of each job, and how many of them landed while the job was still running (the rest had finished). */
  enrichKills: number;
  aggregateKills: number;
  importKills: number;
  jobKillsMidRun: number;
  integrityChecks: number;
  clips: number;
  logBytes: number;
  secretsInLog: number;
  ms: number;
}

type CaptureEvent =
  | { kind: 'message'; guild: number; messageId: string; slugs: string[]; author: ApiUser }
  | { kind: 'reaction'; guild: number; messageId: string; userId: string; emoji: string };

const EMOJI = ['🔥', '😂', '👍', '💀', '🎉'];
const DISCORD_TOKEN = 'crash-harness-discord-token-5fd1b0a7c2';
const TWITCH_SECRET = 'crash-harness-twitch-secret-93e0c4a1';

interface DbState {
  shares: Set<string>;
  reactions: Set<string>;
  /** guild:clip → [shares, reactions] counters as stored on the clip row. */
  counters: Map<string, [number, number]>;
  integrity: string;
}

/** Runs fn on a read-only connection to file (waiting out a writer's lock), closed afterwards. */
function readOnly<T>(file: string, fn: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    return fn(db);
  } finally {
    db.close();
  }
}

function hasTable(file: string, table: string): boolean {
  return readOnly(file, (db) => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined);
}

function integrityOf(file: string): string {
  return readOnly(file, (db) => (db.pragma('integrity_check', { simple: true }) as string) ?? '');
}

function readState(file: string): DbState {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const integrity = (db.pragma('integrity_check', { simple: true }) as string) ?? '';
    const shares = new Set(
      (
        db.prepare('SELECT message_id, clip_id FROM shares WHERE deleted_at IS NULL').all() as { message_id: string; clip_id: string }[]
      ).map((r) => `${r.message_id}:${r.clip_id}`),
    );
    const reactions = new Set(
      (
        db.prepare('SELECT message_id, emoji_key, user_id FROM reactions').all() as {
          message_id: string;
          emoji_key: string;
          user_id: string;
        }[]
      ).map((r) => `${r.message_id}:${r.emoji_key}:${r.user_id}`),
    );
    const counters = new Map(
      (
        db.prepare('SELECT guild_id, clip_id, discord_shares, discord_reactions FROM clips').all() as {
          guild_id: string;
          clip_id: string;
          discord_shares: number;
          discord_reactions: number;
        }[]
      ).map((r) => [`${r.guild_id}:${r.clip_id}`, [r.discord_shares, r.discord_reactions] as [number, number]]),
    );
    return { shares, reactions, counters, integrity };
  } finally {
    db.close();
  }
}

function keysOf(event: CaptureEvent): string[] {
  return event.kind === 'message'
    ? event.slugs.map((s) => `${event.messageId}:${s}`)
    : [`${event.messageId}:${event.emoji}:${event.userId}`];
}

function isCommitted(state: DbState, event: CaptureEvent): boolean {
  const set = event.kind === 'message' ? state.shares : state.reactions;
  return keysOf(event).every((k) => set.has(k));
}

/** Rows a summary table holds, without row ids and computation times, in a stable order. */
export function summaryTables(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const out: Record<string, unknown[]> = {};
    for (const table of ['game_analytics', 'creator_analytics', 'guild_period_stats', 'guild_peak_activity']) {
      const columns = (db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as { name: string }[])
        .map((c) => c.name)
        .filter((c) => c !== 'id' && c !== 'computed_at');
      out[table] = db.prepare(`SELECT ${columns.join(', ')} FROM ${table} ORDER BY ${columns.join(', ')}`).all();
    }
    return out;
  } finally {
    db.close();
  }
}

/** Raw capture rows and import bookkeeping, for comparing two imports. */
export function rawTables(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const q = (sql: string): unknown[] => db.prepare(sql).all();
    return {
      shares: q(
        'SELECT guild_id, channel_id, thread_id, message_id, clip_id, author_id, author_name, posted_at, deleted_at, source FROM shares ORDER BY message_id, clip_id',
      ),
      clips: q(
        'SELECT guild_id, clip_id, url, discord_shares, discord_reactions, discord_reaction_types, first_shared_at, enrichment_state FROM clips ORDER BY guild_id, clip_id',
      ),
      reactions: q('SELECT message_id, emoji_key, user_id FROM reactions ORDER BY message_id, emoji_key, user_id'),
      baselines: q('SELECT * FROM reaction_baselines ORDER BY message_id, emoji_key'),
      dirty: q('SELECT * FROM dirty_hours ORDER BY guild_id, hour_start'),
    };
  } finally {
    db.close();
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export async function runCrashHarness(options: CrashOptions): Promise<CrashFigures> {
  const started = Date.now();
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const log = options.log ?? (() => undefined);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-crash-'));
  const dbFile = path.join(dir, 'clipscope.db');
  const logFile = path.join(dir, 'clipscope.log');
  const figures: CrashFigures = {
    seed,
    captureKills: 0,
    killsWithEventsInFlight: 0,
    eventsDispatched: 0,
    eventsReplayed: 0,
    messages: 0,
    reactions: 0,
    lost: 0,
    duplicated: 0,
    enrichKills: 0,
    aggregateKills: 0,
    importKills: 0,
    jobKillsMidRun: 0,
    integrityChecks: 0,
    clips: 0,
    logBytes: 0,
    secretsInLog: 0,
    ms: 0,
  };
  const fail = (what: string): never => {
    throw new Error(`crash harness (seed ${seed}, files in ${dir}): ${what}`);
  };

  // Two guilds, a clip channel each, a handful of members; clip slugs repeat so clips collect several shares.
  const guilds = [0, 1].map((g) => {
    const id = snowflake();
    const channel = textChannel({ guild_id: id, name: `clips-${g}` });
    const members = Array.from({ length: 6 }, (_, i) => user({ username: `member${g}x${i}` }));
    const slugs = Array.from({ length: 40 }, (_, i) => `CrashHarness${g === 0 ? 'Alpha' : 'Beta'}Clip${i}-t${seed % 1000}`);
    return { id, channel, members, slugs };
  });
  const discord: FakeDiscord = await startFakeDiscord({
    token: DISCORD_TOKEN,
    heartbeatIntervalMs: 30_000,
    guilds: guilds.map((g, i) => ({ id: g.id, name: `Crash Guild ${i}`, channels: [g.channel], members: g.members.map((u) => member(u)) })),
  });
  const helix = new FakeHelix({ clientSecret: TWITCH_SECRET, rateLimit: { points: 100_000, windowMs: 60_000 } });
  const helixPort = await helix.start();
  // Most slugs exist on Twitch; every seventh was deleted there (not_found).
  for (const g of guilds) {
    g.slugs.forEach((slug, i) => {
      if (i % 7 !== 6)
        helix.addClip({
          id: slug,
          creator_id: `30${i % 5}`,
          creator_name: `Creator${i % 5}`,
          game_id: String(500 + (i % 3)),
          view_count: 10 + i,
        });
    });
  }
  for (const game of [500, 501, 502]) helix.addGame(String(game), `Game ${game}`);

  const env = {
    DATABASE_PATH: dbFile,
    LOG_LEVEL: 'debug',
    DISCORD_TOKEN,
    DISCORD_API_BASE_URL: discord.apiBaseUrl,
    HTTP_ENABLED: 'false',
    TWITCH_CLIENT_ID: helix.clientId,
    TWITCH_CLIENT_SECRET: TWITCH_SECRET,
    TWURPLE_MOCK_API_PORT: String(helixPort),
    ENRICH_INTERVAL_SECONDS: '5',
    CAPTURE_BATCH_MAX: '50',
  };

  const events: CaptureEvent[] = [];
  const reactionKeys = new Set<string>();
  const messagesByGuild: { id: string; slugs: string[] }[][] = [[], []];
  /** Events dispatched but not seen committed before the last kill: the replay a resume would bring. */
  let unconfirmed: CaptureEvent[] = [];
  let child: Child | null = null;

  const newEvent = (): CaptureEvent => {
    const g = random() < 0.5 ? 0 : 1;
    const guild = guilds[g]!;
    const existing = messagesByGuild[g]!;
    if (existing.length > 0 && random() < 0.45) {
      const target = pick(existing.slice(-60));
      const userId = pick(guild.members).id;
      const emoji = pick(EMOJI);
      const key = `${target.id}:${emoji}:${userId}`;
      if (!reactionKeys.has(key)) {
        reactionKeys.add(key);
        return { kind: 'reaction', guild: g, messageId: target.id, userId, emoji };
      }
    }
    const count = 1 + Math.floor(random() * 3);
    const slugs = [...new Set(Array.from({ length: count }, () => pick(guild.slugs)))];
    const messageId = snowflake(Date.now() - Math.floor(random() * 20 * 86_400_000));
    existing.push({ id: messageId, slugs });
    return { kind: 'message', guild: g, messageId, slugs, author: pick(guild.members) };
  };

  const dispatch = async (event: CaptureEvent): Promise<void> => {
    const guild = guilds[event.guild]!;
    if (event.kind === 'message') {
      const content = `look ${event.slugs.map((s) => `https://clips.twitch.tv/${s}`).join(' and ')}`;
      const msg = message({ id: event.messageId, channel_id: guild.channel.id, guild_id: guild.id, author: event.author, content });
      // After a restart the bot knows no message; a reaction on one makes it fetch the message over REST.
      discord.putMessage(msg);
      await discord.dispatch('MESSAGE_CREATE', msg);
    } else {
      const reactor = guild.members.find((m) => m.id === event.userId)!;
      await discord.dispatch(
        'MESSAGE_REACTION_ADD',
        reactionAdd({
          channel_id: guild.channel.id,
          guild_id: guild.id,
          message_id: event.messageId,
          user_id: event.userId,
          emoji: { id: null, name: event.emoji },
          member: member(reactor),
        }),
      );
    }
  };

  const startApp = async (): Promise<void> => {
    const sessionsBefore = discord.identifies.length;
    child = spawnApp(env, logFile);
    const exit = child.exited.then((e) => fail(`the app exited on its own during startup (${JSON.stringify(e)}); see ${logFile}`));
    // Logged in once it identified and the fake sent READY and every GUILD_CREATE; then wait for the log line
    // that says listeners are attached and the login finished.
    await Promise.race([
      waitUntil(
        () =>
          discord.identifies.length > sessionsBefore &&
          discord.connectedSessions > 0 &&
          logSize() > 0 &&
          logTail().includes('discord bot logged in'),
        'the app to log in to the fake Discord',
        60_000,
        20,
      ),
      exit,
    ]);
  };
  let logOffset = 0;
  const logSize = (): number => (fs.existsSync(logFile) ? fs.statSync(logFile).size : 0);
  const logTail = (): string => {
    const size = logSize();
    if (size <= logOffset) return '';
    const fd = fs.openSync(logFile, 'r');
    const buffer = Buffer.alloc(size - logOffset);
    fs.readSync(fd, buffer, 0, buffer.length, logOffset);
    fs.closeSync(fd);
    return buffer.toString('utf8');
  };

  const expectedCounters = (): Map<string, [number, number]> => {
    const expected = new Map<string, [number, number]>();
    const reactionsOn = new Map<string, number>();
    for (const e of events) if (e.kind === 'reaction') reactionsOn.set(e.messageId, (reactionsOn.get(e.messageId) ?? 0) + 1);
    for (const e of events) {
      if (e.kind !== 'message') continue;
      for (const slug of e.slugs) {
        const key = `${guilds[e.guild]!.id}:${slug}`;
        const [s, r] = expected.get(key) ?? [0, 0];
        expected.set(key, [s + 1, r + (reactionsOn.get(e.messageId) ?? 0)]);
      }
    }
    return expected;
  };

  /** Checks a state taken after a kill: integrity, nothing committed lost, no row the fake never sent, counters consistent. */
  const checkAfterKill = (before: DbState, after: DbState): void => {
    figures.integrityChecks++;
    if (after.integrity !== 'ok') fail(`integrity_check after a kill: ${after.integrity}`);
    for (const k of before.shares) if (!after.shares.has(k)) figures.lost++;
    for (const k of before.reactions) if (!after.reactions.has(k)) figures.lost++;
    if (figures.lost > 0) fail(`${figures.lost} committed rows lost after a SIGKILL`);
    const knownShares = new Set(events.flatMap((e) => (e.kind === 'message' ? keysOf(e) : [])));
    for (const k of after.shares) if (!knownShares.has(k)) fail(`a share the fake never sent: ${k}`);
    // Counters are recomputed in the same transaction as the rows: they must match the rows at every commit.
    const rowsPerClip = new Map<string, number>();
    const messageGuild = new Map(events.flatMap((e) => (e.kind === 'message' ? [[e.messageId, guilds[e.guild]!.id] as const] : [])));
    for (const k of after.shares) {
      const [messageId, slug] = k.split(':') as [string, string];
      const key = `${messageGuild.get(messageId)}:${slug}`;
      rowsPerClip.set(key, (rowsPerClip.get(key) ?? 0) + 1);
    }
    for (const [key, [shares]] of after.counters) {
      if (shares !== (rowsPerClip.get(key) ?? 0)) {
        figures.duplicated++;
        fail(`clip ${key} counts ${shares} shares but has ${rowsPerClip.get(key) ?? 0} share rows`);
      }
    }
  };

  try {
    // ---- Live capture, killed at random points ----
    let confirmed: DbState | null = null;
    for (let kill = 0; kill < options.captureKills; kill++) {
      logOffset = logSize();
      await startApp();
      // Replay what was in flight at the last kill, plus a few events already committed: a resume or a re-sent
      // history page brings both, and neither may be lost or counted twice.
      const replay = [...unconfirmed];
      const committedEvents = events.filter((e) => !unconfirmed.includes(e));
      for (let i = 0; i < Math.min(10, committedEvents.length); i++) replay.push(pick(committedEvents));
      for (const event of replay) await dispatch(event);
      figures.eventsReplayed += replay.length;

      // New traffic, then a kill after a random number of events and a random short delay.
      const count = 5 + Math.floor(random() * 60);
      const fresh: CaptureEvent[] = [];
      for (let i = 0; i < count; i++) {
        const event = newEvent();
        events.push(event);
        fresh.push(event);
        if (event.kind === 'reaction') figures.reactions++;
        else figures.messages++;
        await dispatch(event);
        figures.eventsDispatched++;
      }
      // One kill in four waits for the queue's promise first: a delivered event is committed within moments.
      if (kill % 4 === 3) {
        await waitUntil(
          () => [...replay, ...fresh].every((e) => isCommitted(readState(dbFile), e)),
          'every delivered event to be committed',
          30_000,
          25,
        );
      } else {
        // Anywhere from right after the last write to well after the queue's commit.
        await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * random() * 1500)));
      }
      const before = readState(dbFile);
      await child!.kill();
      child = null;
      figures.captureKills++;
      const after = readState(dbFile);
      checkAfterKill(before, after);
      unconfirmed = [...replay, ...fresh].filter((e, i, all) => all.indexOf(e) === i && !isCommitted(after, e));
      if (unconfirmed.length > 0) figures.killsWithEventsInFlight++;
      confirmed = after;
      log(
        `capture kill ${kill + 1}/${options.captureKills}: ${fresh.length} new events, ${replay.length} replayed, ${unconfirmed.length} in flight at the kill (${Math.round((Date.now() - started) / 1000)} s)`,
      );
    }

    // Last restart: replay what was in flight, then everything must be there exactly once; stop cleanly.
    logOffset = logSize();
    await startApp();
    for (const event of unconfirmed) await dispatch(event);
    figures.eventsReplayed += unconfirmed.length;
    const expectedShares = new Set(events.flatMap((e) => (e.kind === 'message' ? keysOf(e) : [])));
    const expectedReactions = new Set(events.flatMap((e) => (e.kind === 'reaction' ? keysOf(e) : [])));
    await waitUntil(
      () => {
        const s = readState(dbFile);
        return s.shares.size === expectedShares.size && s.reactions.size === expectedReactions.size;
      },
      'the replayed events to be committed',
      30_000,
      25,
    );
    child!.process.kill('SIGTERM');
    const exit = await child!.exited;
    child = null;
    if (exit.code !== 0) fail(`the app did not stop cleanly on SIGTERM: ${JSON.stringify(exit)}`);
    const final = readState(dbFile);
    figures.integrityChecks++;
    if (final.integrity !== 'ok') fail(`integrity_check: ${final.integrity}`);
    if (!sameJson([...final.shares].sort(), [...expectedShares].sort())) fail('the shares differ from what the fake delivered');
    if (!sameJson([...final.reactions].sort(), [...expectedReactions].sort())) fail('the reactions differ from what the fake delivered');
    for (const [key, counts] of expectedCounters()) {
      const got = final.counters.get(key);
      if (!got || got[0] !== counts[0] || got[1] !== counts[1]) {
        figures.duplicated++;
        fail(`clip ${key}: expected ${counts.join('/')} shares/reactions, found ${got?.join('/') ?? 'no row'}`);
      }
    }
    void confirmed;

    // ---- Enrichment killed mid-run: slow Twitch answers keep each run busy long enough to be cut ----
    for (let kill = 0; kill < options.jobKills; kill++) {
      helix.clearFaults();
      helix.inject({ kind: 'slow', delayMs: 150 + Math.floor(random() * 300) }, 50);
      const run = spawnCli(['enrich', '--max-wait', '5'], env, logFile);
      await new Promise((resolve) => setTimeout(resolve, 500 + Math.floor(random() * 2500)));
      if (await run.kill()) figures.jobKillsMidRun++;
      figures.enrichKills++;
      const s = readState(dbFile);
      figures.integrityChecks++;
      if (s.integrity !== 'ok') fail(`integrity_check after killing enrich: ${s.integrity}`);
    }
    helix.clearFaults();
    const enrich = spawnCli(['enrich', '--max-wait', '30'], env, logFile);
    const enrichExit = await enrich.exited;
    if (enrichExit.code !== 0) fail(`clipscope enrich after the kills exited with ${JSON.stringify(enrichExit)}`);
    {
      const db = new Database(dbFile, { readonly: true });
      const states = db.prepare('SELECT enrichment_state AS state, count(*) AS n FROM clips GROUP BY 1').all() as {
        state: string;
        n: number;
      }[];
      const missing = db.prepare("SELECT guild_id, clip_id FROM clips WHERE enrichment_state = 'done' AND creator_id IS NULL").all();
      db.close();
      const stuck = states.filter((s) => s.state !== 'done' && s.state !== 'not_found');
      if (stuck.length > 0) fail(`clips left ${JSON.stringify(stuck)} after enrichment was killed and re-run`);
      if (missing.length > 0) fail(`clips marked done without their metadata: ${JSON.stringify(missing)}`);
      figures.clips = states.reduce((n, s) => n + s.n, 0);
    }

    // ---- Aggregation killed mid-run, then an incremental run must equal a full rebuild from raw ----
    for (let kill = 0; kill < options.jobKills; kill++) {
      const run = spawnCli(['aggregate', ...(random() < 0.5 ? ['--full'] : [])], env, logFile);
      await new Promise((resolve) => setTimeout(resolve, 300 + Math.floor(random() * 2000)));
      if (await run.kill()) figures.jobKillsMidRun++;
      figures.aggregateKills++;
      const s = readState(dbFile);
      figures.integrityChecks++;
      if (s.integrity !== 'ok') fail(`integrity_check after killing aggregate: ${s.integrity}`);
    }
    const aggregate = spawnCli(['aggregate'], env, logFile);
    const aggregateExit = await aggregate.exited;
    if (aggregateExit.code !== 0) fail(`clipscope aggregate after the kills exited with ${JSON.stringify(aggregateExit)}`);
    const rebuiltFile = path.join(dir, 'rebuilt.db');
    {
      const source = new Database(dbFile, { readonly: true });
      source.exec(`VACUUM INTO '${rebuiltFile.replaceAll("'", "''")}'`);
      source.close();
      const rebuilt = openDatabase({ path: rebuiltFile });
      try {
        await aggregateAnalytics(rebuilt, { full: true }, { clock: systemClock });
      } finally {
        closeDatabase(rebuilt);
      }
      const incremental = summaryTables(dbFile);
      const full = summaryTables(rebuiltFile);
      for (const table of Object.keys(full)) {
        if ((full[table] ?? []).length === 0) fail(`${table} is empty after a full rebuild: the comparison would prove nothing`);
        if (!sameJson(incremental[table], full[table])) fail(`${table} after killed runs differs from a fresh full re-aggregation`);
      }
    }

    // ---- Import killed mid-run, re-run, equals an uninterrupted import ----
    if (options.jobKills > 0) {
      const exportFile = path.join(dir, 'export.json');
      writeExport(exportFile, random);
      const cleanFile = path.join(dir, 'import-clean.db');
      const cleanEnv = { ...env, DATABASE_PATH: cleanFile };
      const clean = await spawnCli(['import', exportFile], cleanEnv, logFile).exited;
      if (clean.code !== 0) fail(`uninterrupted import exited with ${JSON.stringify(clean)}`);
      const crashFile = path.join(dir, 'import-crash.db');
      const crashEnv = { ...env, DATABASE_PATH: crashFile };
      for (let kill = 0; kill < options.jobKills; kill++) {
        const run = spawnCli(['import', exportFile], crashEnv, logFile);
        await new Promise((resolve) => setTimeout(resolve, 400 + Math.floor(random() * 2500)));
        if (await run.kill()) figures.jobKillsMidRun++;
        figures.importKills++;
        if (fs.existsSync(crashFile)) {
          // Killed before its first migration committed, the file holds no tables yet (the re-run migrates it):
          // only its integrity can be checked then.
          const integrity = hasTable(crashFile, 'shares') ? readState(crashFile).integrity : integrityOf(crashFile);
          figures.integrityChecks++;
          if (integrity !== 'ok') fail(`integrity_check after killing import: ${integrity}`);
        }
      }
      const rerun = await spawnCli(['import', exportFile], crashEnv, logFile).exited;
      if (rerun.code !== 0) fail(`import re-run exited with ${JSON.stringify(rerun)}`);
      const a = rawTables(cleanFile);
      const b = rawTables(crashFile);
      for (const table of Object.keys(a)) {
        if (!sameJson(a[table], b[table])) fail(`after an interrupted import and a re-run, ${table} differs from an uninterrupted import`);
      }
      if ((a.shares ?? []).length === 0) fail('the import recorded no shares: the comparison would prove nothing');
    }

    // ---- Secrets never reach the logs ----
    const text = fs.readFileSync(logFile, 'utf8');
    figures.logBytes = text.length;
    figures.secretsInLog = [DISCORD_TOKEN, TWITCH_SECRET, ...helix.tokens].filter((secret) => text.includes(secret)).length;
    if (figures.secretsInLog > 0) fail('a secret appears in the captured logs');
    figures.ms = Date.now() - started;
    fs.rmSync(dir, { recursive: true, force: true });
    return figures;
  } finally {
    const running = child as Child | null;
    if (running) await running.kill();
    await discord.stop();
    await helix.stop();
  }
}

/** A DiscordChatExporter export of one channel, large enough that an import takes a few seconds. */
function writeExport(file: string, random: () => number): void {
  const guildId = '880000000000000001';
  const lines: string[] = [];
  lines.push(
    `{"guild":{"id":"${guildId}","name":"Import Guild","iconUrl":""},"channel":{"id":"880000000000000002","type":"GuildTextChat","categoryId":null,"category":null,"name":"clips","topic":null},"dateRange":{"after":null,"before":null},"exportedAt":"2024-06-01T12:00:00.000+00:00","messages":[`,
  );
  const count = 20_000;
  const start = Date.UTC(2024, 0, 1);
  for (let i = 0; i < count; i++) {
    const id = (BigInt(start + i * 60_000 - 1420070400000) << 22n) + BigInt(i % 4096);
    const slug = `ImportedClip${Math.floor(random() * 500)}-x`;
    const author = Math.floor(random() * 20);
    const reactions =
      random() < 0.3
        ? `[{"emoji":{"id":"","name":"🔥","code":"fire","isAnimated":false,"imageUrl":""},"count":2,"users":[{"id":"89000000000000000${author % 10}","name":"u${author}","discriminator":"0000","nickname":"u${author}","isBot":false,"avatarUrl":""}]}]`
        : '[]';
    lines.push(
      `${i === 0 ? '' : ','}{"id":"${id}","type":"Default","timestamp":"${new Date(start + i * 60_000).toISOString()}","timestampEdited":null,"isPinned":false,"content":"${random() < 0.6 ? `https://clips.twitch.tv/${slug} wow` : 'just chatting'}","author":{"id":"8900000000000000${String(author).padStart(2, '0')}","name":"u${author}","discriminator":"0000","nickname":"U ${author}","color":null,"isBot":false,"avatarUrl":""},"attachments":[],"embeds":[],"stickers":[],"reactions":${reactions},"mentions":[]}`,
    );
  }
  lines.push(`],"messageCount":${count}}`);
  fs.writeFileSync(file, lines.join('\n'));
}
