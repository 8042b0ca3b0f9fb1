// Figures 1 (client half) and 6 (bot memory): capture events/s through the real discord.js client, and the bot
// process's peak RSS after a long stream. A fake gateway (test/fakes/discord) in this process dispatches a
// realistic stream — messages (~30% with 1–3 clip links), reactions added and removed on clip messages, edits and
// deletions — to a bot made by createDiscordBot in a child process of its own, against a copy of a pre-filled
// database. Time runs from the first dispatch until the last write is committed (the bot waits for its queue to
// be idle after the stream's final message, then checks the rows the stream must have produced).
//
//   node --import tsx bench/capture-client.ts                       # builds a modest database (20,000 clips)
//   node --import tsx bench/capture-client.ts --db bench/.data/community-L-seed1.db --size L  # 1M events in the memory run
//   node --import tsx bench/capture-client.ts --db /tmp/one-guild-1m.db --prefill 1000000   # builds it once, then reuses it
//   options: --db PATH, --prefill CLIPS (when PATH is missing), --events N (per run), --runs N, --memory-events N,
//            --size S|M|L (default memory run), --batch-max N, --cache-mb N (the bot's DATABASE_CACHE_MB), --seed N
import { createCaptureService } from '../src/capture/service';
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { systemClock } from '../src/clock';
import { closeDatabase, openDatabase } from '../src/db/client';
import { createDiscordBot } from '../src/discord/bot';
import { createLogger } from '../src/logger';
import {
  clipEmbed,
  member,
  message,
  messageDelete,
  reactionAdd,
  reactionRemove,
  snowflake,
  startFakeDiscord,
  textChannel,
  user,
  type ApiChannel,
  type ApiEmoji,
  type ApiMember,
  type ApiUser,
  type FakeDiscord,
} from '../test/fakes/discord';
import { recordMessageNow, recordReactionAddedNow } from '../src/capture/record-now';
import { inBulkTransaction as inTransaction } from '../src/db/bulk';

const SELF = fileURLToPath(import.meta.url);

// The harness's section contract (bench/types.ts on the bench branch), restated structurally so this file also
// runs alone; a BenchSection accepts it as is.
export interface CaptureClientFigure {
  name: string;
  value: number;
  unit: string;
  min: number;
  max: number;
  runs: number;
  better?: 'higher' | 'lower';
  note?: string;
}
export interface CaptureClientContext {
  size: string;
  seed: number;
  databasePath: string;
  runs: number;
  workDir: string;
  log(message: string): void;
}

export interface CaptureClientOptions {
  /** Events per measured run (default 30,000). */
  eventsPerRun?: number;
  /** Events of the memory run; default by size: S 100,000, M 300,000, L 1,000,000. */
  memoryEvents?: number;
  /** CAPTURE_BATCH_MAX of the bot (default 500, the product's default). */
  batchMax?: number;
  /** DATABASE_CACHE_MB of the bot (default: the product's default). */
  cacheMb?: number;
}

const DEFAULT_EVENTS_PER_RUN = 30_000;
/** Issue #23: the bot's peak RSS after the L stream of 1M events. */
export const BOT_PEAK_RSS_GOAL_MB = 250;
const MEMORY_EVENTS: Record<string, number> = { S: 100_000, M: 300_000, L: 1_000_000 };

// ---------------------------------------------------------------------------------------------------------------
// The stream

/** Deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const WORDS = [
  'lol',
  'that',
  'was',
  'insane',
  'did',
  'you',
  'see',
  'the',
  'play',
  'chat',
  'gg',
  'clip',
  'it',
  'no',
  'way',
  'stream',
  'tonight',
  'pog',
  'what',
  'a',
  'save',
  'omg',
  'again',
  'ranked',
  'boss',
  'fight',
];
const SLUG_WORDS = [
  'Brave',
  'Tiny',
  'Salty',
  'Happy',
  'Cute',
  'Odd',
  'Lazy',
  'Fancy',
  'Frog',
  'Otter',
  'Kappa',
  'Pepe',
  'Goat',
  'Panda',
  'Rocket',
  'Tower',
];
const SLUG_TAIL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
const UNICODE_EMOJI = ['😂', '🔥', '💀', '👏', '😮', '❤️', '🤣', '👀', '💯', '😭'];

export interface StreamPlan {
  guildId: string;
  /** Events to dispatch before the final message. */
  events: number;
  seed: number;
  /** Message ids get creation times from here on (epoch ms), one millisecond apart. */
  startAt: number;
  /** Channels of the guild; the stream posts in these. */
  channels: ApiChannel[];
  /** Clip messages already in the database (reactions on them find the message partial, as after a restart). */
  olderClipMessages: Array<{ messageId: string; channelId: string }>;
}

