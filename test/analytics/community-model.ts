import type { SqliteDb } from '../../src/db/client';
import { markClipHoursDirty } from '../../src/db/dirty';
import { updateGuildSettings } from '../../src/db/guild-settings';
import { sqliteClient } from '../../src/db/client';
import {
  recordMessageNow,
  recordMessagesDeletedNow,
  recordReactionAddedNow,
  recordReactionSnapshotNow,
} from '../../src/capture/record-now';
import { recordReactionRemovedNow } from '../../src/capture/record-now';
import { inBulkTransaction as inTransaction } from '../../src/db/bulk';

// ---------------------------------------------------------------------------------------------------------
// Random numbers

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Random {
  constructor(readonly next: () => number) {}
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

// ---------------------------------------------------------------------------------------------------------
// The model

export interface ClipMeta {
  createdAt: number;
  creatorId: string;
  creatorName: string;
  gameId: string | null;
  gameName: string | null;
  views: number;
  title: string;
  broadcasterName: string;
  thumbnail: string;
}

export interface ModelClip {
  guild: string;
  clipId: string;
  url: string;
  meta: ClipMeta | null;
  state: 'pending' | 'done' | 'not_found';
  /** When Twitch made it (known to the generator even before enrichment). */
  bornAt: number;
}

export interface ModelMessage {
  guild: string;
  channel: string;
  messageId: string;
  author: string;
  postedAt: number;
  clips: string[];
  everHadClip: boolean;
  deleted: boolean;
}

export interface ModelReaction {
  guild: string;
  messageId: string;
  emoji: string;
  user: string;
  at: number;
}

export interface ModelBaseline {
  guild: string;
  messageId: string;
  emoji: string;
  count: number;
  at: number;
}

export interface GuildSpec {
  id: string;
  timezone: string;
  clips: number;
  /** Creators this guild's clips come from (indexes into the shared pool). */
  creators: [number, number];
}

export class Community {
  clips = new Map<string, ModelClip>();
  messages = new Map<string, ModelMessage>();
  reactions = new Map<string, ModelReaction>();
  baselines = new Map<string, ModelBaseline>();
  history: Array<{ clipId: string; at: number; views: number }> = [];
  private random: Random;
  private messageSeq = 0;
  private sharedSlugs: string[] = [];

  constructor(
    readonly db: SqliteDb,
    seed: number,
    readonly guilds: GuildSpec[],
    readonly from: number,
    readonly now: number,
  ) {
    this.random = new Random(mulberry32(seed));
  }

  static key(guild: string, clipId: string): string {
    return `${guild}|${clipId}`;
  }

  clipsOf(guild: string): ModelClip[] {
    return [...this.clips.values()].filter((c) => c.guild === guild);
  }

  setup(): void {
    for (const g of this.guilds) void updateGuildSettings(this.db, g.id, { timezone: g.timezone }, this.from);
  }

  // --- generation --------------------------------------------------------------------------------------

  /** Makes a guild's clips (metadata decided now, written at enrichment) and shares a first batch of them. */
  createClips(guild: GuildSpec, count: number): ModelClip[] {
    const r = this.random;
    const made: ModelClip[] = [];
    for (let i = 0; i < count; i++) {
      let clipId: string;
      let meta: ClipMeta;
      const reuse = this.sharedSlugs.length > 0 && r.chance(0.1) ? r.pick(this.sharedSlugs) : null;
      const twin = reuse ? [...this.clips.values()].find((c) => c.clipId === reuse && c.meta) : undefined;
      if (twin && twin.meta && !this.clips.has(Community.key(guild.id, twin.clipId))) {
        // The same Twitch clip shared in another guild: same metadata, its own row and numbers here.
        clipId = twin.clipId;
        meta = { ...twin.meta };
      } else {
        clipId = `Clip${guild.id.replace(/\W/g, '')}${this.clips.size}x${r.int(100, 999)}-${r.int(0, 9)}`;
        const creator = r.int(guild.creators[0], guild.creators[1]);
        const createdAt = r.int(this.from, this.now - 3_600_000);
        const late = createdAt > (this.from + this.now) / 2;
        const gameRoll = r.next();
        const gameNumber = r.int(0, 7);
        const gameId = gameRoll < 0.08 ? '' : gameRoll < 0.12 ? null : String(500 + gameNumber);
        meta = {
          createdAt,
          creatorId: String(9000 + creator),
          // Some creators rename: later clips carry the new name.
          creatorName: creator % 5 === 0 && late ? `Creator${creator}_renamed` : `Creator${creator}`,
          gameId,
          gameName:
            gameId === null || gameId === ''
              ? gameId === ''
                ? ''
                : null
              : gameNumber === 3 && late
                ? 'Game 3 Remastered'
                : `Game ${gameNumber}`,
          views: Math.floor(Math.exp(r.next() * 9)),
          title: `Clip number ${i} of ${guild.id}`,
          broadcasterName: `Streamer${r.int(1, 3)}`,
          thumbnail: `https://clips-media.example/${clipId}.jpg`,
        };
        this.sharedSlugs.push(clipId);
      }
      const clip: ModelClip = {
        guild: guild.id,
        clipId,
        url: `https://clips.twitch.tv/${clipId}`,
        meta: null,
        state: 'pending',
        bornAt: meta.createdAt,
      };
      (clip as ModelClip & { planned: ClipMeta }).planned = meta;
      made.push(clip);
    }
    return made;
  }

  /** Shares clips in 1–3 messages each (some messages carry two clips); a tenth come from a channel sync instead. */
  shareClips(guild: GuildSpec, clips: ModelClip[]): void {
    const r = this.random;
    for (const clip of clips) {
      if (r.chance(0.1)) {
        this.syncClip(clip);
        continue;
      }
      if (!this.clips.has(Community.key(guild.id, clip.clipId))) this.clips.set(Community.key(guild.id, clip.clipId), clip);
      const messages = r.int(1, 3);
      for (let m = 0; m < messages; m++) {
        const postedAt = Math.min(this.now - 60_000, clip.bornAt + r.int(0, 5 * 86_400_000));
        const ids = [clip.clipId];
        const known = this.clipsOf(guild.id).filter((c) => c.clipId !== clip.clipId && c.bornAt < postedAt);
        if (known.length > 0 && r.chance(0.2)) ids.push(r.pick(known).clipId);
        this.postMessage(guild.id, postedAt, ids);
      }
    }
  }

  private syncClip(clip: ModelClip): void {
    const planned = (clip as ModelClip & { planned: ClipMeta }).planned;
    sqliteClient(this.db)
      .prepare(
        `INSERT INTO clips (guild_id, clip_id, url, first_seen_at, last_updated_at, source) VALUES (?, ?, ?, ?, ?, 'twitch_sync')
         ON CONFLICT (guild_id, clip_id) DO NOTHING`,
      )
      .run(clip.guild, clip.clipId, clip.url, this.now, this.now);
    this.clips.set(Community.key(clip.guild, clip.clipId), clip);
    this.enrich(clip, planned);
  }

  postMessage(guild: string, postedAt: number, clipIds: string[]): ModelMessage {
    const spec = this.guilds.find((g) => g.id === guild) as GuildSpec;
    const message: ModelMessage = {
      guild,
      channel: `${guild}-chan${this.random.int(1, 3)}`,
      messageId: String(100_000 + ++this.messageSeq),
      author: `user${this.random.int(1, 40)}`,
      postedAt,
      clips: [],
      everHadClip: false,
      deleted: false,
    };
    this.messages.set(message.messageId, message);
    this.writeMessage(message, clipIds);
    void spec;
    return message;
  }

  /** Writes the message's (new) content through recordMessage and mirrors the result. */
  writeMessage(message: ModelMessage, clipIds: string[]): void {
    const content = clipIds
      .map((id, i) => (i % 2 === 0 ? `look https://clips.twitch.tv/${id}` : `and https://www.twitch.tv/someone/clip/${id}?x=1`))
      .join(' ');
    inTransaction(this.db, () =>
      recordMessageNow(
        this.db,
        {
          guildId: message.guild,
          channelId: message.channel,
          messageId: message.messageId,
          authorId: message.author,
          authorName: message.author,
          authorIsBot: false,
          postedAt: message.postedAt,
          content: content || 'no links any more',
          source: 'discord',
        },
        this.now,
      ),
    );
    message.clips = [...new Set(clipIds)];
    if (message.clips.length > 0) message.everHadClip = true;
    for (const id of message.clips) {
      const key = Community.key(message.guild, id);
      if (!this.clips.has(key)) {
        const twin = [...this.clips.values()].find((c) => c.clipId === id) as ModelClip;
        this.clips.set(key, { ...twin, guild: message.guild, meta: null, state: 'pending' });
      }
    }
  }

  deleteMessage(message: ModelMessage): void {
    inTransaction(this.db, () => recordMessagesDeletedNow(this.db, message.guild, [message.messageId], this.now));
    message.deleted = true;
  }

  /** Enrichment as the Twitch worker does it: metadata written, the clip's hours marked dirty. */
  enrich(clip: ModelClip, meta: ClipMeta, state: 'done' | 'not_found' = 'done'): void {
    const previous = clip.meta?.createdAt;
    inTransaction(this.db, () => {
      sqliteClient(this.db)
        .prepare(
          `UPDATE clips SET title = ?, creator_id = ?, creator_name = ?, game_id = ?, game_name = ?, view_count = ?, clip_created_at = ?,
                  broadcaster_name = ?, thumbnail_url = ?, enrichment_state = ?, enriched_at = ? WHERE guild_id = ? AND clip_id = ?`,
        )
        .run(
          meta.title,
          meta.creatorId,
          meta.creatorName,
          meta.gameId,
          meta.gameName,
          meta.views,
          meta.createdAt,
          meta.broadcasterName,
          meta.thumbnail,
          state,
          this.now,
          clip.guild,
          clip.clipId,
        );
      markClipHoursDirty(this.db, clip.guild, [clip.clipId], [previous]);
    });
    clip.meta = { ...meta };
    clip.state = state;
  }

  /** Twitch says the clip is gone: metadata stays, the clip stops counting. */
  markNotFound(clip: ModelClip): void {
    inTransaction(this.db, () => {
      sqliteClient(this.db)
        .prepare(`UPDATE clips SET enrichment_state = 'not_found' WHERE guild_id = ? AND clip_id = ?`)
        .run(clip.guild, clip.clipId);
      markClipHoursDirty(this.db, clip.guild, [clip.clipId]);
    });
    clip.state = 'not_found';
  }

  refreshViews(clip: ModelClip, views: number, observedAt: number): void {
    inTransaction(this.db, () => {
      sqliteClient(this.db)
        .prepare('UPDATE clips SET view_count = ? WHERE guild_id = ? AND clip_id = ?')
        .run(views, clip.guild, clip.clipId);
      sqliteClient(this.db)
        .prepare('INSERT OR REPLACE INTO clip_view_history (clip_id, observed_at, view_count) VALUES (?, ?, ?)')
        .run(clip.clipId, observedAt, views);
      markClipHoursDirty(this.db, clip.guild, [clip.clipId]);
    });
    (clip.meta as ClipMeta).views = views;
    this.history = this.history.filter((h) => !(h.clipId === clip.clipId && h.at === observedAt));
    this.history.push({ clipId: clip.clipId, at: observedAt, views });
  }

  react(message: ModelMessage, emoji: string, user: string, at: number): void {
    const added = inTransaction(this.db, () =>
      recordReactionAddedNow(
        this.db,
        { guildId: message.guild, channelId: message.channel, messageId: message.messageId, emojiKey: emoji, userId: user, at },
        this.now,
      ),
    );
    const key = `${message.messageId}|${emoji}|${user}`;
    const isNew = message.everHadClip && !this.reactions.has(key);
    if (isNew) this.reactions.set(key, { guild: message.guild, messageId: message.messageId, emoji, user, at });
    if (added !== isNew) throw new Error('model and capture disagree on a reaction add');
  }

  unreact(message: ModelMessage, emoji: string, user: string): void {
    inTransaction(this.db, () =>
      recordReactionRemovedNow(
        this.db,
        { guildId: message.guild, channelId: message.channel, messageId: message.messageId, emojiKey: emoji, userId: user, at: this.now },
        this.now,
      ),
    );
    if (!message.everHadClip) return;
    const key = `${message.messageId}|${emoji}|${user}`;
    if (this.reactions.has(key)) this.reactions.delete(key);
    else {
      const baseline = this.baselines.get(`${message.messageId}|${emoji}`);
      if (baseline && baseline.count > 0) baseline.count -= 1;
    }
  }

  /** An export's view of one emoji: some named users, and a count that may be larger. */
  snapshot(message: ModelMessage, emoji: string, users: string[], count: number, at: number): void {
    inTransaction(this.db, () =>
      recordReactionSnapshotNow(
        this.db,
        { guildId: message.guild, channelId: message.channel, messageId: message.messageId, emojiKey: emoji, count, userIds: users, at },
        this.now,
      ),
    );
    if (!message.everHadClip) return;
    for (const user of users) {
      const key = `${message.messageId}|${emoji}|${user}`;
      if (!this.reactions.has(key)) this.reactions.set(key, { guild: message.guild, messageId: message.messageId, emoji, user, at });
    }
    const named = [...this.reactions.values()].filter((x) => x.messageId === message.messageId && x.emoji === emoji).length;
    const anonymous = Math.max(0, count - named);
    const bkey = `${message.messageId}|${emoji}`;
    const existing = this.baselines.get(bkey);
    if (anonymous > 0)
      this.baselines.set(bkey, { guild: message.guild, messageId: message.messageId, emoji, count: anonymous, at: existing?.at ?? at });
    else this.baselines.delete(bkey);
  }

  /** A wave of reactions on random live messages of a guild. */
  reactAtRandom(guild: string, count: number): void {
    const r = this.random;
    const messages = [...this.messages.values()].filter((m) => m.guild === guild);
    for (let i = 0; i < count; i++) {
      const message = r.pick(messages);
      const at = Math.min(this.now - 1000, message.postedAt + r.int(0, 3 * 86_400_000));
      this.react(message, r.pick(['🔥', '😂', 'pog:4242', '👍']), `user${r.int(1, 40)}`, at);
    }
  }

  planned(clip: ModelClip): ClipMeta {
    return (clip as ModelClip & { planned: ClipMeta }).planned;
  }

  get rand(): Random {
    return this.random;
  }
}

// ---------------------------------------------------------------------------------------------------------
// The naive computation. Periods are matched by local calendar dates from Intl, not by instants.

const dateFormatters = new Map<string, Intl.DateTimeFormat>();
const partsCache = new Map<string, { date: string; hour: number; weekday: number }>();
function localParts(timezone: string, at: number): { date: string; hour: number; weekday: number } {
  const cacheKey = `${timezone}|${at}`;
  const cached = partsCache.get(cacheKey);
  if (cached) return cached;
  let f = dateFormatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      hourCycle: 'h23',
      weekday: 'short',
    });
    dateFormatters.set(timezone, f);
  }
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(p.weekday as string);
  const result = { date: `${p.year}-${p.month}-${p.day}`, hour: Number(p.hour), weekday };
  partsCache.set(cacheKey, result);
  return result;
}

