// Clip link recognition: every form people paste in Discord, and the look-alikes that must not count.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalClipUrl, extractClipLinks, parseClipUrl } from '../../src/capture/clip-url';

const OLD = 'AwkwardHelplessSalamanderSwiftRage';
const NEW = 'Fancy-Slug_aBcD-12xYz';

// [what, message text, clip ids found (in order)]
const CASES: [string, string, string[]][] = [
  // clips.twitch.tv/SLUG
  ['a clips.twitch.tv link', `https://clips.twitch.tv/${OLD}`, [OLD]],
  ['a modern slug with hyphens and underscores', `https://clips.twitch.tv/${NEW}`, [NEW]],
  ['http instead of https', `http://clips.twitch.tv/${OLD}`, [OLD]],
  ['no scheme', `clips.twitch.tv/${NEW}`, [NEW]],
  ['an upper-case host and scheme', `HTTPS://CLIPS.TWITCH.TV/${OLD}`, [OLD]],
  ['a trailing slash', `https://clips.twitch.tv/${NEW}/`, [NEW]],
  ['a query string', `https://clips.twitch.tv/${NEW}?t=1m2s`, [NEW]],
  ['a fragment', `https://clips.twitch.tv/${NEW}#t=10`, [NEW]],
  ['a slug ending in a hyphen kept whole', 'https://clips.twitch.tv/Slug-abcDEF123_-', ['Slug-abcDEF123_-']],
  ['a percent-encoded hyphen', 'https://clips.twitch.tv/Fancy%2DSlug', ['Fancy-Slug']],
  // embed
  ['an embed link', `https://clips.twitch.tv/embed?clip=${NEW}&parent=example.com`, [NEW]],
  ['an embed link with clip last', `https://clips.twitch.tv/embed?parent=example.com&autoplay=false&clip=${OLD}`, [OLD]],
  ['an embed link without scheme', `clips.twitch.tv/embed?clip=${NEW}`, [NEW]],
  // channel clip pages
  ['a www channel clip page', `https://www.twitch.tv/shroud/clip/${NEW}`, [NEW]],
  ['a channel clip page with the clips filter', `https://www.twitch.tv/shroud/clip/${NEW}?filter=clips&range=7d&sort=time`, [NEW]],
  ['a bare twitch.tv channel clip page', `https://twitch.tv/shroud/clip/${OLD}`, [OLD]],
  ['a bare twitch.tv clip page without scheme', `twitch.tv/shroud/clip/${OLD}`, [OLD]],
  ['a mobile channel clip page', `https://m.twitch.tv/shroud/clip/${NEW}`, [NEW]],
  ['a mobile clip page without channel', `https://m.twitch.tv/clip/${NEW}`, [NEW]],
  ['a mobile clip page with tracking query', `https://m.twitch.tv/clip/${OLD}?tt_content=url&tt_medium=clips_api`, [OLD]],
  ['mixed-case host and path words, slug case kept', `https://WWW.Twitch.TV/Shroud/CLIP/${OLD}`, [OLD]],
  ['query and fragment together', `https://www.twitch.tv/shroud/clip/${NEW}?filter=clips#top`, [NEW]],
  // Discord formatting around links
  ['a link in a sentence', `lol look at this https://clips.twitch.tv/${NEW} so good`, [NEW]],
  ['a full stop after the link', `watch https://clips.twitch.tv/${NEW}.`, [NEW]],
  ['an ellipsis after the link', `watch https://clips.twitch.tv/${NEW}...`, [NEW]],
  ['a unicode ellipsis after the link', `watch https://clips.twitch.tv/${NEW}…`, [NEW]],
  ['exclamation marks after the link', `https://clips.twitch.tv/${NEW}!!`, [NEW]],
  ['a question mark after the link', `did you see https://m.twitch.tv/clip/${OLD}?`, [OLD]],
  ['a link in parentheses', `(https://clips.twitch.tv/${NEW})`, [NEW]],
  ['a suppressed embed <url>', `<https://clips.twitch.tv/${NEW}>`, [NEW]],
  ['a markdown link', `[the play](https://www.twitch.tv/shroud/clip/${NEW}?filter=clips)`, [NEW]],
  ['a markdown link with a suppressed embed', `[the play](<https://clips.twitch.tv/${OLD}>)`, [OLD]],
  ['a spoiler', `||https://clips.twitch.tv/${NEW}||`, [NEW]],
  ['bold', `**https://clips.twitch.tv/${NEW}**`, [NEW]],
  ['strikethrough', `~~https://clips.twitch.tv/${NEW}~~`, [NEW]],
  ['inline code', `\`https://clips.twitch.tv/${NEW}\``, [NEW]],
  ['quotes', `"https://clips.twitch.tv/${NEW}"`, [NEW]],
  [
    'several clips, each once, in order',
    `a https://clips.twitch.tv/One1 b clips.twitch.tv/Two2 c https://m.twitch.tv/clip/One1`,
    ['One1', 'Two2'],
  ],
  [
    'the same clip in every form counts once',
    `https://clips.twitch.tv/${NEW} https://www.twitch.tv/x/clip/${NEW} https://clips.twitch.tv/embed?clip=${NEW}`,
    [NEW],
  ],
  ['links on separate lines', `https://clips.twitch.tv/First1\nhttps://clips.twitch.tv/Second2`, ['First1', 'Second2']],
  ['links separated by a comma only', 'https://clips.twitch.tv/First1,https://clips.twitch.tv/Second2', ['First1', 'Second2']],
  [
    'slugs differing only in case are two clips',
    'https://clips.twitch.tv/CaseSlug https://clips.twitch.tv/caseslug',
    ['CaseSlug', 'caseslug'],
  ],
  // not clips
  ['a look-alike host twitch.tv.example.com', `https://twitch.tv.example.com/shroud/clip/${NEW}`, []],
  ['a look-alike host nottwitch.tv', `https://nottwitch.tv/shroud/clip/${NEW}`, []],
  ['a look-alike clips host clips.twitch.tv.evil.com', `https://clips.twitch.tv.evil.com/${NEW}`, []],
  ['a clip URL as the path of another site', `https://evil.com/https://clips.twitch.tv/${NEW}`, []],
  ['an email address at twitch.tv', `user@twitch.tv/clip/${NEW}`, []],
  ['a VOD', 'https://www.twitch.tv/videos/1234567890', []],
  ['a VOD with a timestamp', 'https://www.twitch.tv/videos/1234567890?t=1h2m3s', []],
  ['a channel page', 'https://www.twitch.tv/shroud', []],
  ['a channel clips listing', 'https://www.twitch.tv/shroud/clips?filter=clips&range=7d', []],
  ['the clips host root', 'https://clips.twitch.tv/', []],
  ['the clip creation page', 'https://clips.twitch.tv/create', []],
  ['an embed link without a clip', 'https://clips.twitch.tv/embed?parent=example.com', []],
  ['a clip editing page', `https://www.twitch.tv/shroud/clip/${NEW}/edit`, []],
  ['another Twitch subdomain', `https://dashboard.twitch.tv/clip/${NEW}`, []],
  ['the player host', `https://player.twitch.tv/?clip=${NEW}`, []],
  ['a one-character slug', 'https://clips.twitch.tv/a', []],
  ['a YouTube link', 'https://www.youtube.com/watch?v=dQw4w9WgXcQ', []],
  ['plain text mentioning twitch.tv', 'follow me on twitch.tv', []],
  ['empty text', '', []],
  // nested markdown (found by the fast-check properties in test/reliability/bad-input.test.ts)
  ['an underlined link', `__https://clips.twitch.tv/${OLD}__`, [OLD]],
  ['a link in bold, underline and strikethrough', `***__~~https://clips.twitch.tv/${OLD}~~__***`, [OLD]],
  ['a link in strikethrough and underline', `~~__https://clips.twitch.tv/${NEW}__~~`, [NEW]],
  ['twitch.tv glued to a word by an underscore', `my_twitch.tv/shroud/clip/${OLD}`, []],
];

