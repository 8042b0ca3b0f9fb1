// /clipstats report end to end on both engines: the interaction goes into a real discord.js Client logged in to the
// fake Discord; the PDF (and the CSV zip) the bot uploads are taken out of the multipart request and read back.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textChannel, user, type RecordedRequest } from '../fakes/discord';
import { channelOption, chatInput, options, Permissions, subcommand } from '../fakes/discord/interactions';
import { reportStore } from '../../src/db/stores/reports';
import { GUILD, NOW, seedCommunity } from '../analytics/community-seed';
import { openTestDatabase, testEngines, type TestDatabase } from '../helpers/engines';
import { bodyOf, startCommandBot, type CommandBot } from './command-bot';

const channel = textChannel({ guild_id: GUILD, name: 'stats' });
const member = user({ username: 'member' });

/** The parts of a multipart/form-data body: their headers and bytes. */
function multipartParts(request: RecordedRequest): Array<{ headers: string; body: Buffer }> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(String(request.headers['content-type']));
  const raw = request.raw;
  if (!boundary || !raw) throw new Error('not a multipart request');
  const marker = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const parts: Array<{ headers: string; body: Buffer }> = [];
  let at = raw.indexOf(marker);
  while (at >= 0) {
    const next = raw.indexOf(marker, at + marker.length);
    if (next < 0) break;
    const part = raw.subarray(at + marker.length + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    parts.push({ headers: part.subarray(0, split).toString('utf8'), body: part.subarray(split + 4) });
    at = next;
  }
  return parts;
}

describe.each(testEngines())('/clipstats report on %s', (engine) => {
  let t: TestDatabase;
  let h: CommandBot;
  let dir: string;

  beforeAll(async () => {
    t = await openTestDatabase(engine, 'clipstats-report');
    await seedCommunity(t.db);
    h = await startCommandBot({
      now: NOW,
      guilds: [{ id: GUILD, name: 'Clip Club', channels: [channel] }],
      database: t.db,
      services: ({ db }) => ({ reports: reportStore(db) }),
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-clipstats-report-'));
  });
  afterAll(async () => {
    await h?.stop();
    await t?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const report = (values: Record<string, string | number | boolean | undefined>) =>
    chatInput({
      applicationId: h.discord.applicationId,
      guildId: GUILD,
      channel,
      user: member,
      commandName: 'clipstats',
      options: [subcommand('report', options(values))],
    });
  const upload = (requests: RecordedRequest[]) => requests.find((r) => r.method === 'PATCH' && /\/messages\/(@|%40)original$/.test(r.path));

  it("attaches last month's PDF report and, when asked, its CSV bundle", async () => {
    const requests = await h.invoke(report({ offset: 1, csv: true }));
    expect(bodyOf(requests.find((r) => r.method === 'POST' && r.path.startsWith('/interactions/')))).toEqual({
      type: 5,
      data: { flags: 0 },
    });
    const edit = upload(requests);
    expect(edit).toBeDefined();
    const parts = multipartParts(edit as RecordedRequest);
    const json = JSON.parse(parts.find((p) => p.headers.includes('name="payload_json"'))?.body.toString('utf8') ?? '{}');
    expect(json.embeds[0].title).toBe('📄 Clipscope report');
    expect(json.embeds[0].description).toBe(
      'November 2026 · Overview, Top creators, Top games, Viral clips, Timeline, Peak times, Stream moments, Moods',
    );
    expect(parts.map((p) => /filename="([^"]+)"/.exec(p.headers)?.[1]).filter(Boolean)).toEqual([
      'clipscope-report-november-2026.pdf',
      'clipscope-report-november-2026-csv.zip',
    ]);
    const pdf = parts.find((p) => p.headers.includes('filename="clipscope-report-november-2026.pdf"'))?.body;
    expect(pdf?.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const file = path.join(dir, `${engine}.pdf`);
    fs.writeFileSync(file, pdf as Buffer);
    expect(execFileSync('pdfinfo', [file], { encoding: 'utf8' })).toMatch(/^Pages:\s+4$/m);
    const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
    expect(text).toContain('Clipscope report: Clip Club');
    expect(text).toContain('Compared: November 2026 vs October 2026');
    const zip = parts.find((p) => p.headers.includes('filename="clipscope-report-november-2026-csv.zip"'))?.body;
    expect(Object.keys(unzipSync(zip as Buffer)).sort()).toEqual([
      'comparison.csv',
      'mood-clips.csv',
      'moods.csv',
      'overview.csv',
      'peak-times.csv',
      'stream-moments-bins.csv',
      'stream-moments-streams.csv',
      'timeline.csv',
      'top-creators.csv',
      'top-games.csv',
      'viral-clips.csv',
    ]);
  });

  it('makes one report at a time: a second request meanwhile is asked to try again, privately', async () => {
    const answers = await Promise.all([h.invoke(report({})), h.invoke(report({ period: 'week' }))]);
    const refused = answers.filter((requests) =>
      requests.some((r) => (bodyOf(r)?.data?.content ?? '') === 'A report is being made right now. Please try again in a minute.'),
    );
    const made = answers.filter((requests) => upload(requests) !== undefined);
    expect([refused.length, made.length]).toEqual([1, 1]);
    const refusal = refused[0]?.find((r) => r.method === 'POST');
    expect(bodyOf(refusal).data.flags).toBe(64);
  });

  it('names the option a value is wrong for', async () => {
    const requests = await h.invoke(report({ offset: 99 }));
    expect(bodyOf(requests[0]).data.content).toMatch(/`offset`: a whole number from 0 to 24/);
  });

  it('/clipscope-admin report sets, shows and turns off the monthly report channel', async () => {
    const admin = (opts: ReturnType<typeof options>, resolved = false) =>
      h.invoke(
        chatInput({
          applicationId: h.discord.applicationId,
          guildId: GUILD,
          channel,
          user: member,
          permissions: Permissions.manager,
          commandName: 'clipscope-admin',
          options: [subcommand('report', opts)],
          resolvedChannels: resolved ? [channel] : [],
        }),
      );
    const content = (requests: RecordedRequest[]) => bodyOf(requests[0]).data.content as string;
    expect(content(await admin([]))).toBe('The monthly report is off. Turn it on with `/clipscope-admin report channel:`.');
    expect(content(await admin([channelOption('channel', channel.id)], true))).toContain(`posted in <#${channel.id}> as a PDF on the 1st`);
    expect(await reportStore(t.db).channel(GUILD)).toBe(channel.id);
    expect(content(await admin([]))).toBe(`The monthly report is posted in <#${channel.id}> on the 1st of each month.`);
    expect(content(await admin(options({ off: true })))).toBe('The monthly report is off.');
    expect(await reportStore(t.db).channel(GUILD)).toBeNull();
  });
});