function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}
function mondayOf(date: string): string {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return addDays(date, -((day + 6) % 7));
}
function monthOf(date: string): string {
  return date.slice(0, 7);
}
function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return d.toISOString().slice(0, 7);
}

export type NaivePeriod = { type: 'day' | 'week' | 'month' | 'all_time'; offset: number } | { type: 'range'; from: number; to: number };

/** A predicate telling whether an instant is in the period, by its local calendar date. */
export function naiveMembership(period: NaivePeriod, timezone: string, now: number): (at: number) => boolean {
  if (period.type === 'all_time') return () => true;
  if (period.type === 'range') return (at) => at >= period.from && at < period.to;
  const today = localParts(timezone, now).date;
  if (period.type === 'day') {
    const target = addDays(today, -period.offset);
    return (at) => localParts(timezone, at).date === target;
  }
  if (period.type === 'week') {
    const target = addDays(mondayOf(today), -7 * period.offset);
    return (at) => mondayOf(localParts(timezone, at).date) === target;
  }
  const target = addMonths(monthOf(today), -period.offset);
  return (at) => monthOf(localParts(timezone, at).date) === target;
}

export function naivePrevious(period: NaivePeriod): NaivePeriod {
  if (period.type === 'range') return { type: 'range', from: period.from - (period.to - period.from), to: period.from };
  return { type: period.type, offset: period.offset + 1 };
}

