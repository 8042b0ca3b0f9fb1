// Finds Twitch clip links in free text (Discord messages, embeds, exports). Pure: no I/O, never throws.

export interface ClipLink {
  /** The clip slug, case preserved (Twitch clip ids are case-sensitive). */
  clipId: string;
  /** The canonical link, https://clips.twitch.tv/<slug>. */
  url: string;
}

/** Longest text we scan; Discord caps a message at 4,000 characters, embeds add a few thousand. */
export const MAX_SCANNED_LENGTH = 100_000;

const SLUG = /^[A-Za-z0-9][A-Za-z0-9_-]{1,99}$/;
const TWITCH_HOSTS = new Set(['twitch.tv', 'www.twitch.tv', 'm.twitch.tv', 'clips.twitch.tv']);
// First path segments of clips.twitch.tv that are pages, not clips.
const CLIPS_HOST_PAGES = new Set(['embed', 'create', 'api', 'login', 'signup', 'directory']);

// A host ending in twitch.tv that is not itself part of a longer name on either side:
// rejects nottwitch.tv and twitch.tv.example.com, accepts a sentence ending in "twitch.tv/x/clip/y.".
// A comma ends the link, so "clips.twitch.tv/A,clips.twitch.tv/B" is two clips (slugs never hold commas).
const CANDIDATE =
  /(?<![\w.@/-])(?:https?:\/\/)?((?:[a-z0-9-]+\.)*twitch\.tv)(?![\w-]|\.[a-z0-9])(\/[^\s<>|()[\]{}"'`\\,]*)?/gi;

/** Every clip link in the text, each clip once, in order of first appearance. */
export function extractClipLinks(text: string): ClipLink[] {
  if (typeof text !== 'string' || text.length === 0) return [];
  const scanned = text.length > MAX_SCANNED_LENGTH ? text.slice(0, MAX_SCANNED_LENGTH) : text;
  const found = new Map<string, ClipLink>();
  for (const match of scanned.matchAll(CANDIDATE)) {
    const host = match[1]?.toLowerCase() ?? '';
    const rest = match[2] ?? '';
    if (!TWITCH_HOSTS.has(host) || rest === '') continue;
    const clipId = clipIdFromPath(host, rest);
    if (clipId && !found.has(clipId)) found.set(clipId, { clipId, url: canonicalClipUrl(clipId) });
  }
  return [...found.values()];
}

/** The clip id of a single link, or null if it is not a Twitch clip link. */
export function parseClipUrl(url: string): ClipLink | null {
  const links = extractClipLinks(url.trim());
  return links.length === 1 && links[0] ? links[0] : null;
}

export function canonicalClipUrl(clipId: string): string {
  return `https://clips.twitch.tv/${clipId}`;
}

function clipIdFromPath(host: string, pathAndQuery: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(`https://${host}${pathAndQuery}`);
  } catch {
    return null;
  }
  const segments = parsed.pathname
    .split('/')
    .filter((s) => s !== '')
    .map(safeDecode);
  if (host === 'clips.twitch.tv') {
    const first = segments[0];
    if (first === undefined) return null;
    if (first.toLowerCase() === 'embed') return validSlug(parsed.searchParams.get('clip'));
    if (segments.length !== 1 || CLIPS_HOST_PAGES.has(first.toLowerCase())) return null;
    return validSlug(first);
  }
  // twitch.tv/<channel>/clip/<slug> and m.twitch.tv/clip/<slug>
  if (segments.length === 3 && segments[1]?.toLowerCase() === 'clip') return validSlug(segments[2]);
  if (segments.length === 2 && segments[0]?.toLowerCase() === 'clip') return validSlug(segments[1]);
  return null;
}

function validSlug(candidate: string | null | undefined): string | null {
  if (!candidate) return null;
  // Trailing punctuation from prose or markdown ("…/clip/Slug." "**url**" "Slug…") is not part of the slug.
  const trimmed = candidate.replace(/[^A-Za-z0-9_-]+$/, '');
  return SLUG.test(trimmed) ? trimmed : null;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
