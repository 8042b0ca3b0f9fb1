// Which reactions count toward the hall of fame (docs/hall-of-fame.md): the chosen emojis (or all), never a bot's,
// the sharer's own only with self_reactions. Pure: the reposter feeds it what capture recorded.
import type { EmojiTally, HallOfFameSettings, MessageReactors } from '../db/stores/hall-of-fame';

/** A message's counted reactions, in total and per emoji (most first). */
export interface ReactionCount {
  total: number;
  byEmoji: Array<{ emojiKey: string; count: number }>;
}

export type CountRules = Pick<HallOfFameSettings, 'emojis' | 'selfReactions'>;

const counts = (rules: CountRules, emojiKey: string): boolean => rules.emojis.length === 0 || rules.emojis.includes(emojiKey);

/**
 * The exact count: named reactors except bots (and the sharer unless self reactions count), plus the reactions known
 * only as a number (an export without users, a fetched message's counts), whose reactors are unknown and so counted.
 */
export function countReactions(
  reactors: MessageReactors,
  rules: CountRules,
  authorId: string,
  isBot: (userId: string) => boolean,
): ReactionCount {
  const byEmoji = new Map<string, number>();
  const add = (emojiKey: string, n: number): void => {
    if (n > 0 && counts(rules, emojiKey)) byEmoji.set(emojiKey, (byEmoji.get(emojiKey) ?? 0) + n);
  };
  for (const r of reactors.named) {
    if (isBot(r.userId) || (!rules.selfReactions && r.userId === authorId)) continue;
    add(r.emojiKey, 1);
  }
  for (const a of reactors.anonymous) add(a.emojiKey, a.count);
  const list = [...byEmoji].map(([emojiKey, count]) => ({ emojiKey, count }));
  list.sort((a, b) => b.count - a.count || (a.emojiKey < b.emojiKey ? -1 : 1));
  return { total: list.reduce((s, e) => s + e.count, 0), byEmoji: list };
}

/** Per message, the most its count can be (bots are not known in the tallies): only these are read whole. */
export function upperBounds(tallies: readonly EmojiTally[], rules: CountRules): Map<string, number> {
  const bounds = new Map<string, number>();
  for (const t of tallies) {
    if (!counts(rules, t.emojiKey)) continue;
    bounds.set(t.messageId, (bounds.get(t.messageId) ?? 0) + t.named + t.anonymous);
  }
  return bounds;
}