/** The first instant of a local date, found by walking minutes. */
export function naiveStartOf(timezone: string, date: string): number {
  let t = Date.parse(`${date}T00:00:00Z`) - 16 * 3_600_000;
  while (localParts(timezone, t).date < date) t += 15 * 60_000;
  while (localParts(timezone, t - 60_000).date === date) t -= 60_000;
  return t;
}

interface Share {
  clip: ModelClip;
  messageId: string;
  postedAt: number;
}

export interface NaiveFacts {
  clips: ModelClip[];
  shares: Share[];
  /** Reaction counts placed in the period, each with the clip it counts for (once per live share). */
  reactions: Array<{ clip: ModelClip; n: number }>;
}

function counts(clip: ModelClip | undefined): clip is ModelClip & { meta: ClipMeta } {
  return clip !== undefined && clip.meta !== null && clip.state !== 'not_found';
}

export class Naive {
  constructor(
    readonly community: Community,
    readonly guild: string,
    readonly timezone: string,
    readonly now: number,
  ) {}

  private live: Share[] | null = null;
  private liveByMessage = new Map<string, Share[]>();
  private factsCache = new Map<string, NaiveFacts>();

  /** The community's live shares; a Naive is built after the community stops changing. */
  liveShares(): Share[] {
    if (this.live) return this.live;
    const out: Share[] = [];
    for (const m of this.community.messages.values()) {
      if (m.guild !== this.guild || m.deleted) continue;
      for (const id of m.clips)
        out.push({
          clip: this.community.clips.get(Community.key(this.guild, id)) as ModelClip,
          messageId: m.messageId,
          postedAt: m.postedAt,
        });
    }
    for (const share of out) this.liveByMessage.set(share.messageId, [...(this.liveByMessage.get(share.messageId) ?? []), share]);
    this.live = out;
    return out;
  }

