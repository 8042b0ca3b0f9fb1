// What /clipscope-admin moods asks of a guild's mood overrides (presentation never holds the database): list, set
// and reset, each keyed as the mood table keys an emoji (moods-table.ts moodKey), so `<:KEKW:1>`, `:KEKW:` and
// `kekw` name the same override.
import { z } from 'zod';
import type { Clock } from '../clock';
import type { Db } from '../db/database';
import { listMoodOverrides, resetMoodOverride, setMoodOverride } from '../db/stores/mood-overrides';
import { defaultMood, MAX_MOOD_EMOJI_LENGTH, MAX_MOOD_OVERRIDES, MOODS, moodKey, moodKeyLabel, type Mood } from './moods-table';

/** An emoji as a manager types it (the service normalises it further); shared by the slash command and the dashboard. */
export const moodEmojiInput = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(MAX_MOOD_EMOJI_LENGTH, `at most ${MAX_MOOD_EMOJI_LENGTH} characters`);
export const moodSetInput = z.object({ emoji: moodEmojiInput, mood: z.enum(MOODS) }).strict();
export const moodResetInput = z.object({ emoji: moodEmojiInput }).strict();

export interface MoodOverrideEntry {
  /** How the emoji reads: the character, or `:name:` for a custom emoji's normalised name. */
  emoji: string;
  mood: Mood;
  /** What the default table says (docs/moods.md). */
  defaultMood: Mood;
  updatedAt: number;
  updatedBy: string;
}

export type MoodOverrideResult =
  | { ok: true; emoji: string; mood: Mood; defaultMood: Mood }
  | { ok: false; reason: 'empty' | 'too_long' | 'too_many' | 'not_overridden'; emoji: string };

export interface MoodAdmin {
  list(guildId: string): Promise<MoodOverrideEntry[]>;
  /** Overrides one emoji's mood (a unicode emoji, `<:name:id>`, `:name:` or a bare custom emoji name). */
  set(guildId: string, emoji: string, mood: Mood, by: string): Promise<MoodOverrideResult>;
  /** Back to the default table. */
  reset(guildId: string, emoji: string): Promise<MoodOverrideResult>;
}

function keyOf(text: string): { key: string; label: string } | { reason: 'empty' | 'too_long' } {
  const trimmed = text.trim();
  if (trimmed === '') return { reason: 'empty' };
  if (trimmed.length > MAX_MOOD_EMOJI_LENGTH) return { reason: 'too_long' };
  const key = moodKey(trimmed);
  return { key, label: moodKeyLabel(key) };
}

export function createMoodAdmin(deps: { db: Db; clock: Clock }): MoodAdmin {
  const { db, clock } = deps;
  const known = new Set<string>(MOODS);
  return {
    async list(guildId) {
      const rows = await listMoodOverrides(db, guildId, MAX_MOOD_OVERRIDES);
      return rows
        .filter((r) => known.has(r.mood))
        .map((r) => ({
          emoji: moodKeyLabel(r.emoji),
          mood: r.mood as Mood,
          defaultMood: defaultMood(moodKeyLabel(r.emoji)),
          updatedAt: Number(r.updated_at),
          updatedBy: r.updated_by,
        }));
    },
    async set(guildId, emoji, mood, by) {
      const k = keyOf(emoji);
      if ('reason' in k) return { ok: false, reason: k.reason, emoji };
      const outcome = await setMoodOverride(db, guildId, { emoji: k.key, mood, by, now: clock.now() }, MAX_MOOD_OVERRIDES);
      if (outcome === 'full') return { ok: false, reason: 'too_many', emoji: k.label };
      return { ok: true, emoji: k.label, mood, defaultMood: defaultMood(k.label) };
    },
    async reset(guildId, emoji) {
      const k = keyOf(emoji);
      if ('reason' in k) return { ok: false, reason: k.reason, emoji };
      if (!(await resetMoodOverride(db, guildId, k.key))) return { ok: false, reason: 'not_overridden', emoji: k.label };
      const mood = defaultMood(k.label);
      return { ok: true, emoji: k.label, mood, defaultMood: mood };
    },
  };
}
