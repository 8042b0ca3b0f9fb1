// The export scanner's errors and bounds: what a part of a DiscordChatExporter file may be at most, the error that
// locates a problem at its byte, and JSON.parse located in the file.
import { ClipscopeError } from '../errors';

/** A problem in the file, at an absolute byte offset (the caller turns it into a line number). */
export class ExportSyntaxError extends ClipscopeError {
  constructor(
    message: string,
    readonly byteOffset: number,
  ) {
    super('export_syntax', message, { userFacing: true, detail: { byteOffset } });
  }
}

/** Messages larger than this are not Discord messages (Discord caps content at 4,000 characters). */
export const MAX_ELEMENT_BYTES = 32 * 1024 * 1024;

/**
 * What the scanner accepts of any part of the file: every span it buffers (a key, a field before or after
 * `messages`, a message) and every nesting is bounded, so a hostile file costs bounded memory and is refused
 * with its byte offset instead of exhausting the heap or V8's string limit.
 */
export interface ScannerLimits {
  /** Largest message, in bytes (default 32 MB). */
  maxMessageBytes: number;
  /** All keys and values outside messages[] together (guild, channel, messageCount …), in bytes (default 1 MiB). */
  maxHeaderBytes: number;
  /** Deepest nesting of arrays and objects inside one value (default 64; DCE's messages nest about 5 deep). */
  maxDepth: number;
  /**
   * Most values (arrays, objects and array or object members) in one message or field (default 1,000,000; a message
   * with its reactions' users is a few thousand): a 32 MB message of empty objects would take gigabytes decoded.
   */
  maxValues: number;
}

export const DEFAULT_SCANNER_LIMITS: ScannerLimits = {
  maxMessageBytes: MAX_ELEMENT_BYTES,
  maxHeaderBytes: 1024 * 1024,
  maxDepth: 64,
  maxValues: 1_000_000,
};

export function describeByte(c: number | undefined): string {
  if (c === undefined) return 'end of file';
  if (c >= 0x21 && c <= 0x7e) return `"${String.fromCharCode(c)}"`;
  return `byte 0x${c.toString(16).padStart(2, '0')}`;
}

export function formatBytes(bytes: number): string {
  const mb = bytes / 1024 / 1024;
  return mb >= 1 ? `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB` : `${bytes.toLocaleString('en-US')} bytes`;
}

/** JSON.parse with the failure located in the file: its position (in characters) is turned into a byte offset. */
export function parseJson(text: string, start: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /at position (\d+)/.exec(message)?.[1];
    const offset = position === undefined ? start : start + Buffer.byteLength(text.slice(0, Number(position)));
    const reason = message.replace(/ in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, '');
    throw new ExportSyntaxError(`invalid JSON: ${reason}`, offset);
  }
}