  periodFacts(period: NaivePeriod): NaiveFacts {
    const key = JSON.stringify(period);
    let f = this.factsCache.get(key);
    if (!f) this.factsCache.set(key, (f = this.facts(naiveMembership(period, this.timezone, this.now))));
    return f;
  }

  facts(inPeriod: (at: number) => boolean): NaiveFacts {
    const clips = this.community.clipsOf(this.guild).filter((c) => counts(c) && inPeriod((c.meta as ClipMeta).createdAt));
    const live = this.liveShares();
    const shares = live.filter((s) => inPeriod(s.postedAt));
    const reactions: Array<{ clip: ModelClip; n: number }> = [];
    for (const r of this.community.reactions.values()) {
      if (r.guild !== this.guild || !inPeriod(r.at)) continue;
      for (const s of this.liveByMessage.get(r.messageId) ?? []) reactions.push({ clip: s.clip, n: 1 });
    }
    for (const b of this.community.baselines.values()) {
      if (b.guild !== this.guild || b.count <= 0 || !inPeriod(b.at)) continue;
      for (const s of this.liveByMessage.get(b.messageId) ?? []) reactions.push({ clip: s.clip, n: b.count });
    }
    return { clips, shares, reactions };
  }

  /**
   * Reactions placed in the period per mood (every live share of the message counts them, counted clip or not), by
   * this model's own reading of the emoji it uses: `moodOf`.
   */
  moodMix(period: NaivePeriod, moodOf: (emoji: string) => string): Record<string, number> {
    const inPeriod = naiveMembership(period, this.timezone, this.now);
    this.liveShares();
    const mix: Record<string, number> = {};
    const add = (messageId: string, emoji: string, n: number): void => {
      for (const _share of this.liveByMessage.get(messageId) ?? []) mix[moodOf(emoji)] = (mix[moodOf(emoji)] ?? 0) + n;
    };
    for (const r of this.community.reactions.values()) if (r.guild === this.guild && inPeriod(r.at)) add(r.messageId, r.emoji, 1);
    for (const b of this.community.baselines.values()) {
      if (b.guild === this.guild && b.count > 0 && inPeriod(b.at)) add(b.messageId, b.emoji, b.count);
    }
    return mix;
  }

