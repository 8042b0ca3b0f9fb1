import { describe, expect, it } from 'vitest';
import type { APIEmbed } from 'discord.js';
import { EMBED_LIMITS, embedLength, escapeText, fitEmbed, fitEmbeds, link, safeText, truncate } from '../../../src/discord/embeds/limits';
import { timelineEmbed } from '../../../src/discord/embeds/clipstats';

describe('truncate', () => {
  it('leaves text within the limit untouched', () => {
    expect(truncate('hello', 5)).toBe('hello');
  });

  it('cuts long text to exactly the limit, ending with an ellipsis', () => {
    const out = truncate('a'.repeat(300), 256);
    expect(out).toHaveLength(256);
    expect(out.endsWith('…')).toBe(true);
  });

  it('never splits an emoji in half', () => {
    const out = truncate(`${'a'.repeat(8)}😂😂😂`, 10);
    expect(out).toBe('aaaaaaaa…');
    expect(out.length).toBeLessThanOrEqual(10);
  });

  it('never leaves a lone escape backslash that would swallow the ellipsis', () => {
    const out = truncate('abc\\*def', 5);
    expect(out).toBe('abc…');
  });
});

describe('escapeText', () => {
  it('shows markdown characters literally', () => {
    expect(escapeText('**bold** _it_ ~~s~~ `code` ||spoiler||')).toBe(
      '\\*\\*bold\\*\\* \\_it\\_ \\~\\~s\\~\\~ \\`code\\` \\|\\|spoiler\\|\\|',
    );
  });

  it('breaks @everyone and @here so they can never ping', () => {
    const out = escapeText('hey @everyone and @here');
    expect(out).not.toMatch(/@everyone|@here/);
    expect(out).toBe('hey @\u200beveryone and @\u200bhere');
  });

  it('neutralises user, role and channel mentions', () => {
    expect(escapeText('<@123> <@&456> <#789>')).toBe('\\<@123\\> \\<@&456\\> \\<#789\\>');
  });

  it('puts a title with line breaks and a heading marker on one plain line', () => {
    expect(escapeText('# Big\n> quote\r\nline')).toBe('\\# Big \\> quote line');
  });

  it('keeps masked links from being faked', () => {
    expect(escapeText('[free nitro](https://evil.example)')).toBe('\\[free nitro\\]\\(https://evil.example\\)');
  });
});

describe('safeText and link', () => {
  it('escapes before truncating so the result is both safe and within the limit', () => {
    const out = safeText('*'.repeat(100), 51);
    expect(out.length).toBeLessThanOrEqual(51);
    expect(out).toMatch(/^(\\\*)+…$/);
  });

  it('builds a masked link whose whole length fits', () => {
    const out = link('x'.repeat(2000), 'https://clips.twitch.tv/Slug', 200);
    expect(out.length).toBeLessThanOrEqual(200);
    expect(out).toMatch(/^\[x+…\]\(https:\/\/clips\.twitch\.tv\/Slug\)$/);
  });

  it('keeps parentheses in a URL from ending the link early', () => {
    expect(link('t', 'https://example.com/a_(b)')).toBe('[t](https://example.com/a_%28b%29)');
  });
});

describe('fitEmbed', () => {
  const huge = (n: number): string => 'x'.repeat(n);

  it('cuts every part to its own limit', () => {
    const fitted = fitEmbed({
      title: huge(300),
      description: huge(5000),
      author: { name: huge(300) },
      footer: { text: huge(3000) },
      fields: [{ name: huge(300), value: huge(2000) }],
    });
    expect(fitted.title).toHaveLength(EMBED_LIMITS.title);
    expect(fitted.author?.name).toHaveLength(EMBED_LIMITS.author);
    expect(fitted.fields?.[0]?.name).toHaveLength(EMBED_LIMITS.fieldName);
    expect(fitted.fields?.[0]?.value).toHaveLength(EMBED_LIMITS.fieldValue);
    expect(embedLength(fitted)).toBeLessThanOrEqual(EMBED_LIMITS.total);
  });

  it('keeps at most 25 fields and says how many were left out', () => {
    const fields = Array.from({ length: 30 }, (_, i) => ({ name: `f${i}`, value: 'v' }));
    const fitted = fitEmbed({ title: 't', fields, footer: { text: 'Clipscope' } });
    expect(fitted.fields).toHaveLength(25);
    expect(fitted.footer?.text).toBe('Clipscope · 5 more not shown');
  });

  it('brings the total under 6000 by shortening the description, then dropping trailing fields', () => {
    const fields = Array.from({ length: 10 }, (_, i) => ({ name: `field ${i}`, value: huge(1000) }));
    const fitted = fitEmbed({ title: 'Leaderboard', description: huge(4000), fields });
    expect(embedLength(fitted)).toBeLessThanOrEqual(EMBED_LIMITS.total);
    expect(fitted.description).toBeUndefined();
    expect(fitted.fields?.length).toBe(5);
    expect(fitted.footer?.text).toBe('5 more not shown');
  });

  it('replaces empty field names and values, which Discord rejects', () => {
    const fitted = fitEmbed({ fields: [{ name: '', value: ' ' }] });
    expect(fitted.fields?.[0]).toEqual({ name: '\u200b', value: '\u200b' });
  });

  it('leaves a small embed exactly as it was', () => {
    const embed: APIEmbed = {
      title: 'a',
      description: 'b',
      color: 1,
      fields: [{ name: 'c', value: 'd', inline: true }],
      footer: { text: 'e' },
    };
    expect(fitEmbed(embed)).toEqual(embed);
  });
});

describe('fitEmbeds', () => {
  it('shares the 6000 characters between the embeds of one message', () => {
    const embeds = [{ description: 'x'.repeat(4000) }, { description: 'y'.repeat(4000) }, { description: 'z' }];
    const fitted = fitEmbeds(embeds);
    const total = fitted.reduce((n, e) => n + embedLength(e), 0);
    expect(total).toBeLessThanOrEqual(EMBED_LIMITS.total);
    expect(fitted[0]?.description).toHaveLength(4000);
  });
});

describe('the timeline embed with moods', () => {
  it('keeps its whole table and mood line within the limits at its largest (3660 buckets, every mood in the millions)', () => {
    const moods = {
      hype: 9_876_543,
      funny: 8_765_432,
      love: 7_654_321,
      wow: 6_543_210,
      sad: 5_432_109,
      negative: 4_321_098,
      other: 3_210_987,
    };
    const buckets = Array.from({ length: 3660 }, (_, i) => ({
      start: new Date(Date.UTC(2017, 0, 1) + i * 86_400_000).toISOString(),
      date: new Date(Date.UTC(2017, 0, 1) + i * 86_400_000).toISOString().slice(0, 10),
      clips_created: 99_999,
      views: 987_654_321,
      discord_shares: 999_999,
      discord_reactions: 45_802_700,
      moods,
    }));
    const embed = timelineEmbed({
      bucket: 'day',
      days: 3660,
      timezone: 'America/Argentina/ComodRivadavia',
      buckets,
      mood_source: 'summaries',
    });
    expect(embedLength(embed)).toBeLessThanOrEqual(EMBED_LIMITS.total);
    expect(embed.description?.length).toBeLessThanOrEqual(EMBED_LIMITS.description);
    // Nothing was cut: the mood line, and the table's 14 rows each with its three leading moods.
    expect(embed.description).toContain('**Reactions by mood** 🔥 hype ');
    expect(embed.description?.endsWith('```')).toBe(true);
    expect(embed.description?.match(/🔥9\.9M 😂8\.8M ❤️7\.7M\n/g)?.length).toBe(14);
  });
});
