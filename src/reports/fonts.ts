// The fonts the report draws with: DejaVu Sans from the dejavu-fonts-ttf package, so names in any script render the
// same on every machine (PDF's built-in fonts only cover Latin-1, and a server may have no system fonts at all).
import { createRequire } from 'node:module';
import path from 'node:path';

const fontDir = path.join(path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');

export const REPORT_FONTS = {
  regular: path.join(fontDir, 'DejaVuSans.ttf'),
  bold: path.join(fontDir, 'DejaVuSans-Bold.ttf'),
} as const;

/** The family name charts register the regular font under. */
export const CHART_FONT_FAMILY = 'DejaVu Sans';