  /**
   * The mood mixes of the period's counted clips per creator and per game (Twitch's no-game as ''), as `moodMix` reads
   * the emoji: each a map from id to its non-zero moods.
   */
  moodMixesBy(
    period: NaivePeriod,
    moodOf: (emoji: string) => string,
  ): { creators: Map<string, Record<string, number>>; games: Map<string, Record<string, number>> } {
    const inPeriod = naiveMembership(period, this.timezone, this.now);
    this.liveShares();
    const creators = new Map<string, Record<string, number>>();
    const games = new Map<string, Record<string, number>>();
    const bump = (into: Map<string, Record<string, number>>, id: string, mood: string, n: number): void => {
      const mix = into.get(id) ?? {};
      mix[mood] = (mix[mood] ?? 0) + n;
      into.set(id, mix);
    };
    const add = (messageId: string, emoji: string, n: number): void => {
      for (const share of this.liveByMessage.get(messageId) ?? []) {
        if (!counts(share.clip)) continue;
        bump(creators, share.clip.meta.creatorId, moodOf(emoji), n);
        bump(games, share.clip.meta.gameId ?? '', moodOf(emoji), n);
      }
    };
    for (const r of this.community.reactions.values()) if (r.guild === this.guild && inPeriod(r.at)) add(r.messageId, r.emoji, 1);
    for (const b of this.community.baselines.values()) {
      if (b.guild === this.guild && b.count > 0 && inPeriod(b.at)) add(b.messageId, b.emoji, b.count);
    }
    return { creators, games };
  }

  creatorName(id: string): string {
    const candidates = this.community.clipsOf(this.guild).filter((c) => c.meta && c.meta.creatorId === id);
    candidates.sort((a, b) => (b.meta as ClipMeta).createdAt - (a.meta as ClipMeta).createdAt || (a.clipId < b.clipId ? 1 : -1));
    return (candidates[0]?.meta as ClipMeta).creatorName;
  }

  gameName(id: string): string {
    if (id === '') return 'Unknown game';
    const candidates = this.community.clipsOf(this.guild).filter((c) => c.meta && c.meta.gameId === id && c.meta.gameName);
    candidates.sort((a, b) => (b.meta as ClipMeta).createdAt - (a.meta as ClipMeta).createdAt || (a.clipId < b.clipId ? 1 : -1));
    return (candidates[0]?.meta as ClipMeta).gameName as string;
  }

  overview(period: NaivePeriod) {
    const f = this.periodFacts(period);
    const creators = new Map<string, number>();
    const games = new Map<string, number>();
    for (const c of f.clips) {
      const m = c.meta as ClipMeta;
      creators.set(m.creatorId, (creators.get(m.creatorId) ?? 0) + 1);
      games.set(m.gameId ?? '', (games.get(m.gameId ?? '') ?? 0) + 1);
    }
    const times = f.clips.map((c) => (c.meta as ClipMeta).createdAt);
    const topGame = this.games(period, 'clip_count')[0];
    const topCreator = this.creators(period, 'clip_count')[0];
    return {
      total_clips: f.clips.length,
      total_views: f.clips.reduce((s, c) => s + (c.meta as ClipMeta).views, 0),
      unique_creators: creators.size,
      unique_games: games.size,
      date_range: {
        start: times.length ? new Date(Math.min(...times)).toISOString() : null,
        end: times.length ? new Date(Math.max(...times)).toISOString() : null,
      },
      top_game: f.clips.length && topGame ? { name: topGame.game_name, clip_count: topGame.clip_count } : null,
      top_creator: f.clips.length && topCreator ? { name: topCreator.creator_name, clip_count: topCreator.clip_count } : null,
      discord_shares: f.shares.length,
      discord_reactions: f.reactions.reduce((s, r) => s + r.n, 0),
    };
  }