describe('extractClipLinks', () => {
  it('has a table of at least 45 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(45);
    expect(CASES.filter(([, , ids]) => ids.length === 0).length).toBeGreaterThanOrEqual(15);
  });

  it.each(CASES)('%s', (_what, text, expected) => {
    const links = extractClipLinks(text);
    expect(links.map((l) => l.clipId)).toEqual(expected);
    for (const link of links) expect(link.url).toBe(canonicalClipUrl(link.clipId));
  });

  it('parses a single URL and rejects anything else', () => {
    expect(parseClipUrl(`  https://clips.twitch.tv/${NEW}  `)).toEqual({ clipId: NEW, url: `https://clips.twitch.tv/${NEW}` });
    expect(parseClipUrl('https://www.twitch.tv/videos/1')).toBeNull();
    expect(parseClipUrl('https://clips.twitch.tv/One1 https://clips.twitch.tv/Two2')).toBeNull();
  });
});

describe('extractClipLinks properties', () => {
  const slug = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{1,40}[A-Za-z0-9]$/);
  const form = fc.constantFrom(
    (s: string) => `https://clips.twitch.tv/${s}`,
    (s: string) => `clips.twitch.tv/${s}`,
    (s: string) => `https://clips.twitch.tv/embed?clip=${s}&parent=x.com`,
    (s: string) => `https://www.twitch.tv/some_channel/clip/${s}?filter=clips&range=7d`,
    (s: string) => `twitch.tv/chan/clip/${s}`,
    (s: string) => `https://m.twitch.tv/clip/${s}`,
    (s: string) => `<https://m.twitch.tv/chan/clip/${s}>`,
    (s: string) => `||https://clips.twitch.tv/${s}||`,
    (s: string) => `[clip](https://clips.twitch.tv/${s})`,
  );

  it('never throws and only returns canonical Twitch clip links, each clip once', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (text) => {
        const links = extractClipLinks(text);
        const ids = links.map((l) => l.clipId);
        expect(new Set(ids).size).toBe(ids.length);
        for (const link of links) {
          expect(link.clipId).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]+$/);
          expect(new URL(link.url).host).toBe('clips.twitch.tv');
        }
      }),
      { numRuns: 500 },
    );
  });

  it('finds every pasted clip whatever the form and the surrounding words', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(slug, form), { minLength: 1, maxLength: 5 }),
        fc.array(fc.constantFrom('lol', 'look', '!!', '→', 'ok.'), { maxLength: 3 }),
        (clips, words) => {
          const text = clips.map(([s, f]) => `${words.join(' ')} ${f(s)} ${words.join(' ')}`).join('\n');
          const expected = [...new Set(clips.map(([s]) => s))];
          expect(extractClipLinks(text).map((l) => l.clipId)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds nothing on hosts that merely look like Twitch', () => {
    fc.assert(
      fc.property(
        slug,
        fc.constantFrom('not', 'my-', 'x.', 'twitch.tv.', 'clips-'),
        fc.constantFrom('', '.example.com', '.evil', 'x'),
        (s, prefix, suffix) => {
          const host = prefix === 'x.' ? `twitch.tv${suffix}` : `${prefix}twitch.tv${suffix}`;
          if (host === 'twitch.tv') return;
          expect(extractClipLinks(`https://${host}/chan/clip/${s} https://${host.replace('twitch.tv', 'clips.twitch.tv')}/${s}`)).toEqual(
            [],
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
