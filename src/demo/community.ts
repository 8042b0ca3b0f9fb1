// The synthetic community model: guilds, people, clips and the Discord messages about them, derived from a seed.
// Pure (no I/O). The database writer, the gateway payload stream and the chat-export writer all render this model,
// so the three describe the very same community. One file on purpose: its draws are one seeded sequence, and
// splitting the model would spread that order over modules where a reordered import could change every dataset.
import { canonicalClipUrl } from '../capture/clip-url';
import { Rng, WeightedTable, zipfTable } from './random';
import * as words from './words';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
export const WINDOW_DAYS = 730;
export const DISCORD_EPOCH = 1_420_070_400_000;

/** Named sizes, by total clip count. */
export const SIZES = { S: 10_000, M: 100_000, L: 1_000_000 } as const;
export type SizeName = keyof typeof SIZES;

export interface CommunityOptions {
  /** Total clips over all guilds. */
  clips: number;
  seed: number;
  /** End of the two-year window, epoch ms (clip and message times are before it). */
  endAt: number;
  /** Number of guilds; default grows with size (20 at 1M clips). */
  guilds?: number;
}

export interface ResolvedCommunityOptions {
  clips: number;
  seed: number;
  endAt: number;
  startAt: number;
  guildSizes: number[];
  creatorCount: number;
  gameCount: number;
}

export function resolveSize(size: string): number {
  const upper = size.toUpperCase();
  if (upper in SIZES) return SIZES[upper as SizeName];
  const n = Number(size.replace(/_/g, ''));
  if (Number.isInteger(n) && n >= 1 && n <= 10_000_000) return n;
  throw new Error(`size must be S, M, L or a whole number of clips from 1 to 10,000,000 (got "${size}")`);
}

/** Guild sizes: a few big communities and a tail of small ones; at 1M clips, 20 guilds, the largest 200k. */
export function resolveCommunity(options: CommunityOptions): ResolvedCommunityOptions {
  const clips = Math.max(1, Math.floor(options.clips));
  const guildCount = Math.max(1, Math.min(clips, options.guilds ?? Math.round(20 * Math.pow(clips / 1_000_000, 0.4))));
  return {
    clips,
    seed: options.seed >>> 0,
    endAt: options.endAt,
    startAt: options.endAt - WINDOW_DAYS * DAY_MS,
    guildSizes: splitIntoGuilds(clips, guildCount),
    // ~50k creators and ~2k games at 1M clips; fewer for smaller communities.
    creatorCount: Math.max(5, Math.round(clips * 0.05)),
    gameCount: Math.max(25, Math.round(2000 * Math.sqrt(clips / 1_000_000))),
  };
}

function splitIntoGuilds(clips: number, count: number): number[] {
  if (count === 1) return [clips];
  // Largest guild's share: 20% at 20 guilds, more when there are fewer of them.
  const target = Math.min(0.9, 0.2 * Math.sqrt(20 / count));
  let lo = 0;
  let hi = 4;
  for (let i = 0; i < 60; i++) {
    const s = (lo + hi) / 2;
    let sum = 0;
    for (let r = 1; r <= count; r++) sum += Math.pow(r, -s);
    if (1 / sum > target) hi = s;
    else lo = s;
  }
  const weights = Array.from({ length: count }, (_, r) => Math.pow(r + 1, -lo));
  const total = weights.reduce((a, b) => a + b, 0);
  const sizes = weights.map((w) => Math.max(1, Math.floor((w / total) * clips)));
  const assigned = sizes.reduce((a, b) => a + b, 0);
  sizes[0] = (sizes[0] ?? 0) + clips - assigned;
  return sizes;
}

// ---------------------------------------------------------------------------------------------------------------
// Model types

export interface Game {
  /** '' is Twitch's "no game". */
  id: string;
  name: string | null;
}

export interface Person {
  id: string;
  /** Discord username / Twitch login. */
  login: string;
  /** Display name. */
  name: string;
  isBot: boolean;
}