  creators(period: NaivePeriod, sort: string) {
    const f = this.periodFacts(period);
    const rows = new Map<string, { id: string; clips: ModelClip[]; shares: number; reactions: number }>();
    const row = (id: string) => {
      let r = rows.get(id);
      if (!r) rows.set(id, (r = { id, clips: [], shares: 0, reactions: 0 }));
      return r;
    };
    for (const c of f.clips) row((c.meta as ClipMeta).creatorId).clips.push(c);
    for (const s of f.shares) if (counts(s.clip)) row(s.clip.meta.creatorId).shares += 1;
    for (const r of f.reactions) if (counts(r.clip)) row(r.clip.meta.creatorId).reactions += r.n;
    const out = [...rows.values()].map((r) => {
      const views = r.clips.reduce((s, c) => s + (c.meta as ClipMeta).views, 0);
      const perGame = new Map<string, { n: number; views: number }>();
      for (const c of r.clips) {
        const g = (c.meta as ClipMeta).gameId ?? '';
        const e = perGame.get(g) ?? { n: 0, views: 0 };
        e.n += 1;
        e.views += (c.meta as ClipMeta).views;
        perGame.set(g, e);
      }
      const top = [...perGame.entries()].sort((a, b) => b[1].n - a[1].n || b[1].views - a[1].views || (a[0] < b[0] ? -1 : 1))[0];
      return {
        creator_id: r.id,
        creator_name: this.creatorName(r.id),
        clip_count: r.clips.length,
        total_views: views,
        avg_views: r.clips.length ? Math.round((views / r.clips.length) * 100) / 100 : 0,
        exact_avg: r.clips.length ? views / r.clips.length : 0,
        discord_shares: r.shares,
        discord_reactions: r.reactions,
        unique_games: perGame.size,
        top_game: top ? { id: top[0], name: this.gameName(top[0]) } : null,
      };
    });
    const key = (r: (typeof out)[number]): number =>
      sort === 'avg_views' ? r.exact_avg : ((r as unknown as Record<string, number>)[sort] as number);
    out.sort((a, b) => key(b) - key(a) || b.clip_count - a.clip_count || (a.creator_id < b.creator_id ? -1 : 1));
    return out.map(({ exact_avg: _, ...rest }) => rest);
  }

  games(period: NaivePeriod, sort: string) {
    const f = this.periodFacts(period);
    const rows = new Map<string, { id: string; clips: ModelClip[]; shares: number; reactions: number }>();
    const row = (id: string) => {
      let r = rows.get(id);
      if (!r) rows.set(id, (r = { id, clips: [], shares: 0, reactions: 0 }));
      return r;
    };
    for (const c of f.clips) row((c.meta as ClipMeta).gameId ?? '').clips.push(c);
    for (const s of f.shares) if (counts(s.clip)) row(s.clip.meta.gameId ?? '').shares += 1;
    for (const r of f.reactions) if (counts(r.clip)) row(r.clip.meta.gameId ?? '').reactions += r.n;
    const out = [...rows.values()].map((r) => {
      const views = r.clips.reduce((s, c) => s + (c.meta as ClipMeta).views, 0);
      const top = [...r.clips].sort((a, b) => (b.meta as ClipMeta).views - (a.meta as ClipMeta).views || (a.clipId < b.clipId ? -1 : 1))[0];
      return {
        game_id: r.id,
        game_name: this.gameName(r.id),
        clip_count: r.clips.length,
        total_views: views,
        avg_view_count: r.clips.length ? Math.round((views / r.clips.length) * 100) / 100 : 0,
        exact_avg: r.clips.length ? views / r.clips.length : 0,
        unique_creators: new Set(r.clips.map((c) => (c.meta as ClipMeta).creatorId)).size,
        discord_shares: r.shares,
        discord_reactions: r.reactions,
        top_clip: top ? { id: top.clipId, title: (top.meta as ClipMeta).title, views: (top.meta as ClipMeta).views, url: top.url } : null,
      };
    });
    const key = (r: (typeof out)[number]): number =>
      sort === 'avg_view_count' ? r.exact_avg : ((r as unknown as Record<string, number>)[sort] as number);
    out.sort((a, b) => key(b) - key(a) || b.clip_count - a.clip_count || (a.game_id < b.game_id ? -1 : 1));
    return out.map(({ exact_avg: _, ...rest }) => rest);
  }

