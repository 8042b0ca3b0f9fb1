// Which mood a reaction emoji expresses: the default table (docs/moods.md), the normalisation that lets a custom emoji
// match by name, and a guild's overrides on top. Pure: the aggregation and the reads both map through it.
import { createHash } from 'node:crypto';

export const MOODS = ['hype', 'funny', 'love', 'wow', 'sad', 'negative', 'other'] as const;
export type Mood = (typeof MOODS)[number];

/**
 * Bumped whenever DEFAULT_MOODS or moodKey change: summaries built under another version are rebuilt (it is part of
 * moodSignature), so a new default never leaves old counts behind.
 */
export const MOOD_TABLE_VERSION = 1;

/** How many overrides a guild may keep (each one is a row and a part of every mapping). */
export const MAX_MOOD_OVERRIDES = 200;
/** Longest emoji text an override accepts (a custom emoji's name is at most 32 characters). */
export const MAX_MOOD_EMOJI_LENGTH = 64;

// Unicode emoji by mood. Skin tones and the emoji variation selector are stripped before the lookup.
const UNICODE: Record<Exclude<Mood, 'other'>, string> = {
  hype: '🔥 🚀 💯 ⚡ 🎉 🙌 👏 💪 🏆 🐐 🤩 🥳 👑 ✅ 😤',
  funny: '😂 🤣 😆 😹 😅 💀 ☠ 🤡 😝 😜 😛 🙃',
  love: '❤ 😍 🥰 💖 💕 💗 💓 💞 💘 💜 💙 💚 💛 🧡 🖤 🤍 🩷 ♥ 😘 🫶 🤗 ☺ 😊',
  wow: '😮 😲 😯 😱 🤯 👀 😳 🫢 😵 🙀 ‼ ❗ ⁉',
  sad: '😢 😭 😞 😔 😟 🥺 😿 💔 😥 😓 🥲',
  negative: '👎 😡 😠 🤬 🤮 🤢 💩 🙄 😒 🗑 😑 😐 🥱 😴 🤨',
};

// Twitch-culture custom emoji (Twitch globals, BTTV and 7TV favourites) by normalised name (see moodKey).
const NAMES: Record<Exclude<Mood, 'other'>, string> = {
  hype: 'pog pogchamp poggers pogu poggies pogey pogo pogslide pogpog hypers hype letsgo letsgoo gigachad ez clap ezclap catjam pepejam',
  funny: 'kekw lul lulw omegalul kek kekl lol lmao icant pepelaugh 4head kappa dead haha xd',
  love: 'love heart hearts peepoheart peepohearts peepolove widepeepohappy bloodtrail ily pepelove',
  wow: 'wow monkas monkaw monkaomega pausechamp woah wowee omg',
  sad: 'biblethump sadge pepehands feelsbadman peeposad sadcat cry crying feelsstrongman',
  negative: 'residentsleeper wutface notlikethis dansgame weirdchamp cringe babyrage smh swiftrage pepega',
};

function buildDefaults(): ReadonlyMap<string, Mood> {
  const table = new Map<string, Mood>();
  for (const mood of MOODS) {
    if (mood === 'other') continue;
    for (const emoji of UNICODE[mood].split(' ')) table.set(`emoji:${unicodeKey(emoji)}`, mood);
    for (const name of NAMES[mood].split(' ')) table.set(`name:${nameKey(name)}`, mood);
  }
  return table;
}

// Skin tones (U+1F3FB–U+1F3FF) and variation selectors (U+FE0E, U+FE0F): 👍🏽 is 👍, ❤️ is ❤.
const UNICODE_NOISE = /[\u{1F3FB}-\u{1F3FF}\uFE0E\uFE0F]/gu;

function unicodeKey(emoji: string): string {
  return emoji.replace(UNICODE_NOISE, '');
}

/**
 * A custom emoji's name as the table knows it: lower case, without `_`, `-` and trailing digits, so `KEKW`, `kekw`,
 * `KEKW_2` and `Kekw1` all match `kekw` (servers upload copies under such names).
 */
function nameKey(name: string): string {
  return name
    .toLowerCase()
    .replace(/[_\-.~]/g, '')
    .replace(/\d+$/, '');
}

/** A custom emoji as stored (`name:id`) or written in a message (`<:name:id>`, `<a:name:id>`). */
const CUSTOM_STORED = /^([A-Za-z0-9_~.-]{1,64}):\d{1,25}$/;
const CUSTOM_MESSAGE = /^<a?:([A-Za-z0-9_~.-]{1,64}):\d{1,25}>$/;
/** A bare name, as an admin may type it (`KEKW`, `:KEKW:`). */
const CUSTOM_NAME = /^:?([A-Za-z0-9_~.-]{1,64}):?$/;

/**
 * The key an emoji is looked up and overridden by: `name:<normalised name>` for a custom emoji (stored `name:id`
 * reaction keys, message syntax or a bare name), `emoji:<character>` for unicode.
 */
export function moodKey(emoji: string): string {
  const text = emoji.trim();
  const custom = CUSTOM_STORED.exec(text) ?? CUSTOM_MESSAGE.exec(text) ?? CUSTOM_NAME.exec(text);
  if (custom) return `name:${nameKey(custom[1] as string)}`;
  return `emoji:${unicodeKey(text)}`;
}

const DEFAULT_MOODS: ReadonlyMap<string, Mood> = buildDefaults();

/** The default mood of an emoji (any form moodKey takes). */
export function defaultMood(emoji: string): Mood {
  return DEFAULT_MOODS.get(moodKey(emoji)) ?? 'other';
}

/** A guild's override: the key (moodKey) and the mood it maps to. */
export interface MoodOverride {
  emoji: string;
  mood: Mood;
}

/** Maps emoji to moods for one guild: its overrides first, then the default table. */
export interface MoodMapping {
  moodOf(emojiKey: string): Mood;
  /** Changes whenever the mapping's answers may change (overrides or the default table). */
  readonly signature: string;
}

export function moodMapping(overrides: readonly MoodOverride[]): MoodMapping {
  const byKey = new Map(overrides.map((o) => [o.emoji, o.mood]));
  // Reactions repeat a handful of emoji many times: remember each key's mood (bounded by the distinct emoji seen).
  const cache = new Map<string, Mood>();
  return {
    signature: moodSignature(overrides),
    moodOf(emojiKey: string): Mood {
      let mood = cache.get(emojiKey);
      if (mood === undefined) {
        const key = moodKey(emojiKey);
        mood = byKey.get(key) ?? DEFAULT_MOODS.get(key) ?? 'other';
        if (cache.size < 10_000) cache.set(emojiKey, mood);
      }
      return mood;
    },
  };
}

/** The identity of a mapping: the table's version and the overrides, in key order. */
export function moodSignature(overrides: readonly MoodOverride[]): string {
  const text = [...overrides]
    .sort((a, b) => (a.emoji < b.emoji ? -1 : a.emoji > b.emoji ? 1 : 0))
    .map((o) => `${o.emoji}=${o.mood}`)
    .join('\n');
  return `v${MOOD_TABLE_VERSION}:${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
}

/** How a key reads in a list: the unicode character, or `:name:` for a custom emoji's normalised name. */
export function moodKeyLabel(key: string): string {
  return key.startsWith('name:') ? `:${key.slice(5)}:` : key.slice(6);
}

/** Counts per mood, every mood present. */
export type MoodCounts = Record<Mood, number>;

export function emptyMoodCounts(): MoodCounts {
  return { hype: 0, funny: 0, love: 0, wow: 0, sad: 0, negative: 0, other: 0 };
}