export interface StreamExpectation {
  /** Active shares the stream leaves: the clip links of its messages' latest content, deleted messages none. */
  shares: number;
  /** Reaction rows it adds (adds minus removes). */
  reactions: number;
  counts: Record<string, number>;
}

interface LiveMessage {
  payload: ReturnType<typeof message>;
  clipIds: string[];
}

/**
 * The stream of dispatches, generated lazily. Every reaction add is a new (message, emoji, user) and every remove
 * takes back one that exists, so `expected` says exactly which rows a correct capture leaves behind.
 */
export function* gatewayStream(plan: StreamPlan, expected: StreamExpectation): Generator<{ t: string; d: unknown; sentinel?: string }> {
  const rand = random(plan.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  // Few people post most messages: a cubic skew over the member pool.
  const skewed = (n: number): number => Math.min(n - 1, Math.floor(n * rand() ** 3));
  const authors: ApiUser[] = Array.from({ length: 3_000 }, (_, i) =>
    user({ id: snowflake(plan.startAt - 10_000_000 - i), username: `member${i}`, global_name: i % 3 === 0 ? `Member ${i}` : null }),
  );
  const reactors: ApiUser[] = Array.from({ length: 20_000 }, (_, i) =>
    user({ id: snowflake(plan.startAt - 20_000_000 - i), username: `viewer${i}` }),
  );
  const customEmoji: ApiEmoji[] = Array.from({ length: 12 }, (_, i) => ({
    id: snowflake(plan.startAt - 30_000_000 - i),
    name: `emote${i}`,
  }));
  const members = new Map<string, ApiMember>();
  const memberOf = (u: ApiUser): ApiMember => {
    let m = members.get(u.id);
    if (!m) members.set(u.id, (m = member(u, { nick: u.username.endsWith('7') ? `${u.username} ✨` : null })));
    return m;
  };
  const recentClipMessages: LiveMessage[] = [];
  const recentMessages: LiveMessage[] = [];
  const seenClips: string[] = [];
  // Reactions present, by "message\u0000emoji\u0000user", and a list to pick removals from.
  const present = new Set<string>();
  const removable: Array<{ channelId: string; messageId: string; emoji: ApiEmoji; userId: string; key: string }> = [];
  const count = (t: string): void => {
    expected.counts[t] = (expected.counts[t] ?? 0) + 1;
  };
  let clock = plan.startAt;

  const newSlug = (): string => {
    let tail = '';
    for (let i = 0; i < 16; i++) tail += SLUG_TAIL[Math.floor(rand() * 62)];
    return `${pick(SLUG_WORDS)}${pick(SLUG_WORDS)}${pick(SLUG_WORDS)}-${tail}`;
  };
  const linkTo = (slug: string): string => {
    const r = rand();
    if (r < 0.6) return `https://clips.twitch.tv/${slug}`;
    if (r < 0.9) return `https://www.twitch.tv/streamer${Math.floor(rand() * 50)}/clip/${slug}`;
    return `https://clips.twitch.tv/${slug}?tt_medium=clips_api&tt_content=url`;
  };
  const sentence = (n: number): string => Array.from({ length: n }, () => pick(WORDS)).join(' ');

  const createMessage = (linkCount: number): LiveMessage => {
    const author = authors[skewed(authors.length)] as ApiUser;
    const channel = plan.channels[skewed(plan.channels.length)] as ApiChannel;
    const clipIds: string[] = [];
    const parts = [sentence(1 + Math.floor(rand() * 8))];
    for (let i = 0; i < linkCount; i++) {
      // A sixth of links re-share a clip posted earlier in the stream.
      const slug = seenClips.length > 0 && rand() < 0.16 ? pick(seenClips) : newSlug();
      if (clipIds.includes(slug)) continue;
      clipIds.push(slug);
      if (seenClips.length < 50_000) seenClips.push(slug);
      else seenClips[Math.floor(rand() * seenClips.length)] = slug;
      parts.push(linkTo(slug));
      if (rand() < 0.5) parts.push(sentence(1 + Math.floor(rand() * 4)));
    }
    const id = snowflake(clock++);
    const payload = message({
      id,
      channel_id: channel.id,
      guild_id: plan.guildId,
      author,
      // A MESSAGE_CREATE's member is the member object without its user (the author is beside it).
      member: (({ user: _user, ...rest }) => rest)(memberOf(author)),
      content: parts.join(' '),
      embeds: clipIds.length > 0 && rand() < 0.5 ? [clipEmbed(`https://clips.twitch.tv/${clipIds[0]}`)] : [],
    });
    return { payload, clipIds };
  };

  const remember = (list: LiveMessage[], m: LiveMessage, cap: number): void => {
    list.push(m);
    if (list.length > cap) list.shift();
  };

  for (let i = 0; i < plan.events; i++) {
    const r = rand();
    const canReact = recentClipMessages.length > 0;
    if (r < 0.5 || !canReact) {
      // ~30% of messages carry 1–3 clip links (mostly one).
      const links = rand() < 0.3 ? (rand() < 0.75 ? 1 : rand() < 0.7 ? 2 : 3) : 0;
      const m = createMessage(links);
      expected.shares += m.clipIds.length;
      if (m.clipIds.length > 0) remember(recentClipMessages, m, 400);
      remember(recentMessages, m, 1_000);
      count('MESSAGE_CREATE');
      yield { t: 'MESSAGE_CREATE', d: m.payload };
    } else if (r < 0.9) {
      // Reactions land mostly on recent clip messages, some on clip messages from before the stream.
      let target: { messageId: string; channelId: string };
      if (plan.olderClipMessages.length > 0 && rand() < 0.15) target = pick(plan.olderClipMessages);
      else {
        const m = recentClipMessages[recentClipMessages.length - 1 - skewed(recentClipMessages.length)] as LiveMessage;
        target = { messageId: m.payload.id, channelId: m.payload.channel_id };
      }
      const emoji = rand() < 0.75 ? { id: null, name: pick(UNICODE_EMOJI) } : pick(customEmoji);
      const emojiKey = emoji.id ? `${emoji.name}:${emoji.id}` : (emoji.name as string);
      let reactor = reactors[skewed(reactors.length)] as ApiUser;
      let key = `${target.messageId}\u0000${emojiKey}\u0000${reactor.id}`;
      for (let tries = 0; present.has(key) && tries < 20; tries++) {
        reactor = pick(reactors);
        key = `${target.messageId}\u0000${emojiKey}\u0000${reactor.id}`;
      }
      if (present.has(key)) continue;
      present.add(key);
      removable.push({ ...target, emoji, userId: reactor.id, key });
      if (removable.length > 20_000) removable.splice(0, removable.length - 20_000);
      expected.reactions++;
      count('MESSAGE_REACTION_ADD');
      yield {
        t: 'MESSAGE_REACTION_ADD',
        d: reactionAdd({
          channel_id: target.channelId,
          message_id: target.messageId,
          guild_id: plan.guildId,
          user_id: reactor.id,
          emoji,
          member: memberOf(reactor),
        }),
      };
    } else if (r < 0.95 && removable.length > 0) {
      const index = removable.length - 1 - skewed(removable.length);
      const [gone] = removable.splice(index, 1);
      if (!gone || !present.delete(gone.key)) continue;
      expected.reactions--;
      count('MESSAGE_REACTION_REMOVE');
      yield {
        t: 'MESSAGE_REACTION_REMOVE',
        d: reactionRemove({
          channel_id: gone.channelId,
          message_id: gone.messageId,
          guild_id: plan.guildId,
          user_id: gone.userId,
          emoji: gone.emoji,
        }),
      };
    } else if (r < 0.98) {
      // An edit of a recent clip message: a link added, or one taken out, or only the words changed.
      const m = recentClipMessages[recentClipMessages.length - 1 - skewed(recentClipMessages.length)] as LiveMessage;
      const choice = rand();
      let content = m.payload.content;
      if (choice < 0.4) {
        const slug = newSlug();
        m.clipIds.push(slug);
        expected.shares++;
        content = `${content} also ${linkTo(slug)}`;
      } else if (choice < 0.6 && m.clipIds.length > 1) {
        const dropped = m.clipIds.pop() as string;
        expected.shares--;
        content = content
          .split(' ')
          .filter((w) => !w.includes(dropped))
          .join(' ');
      } else {
        content = `${content} (edited)`;
      }
      m.payload = { ...m.payload, content, edited_timestamp: new Date(clock).toISOString() };
      count('MESSAGE_UPDATE');
      yield { t: 'MESSAGE_UPDATE', d: m.payload };
    } else {
      // A deletion of a recent message, clip or not; nothing refers to it afterwards.
      const m = recentMessages[recentMessages.length - 1 - Math.floor(rand() * Math.min(200, recentMessages.length))];
      if (!m) continue;
      recentMessages.splice(recentMessages.indexOf(m), 1);
      const clipIndex = recentClipMessages.indexOf(m);
      if (clipIndex >= 0) recentClipMessages.splice(clipIndex, 1);
      expected.shares -= m.clipIds.length;
      for (let k = removable.length - 1; k >= 0; k--) if (removable[k]?.messageId === m.payload.id) removable.splice(k, 1);
      count('MESSAGE_DELETE');
      yield { t: 'MESSAGE_DELETE', d: messageDelete({ id: m.payload.id, channel_id: m.payload.channel_id, guild_id: plan.guildId }) };
    }
  }
  // The final message: once its share is committed, everything before it is too (the queue keeps order).
  const last = createMessage(0);
  const slug = `Final${plan.seed}-${newSlug()}`;
  last.payload.content = `that's all folks ${linkTo(slug)}`;
  last.clipIds = [slug];
  expected.shares++;
  count('MESSAGE_CREATE');
  yield { t: 'MESSAGE_CREATE', d: last.payload, sentinel: last.payload.id };
}

// ---------------------------------------------------------------------------------------------------------------
// The bot process

interface BotTask {
  databasePath: string;
  apiBaseUrl: string;
  token: string;
  guildId: string;
  sentinel: string;
  batchMax: number;
  /** DATABASE_CACHE_MB of the bot's connection; absent = the product's default. */
  cacheMb?: number | undefined;
}

type BotMessage =
  | { type: 'ready'; shares: number; reactions: number }
  | {
      type: 'done';
      committedAt: number;
      cpuSeconds: number;
      shares: number;
      reactions: number;
      sentinelStored: boolean;
      rssMb: number;
      peakRssMb: number;
      heapUsedMb: number;
      cached: { users: number; members: number; messages: number; channels: number };
      breakdown: MemoryBreakdown;
    }
  | { type: 'error'; error: string };

/**
 * Where the bot's memory went (MB): each part's largest value seen by a sampler every 250 ms during the stream (the
 * parts need not peak together), and the SQLite page cache's ceiling (cache_size × page size of the connection).
 */
export interface MemoryBreakdown {
  rssMb: number;
  heapTotalMb: number;
  heapUsedMb: number;
  externalMb: number;
  arrayBuffersMb: number;
  sqliteCacheCeilingMb: number;
}

/** Samples process.memoryUsage() until stopped; returns each part's maximum. */
function sampleMemory(): () => Omit<MemoryBreakdown, 'sqliteCacheCeilingMb'> {
  const max = { rssMb: 0, heapTotalMb: 0, heapUsedMb: 0, externalMb: 0, arrayBuffersMb: 0 };
  const sample = (): void => {
    const m = process.memoryUsage();
    max.rssMb = Math.max(max.rssMb, m.rss / 2 ** 20);
    max.heapTotalMb = Math.max(max.heapTotalMb, m.heapTotal / 2 ** 20);
    max.heapUsedMb = Math.max(max.heapUsedMb, m.heapUsed / 2 ** 20);
    max.externalMb = Math.max(max.externalMb, (m.external - m.arrayBuffers) / 2 ** 20);
    max.arrayBuffersMb = Math.max(max.arrayBuffersMb, m.arrayBuffers / 2 ** 20);
  };
  const timer = setInterval(sample, 250);
  timer.unref();
  return () => {
    clearInterval(timer);
    sample();
    return { ...max };
  };
}

const absoluteNow = (): number => performance.timeOrigin + performance.now();

async function runBot(task: BotTask): Promise<void> {
  const send = (message: BotMessage): void => void process.send?.(message);
  const db = openDatabase({ path: task.databasePath, ...(task.cacheMb ? { cacheMb: task.cacheMb } : {}) });
  const logger = createLogger({ level: 'warn', destination: pino.destination(2) });
  const counts = (): { shares: number; reactions: number } => ({
    shares: (
      db.$client.prepare('SELECT count(*) AS n FROM shares WHERE guild_id = ? AND deleted_at IS NULL').get(task.guildId) as { n: number }
    ).n,
    reactions: (db.$client.prepare('SELECT count(*) AS n FROM reactions WHERE guild_id = ?').get(task.guildId) as { n: number }).n,
  });
  const bot = createDiscordBot({
    capture: createCaptureService(db, { logger: logger.child({ service: 'discord' }), clock: systemClock, batchMax: task.batchMax }),
    logger,
    clock: systemClock,
    token: task.token,
    apiBaseUrl: task.apiBaseUrl,
  });
  const before = counts();
  let cpu0 = process.cpuUsage();
  let stopSampling: (() => Omit<MemoryBreakdown, 'sqliteCacheCeilingMb'>) | null = null;
  const finished = new Promise<void>((resolve, reject) => {
    bot.client.on('messageCreate', (m) => {
      if (m.id !== task.sentinel) return;
      bot
        .idle()
        .then(() => {
          const committedAt = absoluteNow();
          const used = process.cpuUsage(cpu0);
          const sampled = stopSampling?.() ?? sampleMemory()();
          // A negative cache_size is KiB; a positive one is pages.
          const cacheSize = Number(db.$client.pragma('cache_size', { simple: true }));
          const pageSize = Number(db.$client.pragma('page_size', { simple: true }));
          const sqliteCacheCeilingMb = (cacheSize < 0 ? -cacheSize * 1024 : cacheSize * pageSize) / 2 ** 20;
          const after = counts();
          const guild = bot.client.guilds.cache.get(task.guildId);
          let messages = 0;
          for (const channel of bot.client.channels.cache.values()) if ('messages' in channel) messages += channel.messages.cache.size;
          // With --expose-gc (the section passes it), the heap figure is what is alive, not garbage awaiting collection.
          (globalThis as { gc?: () => void }).gc?.();
          const memory = process.memoryUsage();
          send({
            type: 'done',
            committedAt,
            cpuSeconds: (used.user + used.system) / 1e6,
            shares: after.shares - before.shares,
            reactions: after.reactions - before.reactions,
            sentinelStored: db.$client.prepare('SELECT 1 FROM shares WHERE message_id = ?').get(task.sentinel) !== undefined,
            rssMb: memory.rss / 2 ** 20,
            peakRssMb: process.resourceUsage().maxRSS / 1024,
            heapUsedMb: memory.heapUsed / 2 ** 20,
            cached: {
              users: bot.client.users.cache.size,
              members: guild?.members.cache.size ?? 0,
              messages,
              channels: bot.client.channels.cache.size,
            },
            breakdown: { ...sampled, sqliteCacheCeilingMb },
          });
          resolve();
        })
        .catch(reject);
    });
  });
  await bot.start();
  cpu0 = process.cpuUsage();
  stopSampling = sampleMemory();
  send({ type: 'ready', ...before });
  await finished;
  await bot.stop();
  closeDatabase(db);
}

// ---------------------------------------------------------------------------------------------------------------
// One measured stream

export interface StreamResult {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  eventsPerCpuSecond: number;
  peakRssMb: number;
  rssMb: number;
  heapUsedMb: number;
  cached: { users: number; members: number; messages: number; channels: number };
  breakdown: MemoryBreakdown;
  counts: Record<string, number>;
}

/** What the stream needs from the database: its largest guild, channels and some clip messages already there. */
export function surveyDatabase(databasePath: string): {
  guildId: string;
  clips: number;
  channelIds: string[];
  olderClipMessages: StreamPlan['olderClipMessages'];
} {
  const db = openDatabase({ path: databasePath, migrate: false, readonly: true });
  try {
    const largest = db.$client
      .prepare<[], { guild_id: string; n: number }>('SELECT guild_id, count(*) AS n FROM clips GROUP BY guild_id ORDER BY n DESC LIMIT 1')
      .get();
    if (!largest) throw new Error(`${databasePath} has no clips: generate it first (npx clipscope generate) or use --prefill`);
    const older = db.$client
      .prepare<[string], { messageId: string; channelId: string }>(
        `SELECT message_id AS messageId, channel_id AS channelId FROM shares
          WHERE guild_id = ? AND deleted_at IS NULL AND thread_id IS NULL AND source = 'discord' ORDER BY rowid DESC LIMIT 2000`,
      )
      .all(largest.guild_id);
    const channelIds = [
      ...new Set([
        ...older.map((o) => o.channelId),
        ...db.$client
          .prepare<[string], { c: string }>('SELECT DISTINCT channel_id AS c FROM shares WHERE guild_id = ? LIMIT 40')
          .all(largest.guild_id)
          .map((r) => r.c),
      ]),
    ];
    return { guildId: largest.guild_id, clips: largest.n, channelIds, olderClipMessages: older };
  } finally {
    closeDatabase(db);
  }
}

/** Streams `events` dispatches into a fresh bot process running against `databasePath` and measures it. */
export async function measureStream(options: {
  databasePath: string;
  events: number;
  seed: number;
  batchMax: number;
  cacheMb?: number | undefined;
  survey: ReturnType<typeof surveyDatabase>;
}): Promise<StreamResult> {
  const { survey } = options;
  const channels = (survey.channelIds.length > 0 ? survey.channelIds : Array.from({ length: 12 }, () => snowflake())).map((id, i) =>
    textChannel({ id, guild_id: survey.guildId, name: `channel-${i}`, position: i }),
  );
  const discord: FakeDiscord = await startFakeDiscord({
    guilds: [{ id: survey.guildId, name: 'Benchmark Guild', channels }],
    replayLimit: 10_000,
  });
  const expected: StreamExpectation = { shares: 0, reactions: 0, counts: {} };
  const plan: StreamPlan = {
    guildId: survey.guildId,
    events: options.events,
    seed: options.seed,
    // Fresh ids for every run (after the database's own messages): now, plus the run's seed.
    startAt: Date.now() + (options.seed % 1000) * 10_000_000,
    channels,
    olderClipMessages: survey.olderClipMessages,
  };
  // Generated ahead (only the ids of the final message are needed up front) so the timed part is dispatching.
  const stream = [...gatewayStream(plan, expected)];
  const sentinel = stream[stream.length - 1]?.sentinel as string;
  const task: BotTask = {
    databasePath: options.databasePath,
    apiBaseUrl: discord.apiBaseUrl,
    token: discord.token,
    guildId: survey.guildId,
    sentinel,
    batchMax: options.batchMax,
    cacheMb: options.cacheMb,
  };
  const child = fork(SELF, ['--bot', JSON.stringify(task)], {
    execArgv: [...process.execArgv, '--expose-gc', ...(process.env.CAPTURE_BENCH_BOT_ARGS?.split(' ').filter(Boolean) ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const messages: BotMessage[] = [];
    let wake: (() => void) | null = null;
    child.on('message', (m) => {
      messages.push(m as BotMessage);
      wake?.();
    });
    let exited = false;
    child.on('exit', () => {
      exited = true;
      wake?.();
    });
    const next = async (type: BotMessage['type']): Promise<BotMessage> => {
      for (;;) {
        const found = messages.find((m) => m.type === type || m.type === 'error');
        if (found) {
          if (found.type === 'error') throw new Error(`bot process: ${found.error}`);
          return found;
        }
        if (exited) throw new Error('bot process exited before reporting');
        await new Promise<void>((resolve) => (wake = resolve));
      }
    };
    await next('ready');
    // Written in windows: at most 500 dispatches wait on the socket, so the gateway sends as fast as the bot reads.
    const startedAt = absoluteNow();
    let window: Promise<void>[] = [];
    for (const { t, d } of stream) {
      window.push(discord.dispatch(t, d));
      if (window.length >= 500) {
        await Promise.all(window);
        window = [];
      }
    }
    await Promise.all(window);
    const done = (await next('done')) as Extract<BotMessage, { type: 'done' }>;
    const seconds = (done.committedAt - startedAt) / 1000;
    const events = stream.length;
    if (!done.sentinelStored || done.shares !== expected.shares || done.reactions !== expected.reactions) {
      throw new Error(
        `capture lost or invented rows: active shares ${done.shares} (expected ${expected.shares}), reactions ${done.reactions} (expected ${expected.reactions})`,
      );
    }
    await new Promise<void>((resolve) => (exited ? resolve() : child.once('exit', () => resolve())));
    return {
      events,
      seconds,
      eventsPerSecond: events / seconds,
      eventsPerCpuSecond: events / done.cpuSeconds,
      peakRssMb: done.peakRssMb,
      rssMb: done.rssMb,
      heapUsedMb: done.heapUsedMb,
      cached: done.cached,
      breakdown: done.breakdown,
      counts: expected.counts,
    };
  } finally {
    if (child.exitCode === null) child.kill();
    await discord.stop();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The section

/** The breakdown as one line, for the figure's note and the log. */
export function describeBreakdown(b: MemoryBreakdown): string {
  const mb = (n: number): string => `${n.toFixed(0)} MB`;
  return (
    `largest seen: RSS ${mb(b.rssMb)}, V8 heap ${mb(b.heapTotalMb)} reserved (${mb(b.heapUsedMb)} used), ` +
    `external ${mb(b.externalMb)} + ArrayBuffers ${mb(b.arrayBuffersMb)}; SQLite page cache at most ${mb(b.sqliteCacheCeilingMb)}`
  );
}

function summarise(values: number[]): { value: number; min: number; max: number; runs: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const value = sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { value, min: sorted[0] as number, max: sorted[sorted.length - 1] as number, runs: values.length };
}

export function captureClientSection(options: CaptureClientOptions = {}) {
  return {
    name: 'capture_client',
    title: 'Capture through the real discord.js client (events/s) and the bot process memory',
    async run(ctx: CaptureClientContext): Promise<CaptureClientFigure[]> {
      const eventsPerRun = options.eventsPerRun ?? DEFAULT_EVENTS_PER_RUN;
      const memoryEvents = options.memoryEvents ?? MEMORY_EVENTS[ctx.size] ?? 300_000;
      const batchMax = options.batchMax ?? 500;
      const cacheMb = options.cacheMb;
      const copy = path.join(ctx.workDir, 'capture-client.db');
      fs.copyFileSync(ctx.databasePath, copy);
      const survey = surveyDatabase(copy);
      ctx.log(
        `streaming into guild ${survey.guildId} (${survey.clips.toLocaleString('en-US')} clips), ${eventsPerRun.toLocaleString('en-US')} events per run, CAPTURE_BATCH_MAX=${batchMax}`,
      );
      const wall: number[] = [];
      const cpu: number[] = [];
      let counts: Record<string, number> = {};
      for (let run = -1; run < ctx.runs; run++) {
        const result = await measureStream({
          databasePath: copy,
          events: eventsPerRun,
          seed: ctx.seed * 1000 + run + 2,
          batchMax,
          cacheMb,
          survey,
        });
        ctx.log(
          `run ${run < 0 ? 'warm-up' : run + 1}: ${Math.round(result.eventsPerSecond)} events/s (${Math.round(result.eventsPerCpuSecond)} per bot CPU-s)`,
        );
        counts = result.counts;
        if (run < 0) continue;
        wall.push(result.eventsPerSecond);
        cpu.push(result.eventsPerCpuSecond);
      }
      ctx.log(`memory run: ${memoryEvents.toLocaleString('en-US')} events`);
      const memory = await measureStream({
        databasePath: copy,
        events: memoryEvents,
        seed: ctx.seed * 1000 + 999,
        batchMax,
        cacheMb,
        survey,
      });
      ctx.log(
        `memory run: peak RSS ${memory.peakRssMb.toFixed(0)} MB (goal ≤ ${BOT_PEAK_RSS_GOAL_MB} MB after L), end ${memory.rssMb.toFixed(0)} MB, live heap ${memory.heapUsedMb.toFixed(1)} MB, ${Math.round(memory.eventsPerCpuSecond)} events per bot CPU-s; ${describeBreakdown(memory.breakdown)}; cached ${memory.cached.messages} messages, ${memory.cached.users} users, ${memory.cached.members} members, ${memory.cached.channels} channels`,
      );
      const mix = Object.entries(counts)
        .map(([t, n]) => `${t} ${Math.round((100 * n) / eventsPerRun)}%`)
        .join(', ');
      const single = (name: string, value: number, unit: string, note: string): CaptureClientFigure => ({
        name,
        value,
        min: value,
        max: value,
        runs: 1,
        unit,
        better: 'lower',
        note,
      });
      return [
        {
          name: 'capture_client.events_per_s',
          ...summarise(wall),
          unit: 'events/s',
          better: 'higher',
          note: `gateway dispatch → discord.js → listeners → queue → SQLite commit, ${eventsPerRun.toLocaleString('en-US')} events per run (${mix}), batch ${batchMax}, database of ${survey.clips.toLocaleString('en-US')} clips in the guild; goal ≥ 5,000 at L`,
        },
        {
          name: 'capture_client.events_per_cpu_s',
          ...summarise(cpu),
          unit: 'events/CPU-s',
          better: 'higher',
          note: 'the same runs per second of the bot process CPU time (the fake gateway runs in another process)',
        },
        {
          name: 'capture_client.memory_run_events_per_s',
          value: memory.eventsPerSecond,
          min: memory.eventsPerSecond,
          max: memory.eventsPerSecond,
          runs: 1,
          unit: 'events/s',
          better: 'higher',
          note: `the long run below, end to end`,
        },
        single(
          'capture_client.bot_peak_rss_mb',
          memory.peakRssMb,
          'MB',
          `peak RSS of the bot process over ${memoryEvents.toLocaleString('en-US')} events; goal ≤ ${BOT_PEAK_RSS_GOAL_MB} MB after L (${memory.peakRssMb <= BOT_PEAK_RSS_GOAL_MB ? 'within' : 'over'} it here); ${describeBreakdown(memory.breakdown)}`,
        ),
        single(
          'capture_client.bot_end_rss_mb',
          memory.rssMb,
          'MB',
          `RSS at the end; caches then held ${memory.cached.messages} messages, ${memory.cached.users} users, ${memory.cached.members} members`,
        ),
        single('capture_client.bot_end_heap_mb', memory.heapUsedMb, 'MB', 'V8 heap alive at the end (after a full GC)'),
      ];
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Running alone

/** A database with `clips` shared clips in one guild, written through the storage layer. */
export function prefillDatabase(file: string, clips: number, seed: number): void {
  const db = openDatabase({ path: file });
  try {
    const rand = random(seed);
    const guildId = snowflake(Date.UTC(2020, 0, 1));
    const channels = Array.from({ length: 12 }, (_, i) => snowflake(Date.UTC(2020, 0, 2) + i));
    const start = Date.UTC(2024, 0, 1);
    const span = Date.UTC(2026, 0, 1) - start;
    for (let done = 0; done < clips; ) {
      inTransaction(db, () => {
        for (let k = 0; k < 1_000 && done < clips; k++, done++) {
          const postedAt = start + Math.floor((done / clips) * span);
          const messageId = snowflake(postedAt);
          const channelId = channels[Math.floor(rand() * channels.length)] as string;
          recordMessageNow(
            db,
            {
              guildId,
              channelId,
              messageId,
              authorId: `${100_000 + Math.floor(rand() ** 3 * 3_000)}`,
              authorName: 'someone',
              authorIsBot: false,
              postedAt,
              content: `look https://clips.twitch.tv/Prefill${seed}Clip${done}-abcdefgh`,
              source: 'discord',
            },
            postedAt,
          );
          for (let r = Math.floor(rand() * 4); r > 0; r--) {
            recordReactionAddedNow(
              db,
              {
                guildId,
                channelId,
                messageId,
                emojiKey: UNICODE_EMOJI[r] as string,
                userId: `${200_000 + Math.floor(rand() * 20_000)}`,
                at: postedAt + 60_000,
              },
              postedAt,
            );
          }
        }
      });
    }
  } finally {
    closeDatabase(db);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      bot: { type: 'string' },
      db: { type: 'string' },
      prefill: { type: 'string', default: '20000' },
      events: { type: 'string', default: String(DEFAULT_EVENTS_PER_RUN) },
      runs: { type: 'string', default: '5' },
      'memory-events': { type: 'string' },
      'batch-max': { type: 'string', default: '500' },
      'cache-mb': { type: 'string' },
      seed: { type: 'string', default: '1' },
      size: { type: 'string', default: 'M' },
    },
    strict: true,
  });
  if (values.bot !== undefined) {
    try {
      await runBot(JSON.parse(values.bot) as BotTask);
    } catch (error) {
      process.send?.({
        type: 'error',
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      } satisfies BotMessage);
      process.exitCode = 1;
    }
    return;
  }
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-capture-client-'));
  try {
    const seed = Number(values.seed);
    // --db of a missing file pre-fills it there and keeps it for the next runs; no --db uses a scratch one.
    const databasePath = values.db ?? path.join(workDir, 'prefilled.db');
    if (!fs.existsSync(databasePath)) {
      const clips = Number(values.prefill);
      console.error(`pre-filling ${databasePath} with ${clips.toLocaleString('en-US')} clips…`);
      prefillDatabase(databasePath, clips, seed);
    }
    const section = captureClientSection({
      eventsPerRun: Number(values.events),
      memoryEvents: values['memory-events'] ? Number(values['memory-events']) : undefined,
      batchMax: Number(values['batch-max']),
      ...(values['cache-mb'] ? { cacheMb: Number(values['cache-mb']) } : {}),
    });
    const figures = await section.run({
      size: values.size.toUpperCase(),
      seed,
      databasePath,
      runs: Number(values.runs),
      workDir,
      log: (m) => console.error(m),
    });
    console.log('| figure | median | min | max | unit |\n|:--|--:|--:|--:|:--|');
    for (const f of figures) console.log(`| ${f.name} | ${f.value.toFixed(1)} | ${f.min.toFixed(1)} | ${f.max.toFixed(1)} | ${f.unit} |`);
    console.log(JSON.stringify(figures, null, 2));
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === SELF) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
