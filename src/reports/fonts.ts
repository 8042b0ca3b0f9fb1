// The fonts the report draws with, from npm packages so every machine renders the same (PDF's built-in fonts only
// cover Latin-1, and a server may have no system fonts at all): DejaVu Sans first, then Noto Sans Hans for Han and
// kana and Noto Sans KR for hangul, each run of text in the first face that has its glyphs (ADR 0039).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as fontkit from 'fontkit';

const require = createRequire(import.meta.url);
const dejavuDir = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
// The @embedpdf font packages export only a list of their files (no package.json): the fonts sit beside dist/.
const embedpdfDir = (pkg: string): string => path.join(path.dirname(require.resolve(pkg)), '..', 'fonts');

export type FontWeight = 'regular' | 'bold';

export interface ReportFace {
  /** Short name, unique among the faces (the PDF registers `${id}-${weight}`). */
  id: string;
  /** The family name charts register the face under. */
  family: string;
  files: Readonly<Record<FontWeight, string>>;
}

/** Faces in order of preference. */
export const REPORT_FACES: readonly ReportFace[] = [
  {
    id: 'dejavu',
    family: 'DejaVu Sans',
    files: { regular: path.join(dejavuDir, 'DejaVuSans.ttf'), bold: path.join(dejavuDir, 'DejaVuSans-Bold.ttf') },
  },
  {
    // Noto Sans Hans has all of CJK Unified Ideographs (simplified, traditional, Japanese kanji) and Extension A,
    // kana and CJK punctuation; not hangul.
    id: 'hans',
    family: 'Noto Sans Hans',
    files: {
      regular: path.join(embedpdfDir('@embedpdf/fonts-sc'), 'NotoSansHans-Regular.otf'),
      bold: path.join(embedpdfDir('@embedpdf/fonts-sc'), 'NotoSansHans-Bold.otf'),
    },
  },
  {
    id: 'kr',
    family: 'Noto Sans KR',
    files: {
      regular: path.join(embedpdfDir('@embedpdf/fonts-kr'), 'NotoSansKR-Regular.otf'),
      bold: path.join(embedpdfDir('@embedpdf/fonts-kr'), 'NotoSansKR-Bold.otf'),
    },
  },
];

/** The CSS font list charts draw with: the same faces in the same order, Skia falling back glyph by glyph. */
export const CHART_FONT_FAMILY = REPORT_FACES.map((face) => `"${face.family}"`).join(', ');

/**
 * Documents a parsed font serves before it is parsed again from its bytes: fontkit keeps every glyph (and outline) a
 * document used, so a long-lived process drawing many different CJK names would otherwise hold most of a 30,000-glyph
 * font in memory. Parsing again costs a fraction of a second once per this many reports.
 */
export const FONT_DOCUMENTS = 50;

interface LoadedFont {
  bytes: Buffer;
  font: fontkit.Font;
  documents: number;
}

// Read once per process, and only when a text needs the face (the CJK files are 4–9 MB each; a report in Latin
// script never loads them). Six fonts at most.
const loaded = new Map<string, LoadedFont>();

function parse(bytes: Buffer, file: string): fontkit.Font {
  const parsed = fontkit.create(bytes);
  if (!('hasGlyphForCodePoint' in parsed)) throw new Error(`${file} is a font collection, not one font`);
  return parsed;
}

function load(face: ReportFace, weight: FontWeight): LoadedFont {
  const key = `${face.id}-${weight}`;
  let entry = loaded.get(key);
  if (!entry) {
    const bytes = readFileSync(face.files[weight]);
    entry = { bytes, font: parse(bytes, face.files[weight]), documents: 0 };
    loaded.set(key, entry);
  }
  return entry;
}

/**
 * The face's parsed font for one more document, for pdfkit to embed from (it subsets what the document uses). Handing
 * pdfkit the parsed font rather than the file spares each report parsing the CJK fonts again (their CFF tables are
 * large); every FONT_DOCUMENTS documents it is parsed afresh, dropping the glyphs kept so far.
 */
export function reportFont(face: number, weight: FontWeight): fontkit.Font {
  const spec = REPORT_FACES[face] as ReportFace;
  const entry = load(spec, weight);
  if (entry.documents >= FONT_DOCUMENTS) {
    entry.font = parse(entry.bytes, spec.files[weight]);
    entry.documents = 0;
  }
  entry.documents++;
  return entry.font;
}

/** The face's ascent as a fraction of its size (where pdfkit puts the baseline below a line's top). */
export function ascent(face: number, weight: FontWeight): number {
  const { font } = load(REPORT_FACES[face] as ReportFace, weight);
  return font.ascent / font.unitsPerEm;
}

export interface TextRun {
  /** Index into REPORT_FACES. */
  face: number;
  text: string;
}

// Spaces, joiners, variation selectors and combining marks draw in the face of the text around them, so they never
// split a run by themselves (a combining mark drawn apart from its base would stand alone).
const NEUTRAL = /^(?:[\s\u200b-\u200f\u2060]|\p{M})$/u;

function faceFor(codePoint: number, weight: FontWeight): number {
  for (let i = 0; i < REPORT_FACES.length; i++) {
    if (load(REPORT_FACES[i] as ReportFace, weight).font.hasGlyphForCodePoint(codePoint)) return i;
  }
  // No face has it (most emoji, scripts none of them covers): DejaVu draws its missing-glyph box.
  return 0;
}

/** `text` cut into runs, each in the first face (in REPORT_FACES order) that has its characters. */
export function fontRuns(text: string, weight: FontWeight): TextRun[] {
  const runs: TextRun[] = [];
  let pending = '';
  for (const char of text) {
    const last = runs[runs.length - 1];
    if (NEUTRAL.test(char)) {
      if (last) last.text += char;
      else pending += char;
      continue;
    }
    const face = faceFor(char.codePointAt(0) as number, weight);
    if (last && last.face === face) last.text += char;
    else runs.push({ face, text: `${runs.length === 0 ? pending : ''}${char}` });
  }
  if (runs.length === 0) return text === '' ? [] : [{ face: 0, text }];
  return runs;
}