  peaks(period: NaivePeriod) {
    const f = this.periodFacts(period);
    const clips = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
    const shares = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
    for (const c of f.clips) {
      const p = localParts(this.timezone, (c.meta as ClipMeta).createdAt);
      (clips[p.weekday] as number[])[p.hour]! += 1;
    }
    for (const s of f.shares) {
      const p = localParts(this.timezone, s.postedAt);
      (shares[p.weekday] as number[])[p.hour]! += 1;
    }
    const byHour = (m: number[][]) => Array.from({ length: 24 }, (_, h) => m.reduce((s, row) => s + (row[h] as number), 0));
    const byDay = (m: number[][]) => m.map((row) => row.reduce((a, b) => a + b, 0));
    const best = (v: number[]) => {
      const max = Math.max(...v);
      return max > 0 ? v.indexOf(max) : null;
    };
    return {
      clips_by_hour: byHour(clips),
      clips_by_weekday: byDay(clips),
      clips_matrix: clips,
      shares_by_hour: byHour(shares),
      shares_by_weekday: byDay(shares),
      shares_matrix: shares,
      best_hour: best(byHour(clips)),
      best_weekday: best(byDay(clips)),
    };
  }

  velocity(clipId: string): number | null {
    const points = this.community.history
      .filter((h) => h.clipId === clipId && h.at > this.now - 86_400_000 && h.at <= this.now)
      .sort((a, b) => a.at - b.at);
    if (points.length < 2) return null;
    const first = points[0] as { at: number; views: number };
    const last = points[points.length - 1] as { at: number; views: number };
    if (last.at - first.at < 30 * 60_000) return null;
    return Math.round(((last.views - first.views) / ((last.at - first.at) / 3_600_000)) * 100) / 100;
  }

  clipAnswer(c: ModelClip) {
    const m = c.meta as ClipMeta;
    const live = this.liveShares().filter((s) => s.clip === c);
    const types: Record<string, number> = {};
    for (const s of live) {
      for (const r of this.community.reactions.values()) if (r.messageId === s.messageId) types[r.emoji] = (types[r.emoji] ?? 0) + 1;
      for (const b of this.community.baselines.values())
        if (b.messageId === s.messageId && b.count > 0) types[b.emoji] = (types[b.emoji] ?? 0) + b.count;
    }
    const entries = Object.entries(types).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const allShares = [...this.community.messages.values()].filter(
      (msg) => msg.guild === this.guild && !msg.deleted && msg.clips.includes(c.clipId),
    );
    return {
      clip_id: c.clipId,
      title: m.title,
      url: c.url,
      creator_id: m.creatorId,
      creator_name: m.creatorName,
      game_id: m.gameId,
      game_name: m.gameName,
      broadcaster_name: m.broadcasterName,
      view_count: m.views,
      discord_shares: live.length,
      discord_reactions: entries.reduce((s, e) => s + e[1], 0),
      reaction_types: Object.fromEntries(entries),
      clip_created_at: new Date(m.createdAt).toISOString(),
      first_shared_at: allShares.length ? new Date(Math.min(...allShares.map((s) => s.postedAt))).toISOString() : null,
      thumbnail_url: m.thumbnail,
      view_velocity: this.velocity(c.clipId),
    };
  }

  viral(period: NaivePeriod, sort: string, minViews: number, limit: number) {
    const inPeriod = naiveMembership(period, this.timezone, this.now);
    const rows = this.community
      .clipsOf(this.guild)
      .filter((c) => counts(c) && inPeriod((c.meta as ClipMeta).createdAt) && (c.meta as ClipMeta).views >= minViews)
      .map((c) => this.clipAnswer(c));
    const id = (a: { clip_id: string }, b: { clip_id: string }) => (a.clip_id < b.clip_id ? -1 : 1);
    if (sort === 'view_count') rows.sort((a, b) => b.view_count - a.view_count || id(a, b));
    else if (sort === 'discord_reactions')
      rows.sort((a, b) => b.discord_reactions - a.discord_reactions || b.view_count - a.view_count || id(a, b));
    else rows.sort((a, b) => (b.view_velocity ?? -Infinity) - (a.view_velocity ?? -Infinity) || b.view_count - a.view_count || id(a, b));
    return rows.slice(0, limit);
  }

  timeline(bucket: 'day' | 'week' | 'month', days: number) {
    const today = localParts(this.timezone, this.now).date;
    const first = addDays(today, -(days - 1));
    const keyOf = (date: string) => (bucket === 'day' ? date : bucket === 'week' ? mondayOf(date) : `${monthOf(date)}-01`);
    const keys: string[] = [];
    for (let d = first; d <= today; d = addDays(d, 1)) if (!keys.includes(keyOf(d))) keys.push(keyOf(d));
    return keys.map((key) => {
      const member = (at: number) => keyOf(localParts(this.timezone, at).date) === key;
      const f = this.facts(member);
      return {
        start: new Date(naiveStartOf(this.timezone, key)).toISOString(),
        date: key,
        clips_created: f.clips.length,
        views: f.clips.reduce((s, c) => s + (c.meta as ClipMeta).views, 0),
        discord_shares: f.shares.length,
        discord_reactions: f.reactions.reduce((s, r) => s + r.n, 0),
      };
    });
  }