export interface ChannelModel {
  id: string;
  name: string;
  position: number;
}

export interface ThreadModel {
  id: string;
  name: string;
  parentId: string;
  ownerId: string;
  createdAt: number;
}

export interface CustomEmoji {
  id: string;
  name: string;
  animated: boolean;
}

export interface ClipModel {
  clipId: string;
  url: string;
  title: string;
  broadcaster: Person;
  creator: Person;
  game: Game;
  viewCount: number;
  duration: number;
  thumbnailUrl: string;
  createdAt: number;
  /** Shared in Discord (source 'discord'); otherwise it only came from the Twitch channel sync. */
  shared: boolean;
  /** Created during a viral spike. */
  viral: boolean;
  /** When the Twitch channel sync found it (unshared clips) or when enrichment ran (shared clips). */
  seenAt: number;
}

export interface ReactionModel {
  /** Index into the guild's members. */
  user: number;
  /** Index into the guild's emoji list (unicode first, then custom). */
  emoji: number;
  at: number;
}

export interface MessageModel {
  id: string;
  channelId: string;
  threadId: string | null;
  /** Index into the guild's members. */
  author: number;
  postedAt: number;
  content: string;
  /** Indexes into the guild's clips, in order of appearance in the content. */
  clips: number[];
  /** Clips this message is the first share of (they are enriched right after it). */
  firstShareOf: number[];
  reactions: ReactionModel[];
  edit: { at: number; content: string } | null;
  deletedAt: number | null;
}

export interface EmojiModel {
  /** The storage key: the character, or name:id. */
  key: string;
  name: string;
  id: string | null;
  animated: boolean;
}

export interface GuildModel {
  index: number;
  id: string;
  name: string;
  timezone: string;
  createdAt: number;
  owner: Person;
  channels: ChannelModel[];
  threads: ThreadModel[];
  members: Person[];
  emojis: EmojiModel[];
  broadcasters: Person[];
  /** Sorted by creation time. */
  clips: ClipModel[];
  /** Sorted by posting time. */
  messages: MessageModel[];
}

// ---------------------------------------------------------------------------------------------------------------
// Shared pieces: games (global), time rhythm

/** The global game catalogue, most popular first; index 0 of the table is the '' (no game) entry's neighbour. */
export function buildGames(resolved: ResolvedCommunityOptions): Game[] {
  const rng = new Rng(resolved.seed, 0x6a3e5);
  const games: Game[] = [];
  const used = new Set<string>();
  for (const [id, name] of words.TOP_GAMES) {
    if (games.length >= resolved.gameCount) break;
    games.push({ id, name });
    used.add(name);
  }
  let serial = 0;
  while (games.length < resolved.gameCount) {
    serial++;
    let name = `${rng.pick(words.GAME_WORDS_A)} ${rng.pick(words.GAME_WORDS_B)}${rng.pick(words.GAME_SUFFIXES)}`;
    if (used.has(name)) name = `${name} ${serial}`;
    used.add(name);
    games.push({ id: String(1_000_000 + serial * 7 + rng.int(7)), name });
  }
  return games;
}

const LOCAL_HOUR_WEIGHT = [
  0.45, 0.3, 0.2, 0.12, 0.08, 0.07, 0.08, 0.12, 0.18, 0.25, 0.3, 0.35, 0.42, 0.45, 0.5, 0.58, 0.68, 0.8, 0.92, 1.0, 1.1, 1.12, 0.95, 0.7,
];
/** Sunday = 0 … Saturday = 6: a weekend lift, Friday evenings a little busier. */
const LOCAL_WEEKDAY_WEIGHT = [1.35, 0.92, 0.9, 0.92, 0.95, 1.1, 1.4];

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes the timezone is ahead of UTC at the given instant. */
export function timezoneOffsetMinutes(timeZone: string, at: number): number {
  let format = offsetFormatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    offsetFormatters.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(at)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const local = Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0);
  return Math.round((local - Math.floor(at / MINUTE_MS) * MINUTE_MS) / MINUTE_MS);
}

