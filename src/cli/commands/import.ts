// `clipscope import PATH…`: imports DiscordChatExporter JSON exports (files or folders of them) into the database.
import fs from 'node:fs';
import { systemClock } from '../../clock';
import { ImportError, importExportFile, listExportFiles, type FileImportResult } from '../../importers/dce/import-file';
import { CliError, type CliCommand } from '../command';
import { closeCommandDatabase, openCommandDatabase } from '../database';
import { createProgress } from '../progress';

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'Import DiscordChatExporter JSON exports (files or folders) into the history',
  help: `Usage: clipscope import PATH… [--guild ID] [--force] [--database PATH]

Reads the JSON channel exports that DiscordChatExporter writes (one channel, thread or forum post per file;
folders are searched for .json files) and records every Twitch clip link in them as a share, with the
reactions on those messages, exactly as the bot records them live. Imported clips then wait in the normal
enrichment queue ("clipscope enrich" fetches their Twitch metadata).

Files are streamed, so exports of several GB import in bounded memory. Importing the same file or an
overlapping export again changes nothing that is already right; an interrupted import continues where it
stopped when run again; files already imported completely are skipped.

Options:
  --guild ID        Only import exports of this server (any other server's file is an error)
  --force           Read files again even if an earlier run imported them completely
  --database PATH   SQLite file or postgres:// URL (default: DATABASE_URL, else DATABASE_PATH)`,
  options: { guild: { type: 'string' }, force: { type: 'boolean' }, database: { type: 'string' } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    if (positionals.length === 0) throw new CliError('give at least one export file or folder: clipscope import PATH…', 2);
    const guildId = typeof values.guild === 'string' ? values.guild.trim() : undefined;
    if (guildId !== undefined && !/^\d{1,20}$/.test(guildId))
      throw new CliError(`--guild expects a Discord server id (digits), got "${guildId}"`, 2);

    let files: string[];
    try {
      files = listExportFiles(positionals);
    } catch (error) {
      if (error instanceof ImportError) throw new CliError(error.message);
      throw error;
    }
    if (files.length === 0) throw new CliError(`no .json files found in ${positionals.join(', ')}`);

    const db = await openCommandDatabase(io, values.database, { command: 'import', needs: ['imports', 'capture'], create: true });
    const sizes = new Map(files.map((f) => [f, fs.statSync(f).size]));
    const totalBytes = [...sizes.values()].reduce((a, b) => a + b, 0);
    const progress = createProgress({ label: 'Importing', total: totalBytes, unit: 'bytes', itemUnit: 'messages', stream: io.stderr });

    // Ctrl-C stops after the chunk being read, with everything so far committed, and says how to continue.
    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    process.once('SIGINT', onSignal);
    const results: FileImportResult[] = [];
    const failures: string[] = [];
    // Messages imported only in part: listed after the progress bar, the first few in full (memory stays bounded).
    const warnings: string[] = [];
    let warningCount = 0;
    const onWarning = (line: string): void => {
      if (++warningCount <= MAX_WARNING_LINES) warnings.push(line);
    };
    let bytesBefore = 0;
    let messagesBefore = 0;
    try {
      for (const file of files) {
        if (stop.signal.aborted) break;
        try {
          const result = await importExportFile({ db, clock: systemClock }, file, {
            guildId,
            force: values.force === true,
            signal: stop.signal,
            onWarning,
            onProgress: (p) => progress.update(bytesBefore + p.bytesRead, totalBytes, messagesBefore + p.messagesRead),
          });
          results.push(result);
          messagesBefore += result.messagesRead;
        } catch (error) {
          // Whatever stopped this file, the others still import: every failure is listed at the end.
          if (error instanceof ImportError) {
            failures.push(error.message);
            messagesBefore += error.messagesKept;
          } else failures.push(`${file}: ${error instanceof Error ? error.message : String(error)}`);
        }
        bytesBefore += sizes.get(file) ?? 0;
        progress.update(bytesBefore, totalBytes, messagesBefore);
      }
    } finally {
      process.removeListener('SIGINT', onSignal);
      await closeCommandDatabase(db);
    }

    const imported = results.filter((r) => r.status === 'imported');
    const skipped = results.filter((r) => r.status === 'skipped');
    const notCaptured = skipped.filter((r) => r.skipped === 'not_captured');
    for (const r of notCaptured) io.stderr.write(`${r.file}: skipped: ${r.reason ?? ''}\n`);
    const shares = imported.reduce((n, r) => n + r.sharesAdded, 0);
    const clips = imported.reduce((n, r) => n + r.clipsAdded, 0);
    const resumed = imported.filter((r) => r.resumedAfter > 0).length;
    const summary = [
      `Imported ${imported.length} of ${files.length} file${files.length === 1 ? '' : 's'}: ${count(messagesBefore, 'message')} read`,
      `${count(shares, 'new clip share')}`,
      `${count(clips, 'new clip')} pending enrichment`,
    ];
    if (resumed > 0) summary.push(`${resumed} resumed`);
    const already = skipped.length - notCaptured.length;
    if (already > 0) summary.push(`${already} skipped (already imported; --force reads them again)`);
    if (notCaptured.length > 0) summary.push(`${notCaptured.length} skipped (not capture channels)`);
    progress.finish();
    for (const line of warnings) io.stderr.write(`warning: ${line}\n`);
    if (warningCount > warnings.length) io.stderr.write(`warning: … and ${warningCount - warnings.length} more such messages\n`);
    io.stdout.write(`${summary.join(', ')}.\n`);
    // The ids the other commands' --guild takes (token create, aggregate).
    const guildIds = [...new Set(imported.map((r) => r.guildId).filter((id): id is string => id !== null))].sort();
    if (guildIds.length > 0) io.stdout.write(`Guild${guildIds.length === 1 ? '' : 's'}: ${guildIds.join(', ')}\n`);
    if (stop.signal.aborted) {
      io.stdout.write('Stopped. Run the same command again to continue where it stopped.\n');
      return 130;
    }
    if (clips > 0) io.stdout.write('Run "clipscope enrich" to fetch their Twitch metadata now (the bot also does it in the background).\n');

    // Each failure is printed once: a single one as the exit line itself, several listed before a count.
    if (failures.length === 1 && failures[0]) throw new CliError(failures[0]);
    if (failures.length > 1) {
      for (const failure of failures) io.stderr.write(`${failure}\n`);
      throw new CliError(`${failures.length} of ${files.length} files could not be imported (listed above)`);
    }
    return 0;
  },
};

/** Warning lines printed in full; more are counted. */
const MAX_WARNING_LINES = 20;

/** "1 message", "2 messages". */
function count(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}