  /**
   * The reactions of each timeline bucket (as `timeline` keys them) by mood, every mood present, as `moodMix` reads
   * the emoji: placed on a live share, once per share of the message.
   */
  timelineMoods(
    bucket: 'day' | 'week' | 'month',
    days: number,
    moodOf: (emoji: string) => string,
  ): Array<{ date: string; moods: Record<string, number> }> {
    const today = localParts(this.timezone, this.now).date;
    const first = addDays(today, -(days - 1));
    const keyOf = (date: string) => (bucket === 'day' ? date : bucket === 'week' ? mondayOf(date) : `${monthOf(date)}-01`);
    const out = new Map<string, Record<string, number>>();
    for (let d = first; d <= today; d = addDays(d, 1)) {
      if (!out.has(keyOf(d))) out.set(keyOf(d), { hype: 0, funny: 0, love: 0, wow: 0, sad: 0, negative: 0, other: 0 });
    }
    this.liveShares();
    const add = (messageId: string, at: number, emoji: string, n: number): void => {
      const moods = out.get(keyOf(localParts(this.timezone, at).date));
      if (!moods) return;
      for (const _share of this.liveByMessage.get(messageId) ?? []) moods[moodOf(emoji)] = (moods[moodOf(emoji)] ?? 0) + n;
    };
    for (const r of this.community.reactions.values()) if (r.guild === this.guild) add(r.messageId, r.at, r.emoji, 1);
    for (const b of this.community.baselines.values()) if (b.guild === this.guild && b.count > 0) add(b.messageId, b.at, b.emoji, b.count);
    return [...out].map(([date, moods]) => ({ date, moods }));
  }

  compare(period: NaivePeriod) {
    const a = this.overview(period);
    const b = this.overview(naivePrevious(period));
    const change = (x: number, y: number) => ({
      current: x,
      previous: y,
      change: x - y,
      change_pct: y === 0 ? null : Math.round(((x - y) / y) * 1000) / 10,
    });
    return {
      clips: change(a.total_clips, b.total_clips),
      views: change(a.total_views, b.total_views),
      discord_shares: change(a.discord_shares, b.discord_shares),
      discord_reactions: change(a.discord_reactions, b.discord_reactions),
      unique_creators: change(a.unique_creators, b.unique_creators),
      unique_games: change(a.unique_games, b.unique_games),
    };
  }

  growth(period: NaivePeriod, limit: number, minReactions: number) {
    const o = this.overview(period);
    const avg = o.total_clips ? o.total_views / o.total_clips : 0;
    const games = this.games(period, 'avg_view_count').filter((g) => g.clip_count > 0 && g.game_id !== '');
    const sorted = games.map((g) => g.clip_count).sort((a, b) => a - b);
    const median = sorted.length ? (sorted[Math.floor((sorted.length - 1) / 2)] as number) : 0;
    const underclipped = games
      .filter((g) => g.clip_count <= median && g.total_views / g.clip_count > avg)
      .sort(
        (a, b) =>
          b.total_views / b.clip_count - a.total_views / a.clip_count || a.clip_count - b.clip_count || (a.game_id < b.game_id ? -1 : 1),
      )
      .slice(0, limit);
    const eng = (c: { discord_shares: number; discord_reactions: number; clip_count: number }) =>
      (c.discord_shares + c.discord_reactions) / c.clip_count;
    const engaging = this.creators(period, 'clip_count')
      .filter((c) => c.clip_count > 0 && c.discord_shares + c.discord_reactions > 0)
      .sort((a, b) => eng(b) - eng(a) || b.clip_count - a.clip_count || (a.creator_id < b.creator_id ? -1 : 1))
      .slice(0, limit);
    const inPeriod = naiveMembership(period, this.timezone, this.now);
    const favourites = this.community
      .clipsOf(this.guild)
      .filter((c) => counts(c) && inPeriod((c.meta as ClipMeta).createdAt))
      .map((c) => this.clipAnswer(c))
      .filter((c) => c.discord_reactions >= minReactions)
      .sort(
        (a, b) =>
          b.discord_reactions / Math.max(b.view_count, 1) - a.discord_reactions / Math.max(a.view_count, 1) ||
          b.discord_reactions - a.discord_reactions ||
          (a.clip_id < b.clip_id ? -1 : 1),
      )
      .slice(0, limit);
    return { underclipped_games: underclipped, engaging_creators: engaging, community_favourites: favourites };
  }
}