interface Spike {
  hour: number;
  amplitude: number;
  game: number;
}

/** Clip creation rate per hour of the window: growth × local evening peak × weekend lift × viral spikes. */
function creationRhythm(
  resolved: ResolvedCommunityOptions,
  timezone: string,
  spikes: Spike[],
): { table: WeightedTable; spikeShare: Float32Array; spikeGame: Int32Array } {
  const hours = WINDOW_DAYS * 24;
  const weights = new Float64Array(hours);
  const spikeShare = new Float32Array(hours);
  const spikeGame = new Int32Array(hours).fill(-1);
  for (let day = 0; day < WINDOW_DAYS; day++) {
    const dayStart = resolved.startAt + day * DAY_MS;
    const offset = timezoneOffsetMinutes(timezone, dayStart + 12 * HOUR_MS) * MINUTE_MS;
    for (let h = 0; h < 24; h++) {
      const i = day * 24 + h;
      const local = new Date(dayStart + h * HOUR_MS + offset);
      const progress = i / hours;
      const growth = 0.35 + 0.65 * Math.pow(progress, 1.3);
      weights[i] = growth * (LOCAL_HOUR_WEIGHT[local.getUTCHours()] ?? 1) * (LOCAL_WEEKDAY_WEIGHT[local.getUTCDay()] ?? 1);
    }
  }
  for (const spike of spikes) {
    for (let dh = 0; dh < 48; dh++) {
      const i = spike.hour + dh;
      if (i >= hours) break;
      const base = weights[i] ?? 0;
      const extra = base * spike.amplitude * Math.exp(-dh / 8);
      weights[i] = base + extra;
      spikeShare[i] = extra / (base + extra);
      spikeGame[i] = spike.game;
    }
  }
  return { table: new WeightedTable(weights), spikeShare, spikeGame };
}

// ---------------------------------------------------------------------------------------------------------------
// Ids

/**
 * Makes Discord snowflakes for a guild: time in the top bits, the guild in the worker bits, never repeated.
 * `lane` separates id spaces of the same guild (0 = the model; renderers adding chatter use their own lane).
 */
export class SnowflakeMaker {
  private counter = 0;
  private readonly used = new Set<string>();
  private readonly worker: number;
  constructor(guildIndex: number, lane = 0) {
    this.worker = ((lane & 0x3) << 8) | (guildIndex & 0xff);
  }

  at(ms: number): string {
    for (;;) {
      const increment = this.counter++ & 0xfff;
      const id = (BigInt(Math.max(0, Math.floor(ms) - DISCORD_EPOCH)) << 22n) | (BigInt(this.worker) << 12n) | BigInt(increment);
      const text = id.toString();
      if (!this.used.has(text)) {
        this.used.add(text);
        return text;
      }
      ms += 1;
    }
  }
}

export function snowflakeTime(id: string): number {
  return Number(BigInt(id) >> 22n) + DISCORD_EPOCH;
}

function personName(rng: Rng, serial: number): { login: string; name: string } {
  const a = rng.pick(words.NAME_PARTS_A);
  const b = rng.pick(words.NAME_PARTS_B);
  const digits = rng.chance(0.6) ? String(serial % 10_000) : '';
  const login = `${a}${b}${digits}`;
  const style = rng.int(3);
  const name = style === 0 ? login : style === 1 ? `${cap(a)}${cap(b)}${digits}` : `${a}_${b}${digits}`;
  return { login, name };
}

