// What the report tests share: November's report request for the generated community (Berlin time, the analytics
// read tests' clock), and poppler-utils run with a bound on time to read a PDF back.
import { execFileSync } from 'node:child_process';
import type { ReportRequest } from '../../src/reports/report';
import { GUILD, NOW } from '../analytics/community-seed';

export const TIMEZONE = 'Europe/Berlin';

/** Last month's report of the community's guild, with any field replaced. */
export const request = (over: Partial<ReportRequest> = {}): ReportRequest => ({
  guildId: GUILD,
  guildName: 'Clip Club',
  timezone: TIMEZONE,
  now: NOW,
  period: 'month',
  offset: 1,
  ...over,
});

/** One of poppler-utils' tools (pdftotext, pdfimages, pdfinfo, pdftoppm), its standard output as text. */
export const tool = (name: string, args: string[]): string => execFileSync(name, args, { encoding: 'utf8', timeout: 30_000 });
