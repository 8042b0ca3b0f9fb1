// Discord's embed limits, and the text helpers that keep every embed inside them: escaping user text so that
// a clip title or a user name can neither ping anyone nor break formatting, and truncating with an ellipsis.
import type { APIEmbed, APIEmbedField } from 'discord.js';

export const EMBED_LIMITS = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  /** Across every embed of one message. */
  total: 6000,
  embedsPerMessage: 10,
} as const;

/** Message content limit. */
export const CONTENT_LIMIT = 2000;

export const ELLIPSIS = '…';

/** Mentions are never resolved in what Clipscope sends, whatever the text says. */
export const NO_MENTIONS = { parse: [] as never[] };

/**
 * Cuts text to at most `max` UTF-16 units (Discord counts code points, so this is on the safe side), ending
 * with an ellipsis when something was cut. Never splits a surrogate pair or leaves a dangling escape backslash.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  if (max === 1) return ELLIPSIS;
  let end = max - ELLIPSIS.length;
  // Do not split an emoji or other astral character in half.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  let cut = text.slice(0, end);
  // An odd run of trailing backslashes would escape the ellipsis (and show a stray backslash).
  const trailing = /\\+$/.exec(cut)?.[0].length ?? 0;
  if (trailing % 2 === 1) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}${ELLIPSIS}`;
}

// Characters Discord's markdown gives a meaning to anywhere in a line; any escaped punctuation renders as itself.
const INLINE_MARKDOWN = /[\\*_~`|[\]()<>]/g;

/**
 * Makes user-controlled text (clip titles, user, game and channel names) display literally: markdown is
 * escaped, line breaks become spaces, and mentions (@everyone, @here, <@id>, <#id>, <@&id>) cannot resolve.
 */
export function escapeText(text: string): string {
  const oneLine = text
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
  let escaped = oneLine.replace(INLINE_MARKDOWN, '\\$&');
  // @everyone / @here: a zero-width space breaks the mention without changing what people read.
  escaped = escaped.replace(/@(everyone|here)/gi, '@\u200b$1');
  // Line-start markdown (headings, quotes, lists) only matters at the start of the text.
  escaped = escaped.replace(/^([#>-])/, '\\$1').replace(/^(\d+)\./, '$1\\.');
  return escaped;
}

/** Escapes then truncates to `max`, so the result is both safe and within the limit. */
export function safeText(text: string, max: number): string {
  return truncate(escapeText(text), max);
}

/** A masked link `[text](url)` whose text is escaped and whose whole length stays within `max`. */
export function link(text: string, url: string, max: number = EMBED_LIMITS.fieldValue): string {
  const safeUrl = encodeURI(decodeURISafe(url)).replace(/\(/g, '%28').replace(/\)/g, '%29');
  const room = max - safeUrl.length - 4;
  if (room < 8) return safeText(text, max);
  return `[${safeText(text, room)}](${safeUrl})`;
}

function decodeURISafe(url: string): string {
  try {
    return decodeURI(url);
  } catch {
    return url;
  }
}

/** Characters of one embed that count toward the 6000 total. */
export function embedLength(embed: APIEmbed): number {
  let n = (embed.title?.length ?? 0) + (embed.description?.length ?? 0);
  n += (embed.footer?.text.length ?? 0) + (embed.author?.name.length ?? 0);
  for (const field of embed.fields ?? []) n += field.name.length + field.value.length;
  return n;
}

/**
 * Returns a copy of the embed that Discord will accept: every part cut to its limit, at most 25 fields,
 * empty field names or values replaced (Discord rejects them), and the total brought under `totalBudget`
 * by shortening the description and then dropping trailing fields (the footer says how many were left out).
 */
export function fitEmbed(embed: APIEmbed, totalBudget: number = EMBED_LIMITS.total): APIEmbed {
  const out: APIEmbed = { ...embed };
  if (out.title !== undefined) out.title = truncate(out.title, EMBED_LIMITS.title);
  if (out.description !== undefined) out.description = truncate(out.description, EMBED_LIMITS.description);
  if (out.author) out.author = { ...out.author, name: truncate(out.author.name, EMBED_LIMITS.author) };
  if (out.footer) out.footer = { ...out.footer, text: truncate(out.footer.text, EMBED_LIMITS.footer) };
  let fields: APIEmbedField[] = (out.fields ?? []).map((f) => ({
    ...f,
    name: truncate(f.name.trim() === '' ? '\u200b' : f.name, EMBED_LIMITS.fieldName),
    value: truncate(f.value.trim() === '' ? '\u200b' : f.value, EMBED_LIMITS.fieldValue),
  }));
  let dropped = Math.max(0, fields.length - EMBED_LIMITS.fields);
  fields = fields.slice(0, EMBED_LIMITS.fields);
  if (out.fields) out.fields = fields;

  const footerNote = (): string => `${dropped} more not shown`;
  const withNote = (): APIEmbed => {
    if (dropped === 0) return out;
    const base = embed.footer?.text ? `${embed.footer.text} · ` : '';
    return { ...out, footer: { ...(embed.footer ?? {}), text: truncate(`${base}${footerNote()}`, EMBED_LIMITS.footer) } };
  };

  let result = withNote();
  let excess = embedLength(result) - totalBudget;
  if (excess > 0 && out.description !== undefined) {
    const keep = Math.max(0, out.description.length - excess);
    out.description = keep > 0 ? truncate(out.description, keep) : undefined;
    if (out.description === undefined) delete out.description;
    result = withNote();
    excess = embedLength(result) - totalBudget;
  }
  while (excess > 0 && fields.length > 0) {
    fields = fields.slice(0, -1);
    out.fields = fields;
    dropped += 1;
    result = withNote();
    excess = embedLength(result) - totalBudget;
  }
  if (excess > 0) {
    // Only the title, author and footer are left, each within its own limit; cut the footer last.
    if (result.footer)
      result.footer = { ...result.footer, text: truncate(result.footer.text, Math.max(1, result.footer.text.length - excess)) };
  }
  return result;
}

/** Fits several embeds of one message into the 6000-character total, in order (later embeds get what is left). */
export function fitEmbeds(embeds: APIEmbed[]): APIEmbed[] {
  const out: APIEmbed[] = [];
  let budget: number = EMBED_LIMITS.total;
  for (const embed of embeds.slice(0, EMBED_LIMITS.embedsPerMessage)) {
    if (budget <= 0) break;
    const fitted = fitEmbed(embed, budget);
    budget -= embedLength(fitted);
    out.push(fitted);
  }
  return out;
}