function cap(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function clipSlug(rng: Rng, guildIndex: number, serial: number): string {
  let tail = '';
  // The guild and serial make the slug unique; the random rest makes it look like Twitch's.
  let unique = guildIndex * 10_000_000 + serial;
  for (let i = 0; i < 5; i++) {
    tail += words.SLUG_TAIL_ALPHABET[unique % 64];
    unique = Math.floor(unique / 64);
  }
  for (let i = 0; i < 11; i++) tail += words.SLUG_TAIL_ALPHABET[rng.int(64)];
  return `${rng.pick(words.SLUG_ADJECTIVES)}${rng.pick(words.SLUG_ADJECTIVES)}${rng.pick(words.SLUG_NOUNS)}${rng.pick(words.SLUG_EMOTES)}-${tail}`;
}

function clipTitle(rng: Rng, broadcaster: Person): string {
  return rng
    .pick(words.TITLE_TEMPLATES)
    .replace('{b}', broadcaster.name)
    .replace('{x}', rng.pick(words.TITLE_WORDS))
    .replace('{n}', String(2 + rng.int(4)));
}

/** How a member links a clip: the forms seen in the wild, most often the short clips.twitch.tv one. */
function clipLinkVariant(rng: Rng, clip: ClipModel): string {
  const r = rng.next();
  if (r < 0.55) return clip.url;
  if (r < 0.8) return `https://www.twitch.tv/${clip.broadcaster.login}/clip/${clip.clipId}?filter=clips&range=7d&sort=time`;
  if (r < 0.9) return `https://www.twitch.tv/${clip.broadcaster.login}/clip/${clip.clipId}`;
  if (r < 0.95) return `https://m.twitch.tv/clip/${clip.clipId}`;
  return `<${clip.url}>`;
}

function messageText(rng: Rng, templates: readonly string[], links: string[]): string {
  const [first, ...rest] = links;
  const text = rng.pick(templates).replace('{url}', first ?? '');
  return rest.length > 0 ? `${text}\nalso this one: ${rest.join(' ')}` : text;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

// ---------------------------------------------------------------------------------------------------------------
// A guild

export interface GuildContext {
  resolved: ResolvedCommunityOptions;
  games: Game[];
  gamePopularity: WeightedTable;
}

export function createGuildContext(resolved: ResolvedCommunityOptions): GuildContext {
  const games = buildGames(resolved);
  return { resolved, games, gamePopularity: zipfTable(games.length, 1.1) };
}

/** Builds guild number `index` (0 = the largest) in full. Independent of the other guilds: same seed, same guild. */
export function buildGuild(context: GuildContext, index: number): GuildModel {
  const { resolved, games } = context;
  const size = resolved.guildSizes[index];
  if (size === undefined) throw new Error(`no guild ${index}`);
  const rng = new Rng(resolved.seed, 1000 + index);
  const ids = new SnowflakeMaker(index);
  const guildCreatedAt = resolved.startAt - (200 + rng.int(900)) * DAY_MS;

  // People. Creators clip on Twitch; members post and react on Discord; a couple of bots repost clips.
  const broadcasterCount = Math.max(1, Math.min(12, Math.round(Math.log10(size + 1) * 2) - 2));
  const broadcasters: Person[] = [];
  for (let i = 0; i < broadcasterCount; i++) {
    const n = personName(rng, i);
    broadcasters.push({ id: String(40_000_000 + index * 1000 + i), login: n.login, name: n.name, isBot: false });
  }
  const creatorCount = Math.max(3, Math.round((resolved.creatorCount * size) / resolved.clips));
  const creators: Person[] = [];
  for (let i = 0; i < creatorCount; i++) {
    const n = personName(rng, i);
    creators.push({ id: String(100_000_000 + index * 1_000_000 + i), login: n.login, name: n.name, isBot: false });
  }
  const memberCount = Math.max(10, Math.round(size * 0.15));
  const members: Person[] = [];
  for (let i = 0; i < memberCount; i++) {
    const n = personName(rng, i);
    members.push({ id: ids.at(guildCreatedAt + rng.int(300) * DAY_MS), login: n.login, name: n.name, isBot: false });
  }
  const bots: number[] = [];
  for (const name of ['ClipBot', 'StreamElements']) {
    bots.push(members.length);
    members.push({ id: ids.at(guildCreatedAt + DAY_MS), login: name.toLowerCase(), name, isBot: true });
  }
  const owner = members[0] as Person;
  const broadcasterTable = zipfTable(broadcasters.length, 1.6);
  const creatorTable = zipfTable(creators.length, 0.9);
  const posterTable = zipfTable(memberCount, 1.0);
  const reactorTable = zipfTable(memberCount, 0.8);

  // Places.
  const channelCount = Math.max(3, Math.min(words.CHANNEL_NAMES.length, Math.round(Math.log10(size + 1) * 2.5)));
  const channels: ChannelModel[] = words.CHANNEL_NAMES.slice(0, channelCount).map((name, position) => ({
    id: ids.at(guildCreatedAt + position * MINUTE_MS),
    name,
    position,
  }));
  const channelTable = zipfTable(channels.length, 1.4);
  const threadCount = Math.max(1, Math.min(40, Math.round(size / 2500)));
  const threads: ThreadModel[] = [];
  for (let i = 0; i < threadCount; i++) {
    const parent = channels[channelTable.sample(rng)] as ChannelModel;
    const createdAt = resolved.startAt + rng.int(WINDOW_DAYS - 30) * DAY_MS;
    threads.push({
      id: ids.at(createdAt),
      name: `${rng.pick(words.THREAD_NAMES)}${i >= words.THREAD_NAMES.length ? ` #${i}` : ''}`,
      parentId: parent.id,
      ownerId: (members[posterTable.sample(rng)] as Person).id,
      createdAt,
    });
  }

  // Emoji: unicode everywhere, custom ones with this guild's ids.
  const emojis: EmojiModel[] = [];
  const emojiWeights: number[] = [];
  for (const [char, weight] of words.UNICODE_REACTIONS) {
    emojis.push({ key: char, name: char, id: null, animated: false });
    emojiWeights.push(weight);
  }
  for (const [name, animated, weight] of words.CUSTOM_REACTIONS) {
    const id = ids.at(guildCreatedAt + 2 * DAY_MS);
    emojis.push({ key: `${name}:${id}`, name, id, animated });
    emojiWeights.push(weight);
  }
  const emojiTable = new WeightedTable(emojiWeights);

  // Games: each community has a handful of main games plus the global long tail.
  const mainGames: number[] = [];
  const mainCount = Math.min(games.length, 4 + rng.int(6));
  while (mainGames.length < mainCount) {
    const g = Math.min(games.length - 1, context.gamePopularity.sample(rng) + (rng.chance(0.5) ? 0 : rng.int(40)));
    if (!mainGames.includes(g)) mainGames.push(g);
  }
  const mainGameTable = zipfTable(mainGames.length, 1.2);
  const noGame: Game = { id: '', name: null };

  // Time: when clips get made.
  const spikeCount = Math.min(12, 2 + Math.round(Math.log10(size + 1)));
  const spikes: Spike[] = [];
  for (let i = 0; i < spikeCount; i++) {
    spikes.push({
      hour: rng.int(WINDOW_DAYS * 24 - 48),
      amplitude: rng.range(4, 15),
      game: mainGames[rng.int(mainGames.length)] ?? 0,
    });
  }
  const timezone = words.TIMEZONES[index % words.TIMEZONES.length] as string;
  const rhythm = creationRhythm(resolved, timezone, spikes);

  // Clips.
  const clips: ClipModel[] = [];
  for (let serial = 0; serial < size; serial++) {
    const slot = rhythm.table.sample(rng);
    const createdAt = resolved.startAt + slot * HOUR_MS + rng.int(HOUR_MS / 1000) * 1000;
    const viral = rng.next() < (rhythm.spikeShare[slot] ?? 0);
    const broadcaster = broadcasters[broadcasterTable.sample(rng)] as Person;
    let game: Game;
    if (viral && (rhythm.spikeGame[slot] ?? -1) >= 0) game = games[rhythm.spikeGame[slot] as number] as Game;
    else if (rng.chance(0.015)) game = noGame;
    else if (rng.chance(0.6)) game = games[mainGames[mainGameTable.sample(rng)] as number] as Game;
    else game = games[context.gamePopularity.sample(rng)] as Game;
    const z = rng.normal();
    let viewCount = Math.max(1, Math.round(40 * Math.exp(1.5 * z)));
    if (viral) viewCount = Math.round(viewCount * rng.range(5, 30));
    const clipId = clipSlug(rng, index, serial);
    const shared = rng.chance(sigmoid(-0.98 + 0.8 * z + (viral ? 1.2 : 0)));
    const duration = rng.chance(0.55) ? Math.round(rng.range(25, 30) * 10) / 10 : Math.round(rng.range(5, 60) * 10) / 10;
    clips.push({
      clipId,
      url: canonicalClipUrl(clipId),
      title: clipTitle(rng, broadcaster),
      broadcaster,
      creator: creators[creatorTable.sample(rng)] as Person,
      game,
      viewCount,
      duration,
      thumbnailUrl: `https://clips-media-assets2.twitch.tv/${40_000_000_000 + index * 10_000_000 + serial}-offset-${rng.int(20000)}-preview-480x272.jpg`,
      createdAt,
      shared,
      viral,
      seenAt: Math.min(resolved.endAt - 1, createdAt + Math.round(rng.logNormal(2 * HOUR_MS, 1))),
    });
  }
  clips.sort((a, b) => a.createdAt - b.createdAt || (a.clipId < b.clipId ? -1 : 1));

  // Messages sharing the clips: most shared once, some many times, in several channels and threads.
  const drafts: Array<{ clip: number; postedAt: number; first: boolean; z: number }> = [];
  clips.forEach((clip, i) => {
    if (!clip.shared) return;
    const z = Math.log(clip.viewCount / 40) / 1.5;
    const extra = Math.floor((rng.pareto(2.4) - 1) * 1.1 * (1 + Math.max(0, z) * 0.5) * (clip.viral ? 2 : 1));
    const count = 1 + Math.min(40, Math.max(0, extra));
    for (let j = 0; j < count; j++) {
      let postedAt = clip.createdAt + Math.round(j === 0 ? rng.logNormal(12 * MINUTE_MS, 1.4) : rng.logNormal(36 * HOUR_MS, 1.6));
      if (postedAt >= resolved.endAt) {
        if (j > 0) continue;
        postedAt = clip.createdAt + Math.floor(rng.next() * (resolved.endAt - clip.createdAt));
      }
      drafts.push({ clip: i, postedAt, first: j === 0, z });
    }
  });
  drafts.sort((a, b) => a.postedAt - b.postedAt || a.clip - b.clip);

  const messages: MessageModel[] = [];
  const firstShared: number[] = [];
  const firstSharedAt = new Map<number, number>();
  for (const draft of drafts) {
    const clip = clips[draft.clip] as ClipModel;
    // A share earlier than the clip's first share is the first one (re-shares can outrun a slow first post).
    const isFirst = !firstSharedAt.has(draft.clip);
    const byBot = isFirst && rng.chance(0.04);
    const author = byBot ? (bots[rng.int(bots.length)] as number) : posterTable.sample(rng);
    const eligibleThreads = threads.filter((t) => t.createdAt <= draft.postedAt);
    const inThread = !byBot && eligibleThreads.length > 0 && rng.chance(0.1);
    const thread = inThread ? (eligibleThreads[rng.int(eligibleThreads.length)] as ThreadModel) : null;
    const channelId = thread ? thread.parentId : (channels[byBot ? 0 : channelTable.sample(rng)] as ChannelModel).id;
    const clipIdxs = [draft.clip];
    // Now and then a message links an older clip too ("this one and that one").
    if (!byBot && firstShared.length > 10 && rng.chance(0.03)) {
      const older = firstShared[firstShared.length - 1 - rng.int(Math.min(firstShared.length, 500))] as number;
      if (older !== draft.clip) clipIdxs.push(older);
    }
    const links = clipIdxs.map((c) => clipLinkVariant(rng, clips[c] as ClipModel));
    const content = byBot
      ? `New clip from ${clip.broadcaster.name}: **${clip.title}**\n${links[0]}`
      : messageText(rng, words.MESSAGE_TEMPLATES, links);
    const message: MessageModel = {
      id: ids.at(draft.postedAt),
      channelId,
      threadId: thread?.id ?? null,
      author,
      postedAt: draft.postedAt,
      content,
      clips: clipIdxs,
      firstShareOf: isFirst ? [draft.clip] : [],
      reactions: [],
      edit: null,
      deletedAt: null,
    };
    if (isFirst) {
      firstSharedAt.set(draft.clip, draft.postedAt);
      firstShared.push(draft.clip);
    }

    if (!byBot && rng.chance(0.015))
      message.deletedAt = Math.min(resolved.endAt - 1, draft.postedAt + Math.round(rng.logNormal(HOUR_MS, 2)));
    if (!byBot && rng.chance(0.02)) {
      const at = Math.min(resolved.endAt - 1, draft.postedAt + Math.round(rng.logNormal(3 * MINUTE_MS, 1)));
      if (message.deletedAt === null || at < message.deletedAt) {
        const kind = rng.next();
        const edited =
          kind < 0.6
            ? messageText(rng, words.EDITED_TEMPLATES, links)
            : kind < 0.8
              ? messageText(rng, words.UNLINKED_TEMPLATES, links.slice(1))
              : messageText(
                  rng,
                  words.EDITED_TEMPLATES,
                  clipIdxs.map((c) => clipLinkVariant(rng, clips[c] as ClipModel)),
                );
        message.edit = { at, content: edited };
      }
    }

    // Reactions: none on many messages, a pile on the popular ones.
    const appeal = sigmoid(-0.6 + 0.8 * draft.z + (clip.viral ? 1 : 0));
    if (rng.chance(appeal)) {
      const wanted = Math.min(
        memberCount,
        300,
        Math.max(1, Math.round(rng.logNormal(2, 0.9) * (1 + Math.max(0, draft.z) * 0.5) * (clip.viral ? 2 : 1))),
      );
      const seen = new Set<number>();
      for (let k = 0; k < wanted; k++) {
        let user = 0;
        let emoji = 0;
        let tries = 0;
        do {
          user = reactorTable.sample(rng);
          emoji = emojiTable.sample(rng);
          tries++;
        } while (seen.has(user * 64 + emoji) && tries < 8);
        if (seen.has(user * 64 + emoji)) continue;
        const at = draft.postedAt + Math.round(rng.logNormal(10 * MINUTE_MS, 1.3));
        if (at >= resolved.endAt || (message.deletedAt !== null && at >= message.deletedAt)) continue;
        seen.add(user * 64 + emoji);
        message.reactions.push({ user, emoji, at });
      }
      message.reactions.sort((a, b) => a.at - b.at);
    }
    messages.push(message);
  }

  // Shared clips are enriched shortly after their first share.
  for (const [clip, at] of firstSharedAt) {
    const model = clips[clip] as ClipModel;
    model.seenAt = Math.min(resolved.endAt - 1, at + 30_000 + rng.int(120_000));
  }

  const guildName = `${broadcasters[0]?.name ?? 'Stream'}'s ${rng.pick(['Community', 'Hangout', 'Den', 'Clubhouse', 'Server'])}`;
  return {
    index,
    id: ids.at(guildCreatedAt),
    name: guildName,
    timezone,
    createdAt: guildCreatedAt,
    owner,
    channels,
    threads,
    members,
    emojis,
    broadcasters,
    clips,
    messages,
  };
}
