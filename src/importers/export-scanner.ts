// An incremental scanner for DiscordChatExporter JSON files: it is fed byte chunks and hands over the top-level
// header fields and then each element of `messages[]` as soon as it is complete, so memory stays bounded by the
// largest single message, never the file. Element boundaries are found by a byte-level scan (strings, escapes,
// nesting); each element is then decoded by the native JSON.parse, which is far faster than a JS tokenizer.
// Over 400 lines: one state machine over one buffer; its hot loop stays in one module.
// Every part it buffers (a key, a field outside messages, a message) and every nesting is bounded: export-limits.ts.
import { DEFAULT_SCANNER_LIMITS, describeByte, ExportSyntaxError, formatBytes, parseJson, type ScannerLimits } from './export-limits';

export { DEFAULT_SCANNER_LIMITS, ExportSyntaxError, MAX_ELEMENT_BYTES, parseJson, type ScannerLimits } from './export-limits';

export interface ScannerHandlers {
  /**
   * Called once when `"messages": [` is reached, with every top-level field read before it (guild, channel …).
   * `arrayStart` is the offset just after `[`.
   */
  onHeader(header: Record<string, unknown>, arrayStart: number): void;
  /** Called for each complete element of messages[]: its JSON text and its byte range [start, end). */
  onMessage(json: string, start: number, end: number): void;
}

const MIN_WORK_BYTES = 64 * 1024;
const RELEASE_WORK_BYTES = 4 * 1024 * 1024;

const enum State {
  Start,
  KeyOrEnd,
  Key,
  Colon,
  Value,
  CommaOrEnd,
  ArrayFirst,
  ArrayNext,
  ArrayElement,
  Done,
}

const enum Span {
  None,
  Container,
  String,
  Literal,
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

export class ExportScanner {
  private state = State.Start;
  /**
   * The scanner's own copy of the bytes of a span still in progress (the caller may reuse its chunk buffers):
   * the first `carryLength` bytes of `work`, which grows by doubling so that a large message read in small chunks
   * costs linear, not quadratic, copying.
   */
  private work: Buffer | null = null;
  private carryLength = 0;
  /** Absolute offset of the first byte of the current working buffer. */
  private bufStart = 0;
  /** Absolute offset up to which bytes have been consumed. */
  private consumed = 0;

  private span = Span.None;
  private spanStart = 0;
  private depth = 0;
  /** Arrays, objects and commas of the span so far: about the number of values JSON.parse would make of it. */
  private values = 0;
  private inString = false;
  /** What the span in progress is: a key, a header value, or a message. */
  private spanRole: 'key' | 'value' | 'message' = 'value';

  private key = '';
  /** Bytes of the keys and values outside messages[] read so far (they are all kept in `header`). */
  private headerBytes = 0;
  private readonly header: Record<string, unknown> = {};
  private messagesSeen = false;
  private elementCount = 0;
  /** Set by seek(): the caller must continue reading from this offset. */
  private pendingSeek: number | null = null;

  private readonly limits: ScannerLimits;

  constructor(
    private readonly handlers: ScannerHandlers,
    limits: Partial<ScannerLimits> = {},
  ) {
    this.limits = { ...DEFAULT_SCANNER_LIMITS, ...limits };
  }

  /** Number of complete messages handed over so far (including those skipped over by seek). */
  get messagesScanned(): number {
    return this.elementCount;
  }

  /**
   * Continues right after a message that ended at `offset` (from an earlier, interrupted run). Call from onHeader;
   * push() then returns, and the caller reads on from `offset`.
   */
  seekAfterMessage(offset: number, messagesBefore: number): void {
    this.pendingSeek = offset;
    this.elementCount = messagesBefore;
  }

  /**
   * Feeds the next chunk, which starts at absolute `offset`. Returns the offset to read from next: normally
   * offset + chunk.length, or a seek target requested from onHeader.
   */
  push(chunk: Buffer, offset: number): number {
    let buf: Buffer;
    if (this.carryLength > 0) {
      const length = this.carryLength + chunk.length;
      const work = this.reserve(length, this.carryLength);
      chunk.copy(work, this.carryLength);
      buf = work.subarray(0, length);
    } else {
      buf = chunk;
      this.bufStart = offset;
    }
    this.carryLength = 0;
    let i = this.consumed - this.bufStart;
    const n = buf.length;

    while (i < n) {
      if (this.span !== Span.None) {
        i = this.scanSpan(buf, i, n);
        if ((this.span as Span) !== Span.None) break; // needs more bytes
        if (this.pendingSeek !== null) {
          const target = this.pendingSeek;
          this.pendingSeek = null;
          this.consumed = target;
          this.state = State.ArrayNext;
          this.carryLength = 0;
          return target;
        }
        continue;
      }
      const c = buf[i] as number;
      if (isWhitespace(c)) {
        i++;
        continue;
      }
      const at = this.bufStart + i;
      switch (this.state) {
        case State.Start:
          if (at === 0 && c === 0xef && buf[i + 1] === 0xbb && buf[i + 2] === 0xbf) {
            i += 3; // UTF-8 byte order mark
            continue;
          }
          if (c !== OPEN_BRACE) {
            throw new ExportSyntaxError(`not a DiscordChatExporter JSON export: expected a JSON object, found ${describeByte(c)}`, at);
          }
          this.state = State.KeyOrEnd;
          i++;
          break;
        case State.KeyOrEnd:
        case State.Key:
          if (c === CLOSE_BRACE && this.state === State.KeyOrEnd) {
            this.finishObject(at);
            i++;
            break;
          }
          if (c !== QUOTE) throw new ExportSyntaxError(`invalid JSON: expected a property name, found ${describeByte(c)}`, at);
          this.beginSpan(Span.String, 'key', i);
          i++;
          this.inString = true;
          break;
        case State.Colon:
          if (c !== COLON) throw new ExportSyntaxError(`invalid JSON: expected ":" after "${this.key}", found ${describeByte(c)}`, at);
          this.state = State.Value;
          i++;
          break;
        case State.Value:
          if (this.key === 'messages') {
            if (c !== OPEN_BRACKET) {
              throw new ExportSyntaxError(`not a DiscordChatExporter JSON export: "messages" is not an array`, at);
            }
            this.messagesSeen = true;
            this.state = State.ArrayFirst;
            i++;
            this.handlers.onHeader(this.header, at + 1);
            if (this.pendingSeek !== null) {
              const target = this.pendingSeek;
              this.pendingSeek = null;
              this.consumed = target;
              this.state = State.ArrayNext;
              return target;
            }
            break;
          }
          this.beginValue(buf, i, 'value');
          break;
        case State.CommaOrEnd:
          if (c === COMMA) {
            this.state = State.Key;
          } else if (c === CLOSE_BRACE) {
            this.finishObject(at);
          } else {
            throw new ExportSyntaxError(`invalid JSON: expected "," or "}" after "${this.key}", found ${describeByte(c)}`, at);
          }
          i++;
          break;
        case State.ArrayFirst:
          if (c === CLOSE_BRACKET) {
            this.state = State.CommaOrEnd;
            i++;
            break;
          }
          this.beginMessage(buf, i, c, at);
          break;
        case State.ArrayElement:
          this.beginMessage(buf, i, c, at);
          break;
        case State.ArrayNext:
          if (c === COMMA) this.state = State.ArrayElement;
          else if (c === CLOSE_BRACKET) this.state = State.CommaOrEnd;
          else {
            throw new ExportSyntaxError(
              `invalid JSON: expected "," or "]" after message ${this.elementCount.toLocaleString('en-US')}, found ${describeByte(c)}`,
              at,
            );
          }
          i++;
          break;
        case State.Done:
          throw new ExportSyntaxError(`invalid JSON: unexpected ${describeByte(c)} after the end of the export`, at);
      }
    }

    this.consumed = this.bufStart + i;
    if (this.span !== Span.None) {
      const keepFrom = this.spanStart - this.bufStart;
      this.checkSpanSize(n - keepFrom);
      // Keep the span's bytes at the start of our own buffer: the caller may reuse the chunk's memory.
      const keep = n - keepFrom;
      if (buf === chunk) chunk.copy(this.reserve(keep, 0), 0, keepFrom, n);
      else if (keepFrom > 0) (this.work as Buffer).copyWithin(0, keepFrom, n);
      this.carryLength = keep;
      this.bufStart = this.spanStart;
    } else if (this.work && this.work.length > RELEASE_WORK_BYTES) {
      this.work = null; // a rare huge message: do not hold its memory for the rest of the file
    }
    return offset + chunk.length;
  }

  /** Refuses a span in progress that is already larger than its role allows (checked once per chunk). */
  private checkSpanSize(bytes: number): void {
    if (this.spanRole === 'message') {
      if (bytes <= this.limits.maxMessageBytes) return;
      throw new ExportSyntaxError(
        `message ${(this.elementCount + 1).toLocaleString('en-US')} is larger than ${formatBytes(this.limits.maxMessageBytes)}: not a Discord message`,
        this.spanStart,
      );
    }
    if (this.headerBytes + bytes <= this.limits.maxHeaderBytes) return;
    const what = this.spanRole === 'key' ? 'a property name' : `the value of "${this.key}"`;
    throw new ExportSyntaxError(
      `not a DiscordChatExporter JSON export: ${what} ${this.messagesSeen ? 'after' : 'before'} "messages" takes the fields outside the messages over ${formatBytes(this.limits.maxHeaderBytes)}`,
      this.spanStart,
    );
  }

  /** The work buffer with room for `length` bytes, its first `preserve` bytes kept. */
  private reserve(length: number, preserve: number): Buffer {
    if (this.work && this.work.length >= length) return this.work;
    const grown = Buffer.allocUnsafe(Math.max(length, (this.work?.length ?? 0) * 2, MIN_WORK_BYTES));
    if (this.work && preserve > 0) this.work.copy(grown, 0, 0, preserve);
    this.work = grown;
    return grown;
  }

  /** Call after the last chunk: throws if the file ended before the export did. */
  end(fileSize: number): void {
    if (this.state === State.Done && this.span === Span.None) return;
    let where = 'before the export started';
    if (
      this.messagesSeen &&
      (this.state === State.ArrayFirst ||
        this.state === State.ArrayNext ||
        this.state === State.ArrayElement ||
        this.spanRole === 'message')
    ) {
      where = `inside messages, after message ${this.elementCount.toLocaleString('en-US')}`;
    } else if (this.state !== State.Start) {
      where = this.messagesSeen ? 'after the messages' : 'in the header, before the messages';
    }
    if (this.state === State.Start && this.span === Span.None) {
      throw new ExportSyntaxError('not a DiscordChatExporter JSON export: the file is empty', fileSize);
    }
    throw new ExportSyntaxError(`the file ends unexpectedly (${where}): the export is truncated`, fileSize);
  }

  private finishObject(at: number): void {
    if (!this.messagesSeen) {
      throw new ExportSyntaxError('not a DiscordChatExporter JSON export: it has no "messages" array', at);
    }
    this.state = State.Done;
  }

  private beginSpan(kind: Span, role: 'key' | 'value' | 'message', i: number): void {
    this.span = kind;
    this.spanRole = role;
    this.spanStart = this.bufStart + i;
    this.depth = 0;
    this.values = 0;
    this.inString = false;
  }

  private beginValue(buf: Buffer, i: number, role: 'value' | 'message'): void {
    const c = buf[i] as number;
    if (c === OPEN_BRACE || c === OPEN_BRACKET) this.beginSpan(Span.Container, role, i);
    else if (c === QUOTE) this.beginSpan(Span.String, role, i);
    else this.beginSpan(Span.Literal, role, i);
  }

  private beginMessage(buf: Buffer, i: number, c: number, at: number): void {
    if (c !== OPEN_BRACE) {
      throw new ExportSyntaxError(
        `message ${(this.elementCount + 1).toLocaleString('en-US')} is not a JSON object (found ${describeByte(c)})`,
        at,
      );
    }
    this.beginValue(buf, i, 'message');
  }

  /** Advances through the span in progress; returns the next index. Completes the span when its end is found. */
  private scanSpan(buf: Buffer, i: number, n: number): number {
    if (this.span === Span.Literal) {
      while (i < n) {
        const c = buf[i] as number;
        if (isWhitespace(c) || c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET) {
          this.completeSpan(buf, i);
          return i;
        }
        i++;
      }
      return i;
    }
    if (this.span === Span.String && !this.inString) {
      // The opening quote.
      this.inString = true;
      i++;
    }
    while (i < n) {
      if (this.inString) {
        const q = buf.indexOf(QUOTE, i);
        if (q < 0) return n;
        // A quote preceded by an odd number of backslashes is escaped. The opening quote bounds the look-back.
        let k = q - 1;
        while (buf[k] === BACKSLASH) k--;
        i = q + 1;
        if ((q - 1 - k) % 2 === 1) continue;
        this.inString = false;
        if (this.span === Span.String) {
          this.completeSpan(buf, i);
          return i;
        }
        continue;
      }
      const c = buf[i] as number;
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (++this.depth > this.limits.maxDepth) this.refuseDepth(this.bufStart + i);
        if (++this.values > this.limits.maxValues) this.refuseValues(this.bufStart + i);
      } else if (c === COMMA) {
        if (++this.values > this.limits.maxValues) this.refuseValues(this.bufStart + i);
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        this.depth--;
        if (this.depth === 0) {
          this.completeSpan(buf, i + 1);
          return i + 1;
        }
      }
      i++;
    }
    return i;
  }

  private refuseDepth(at: number): never {
    throw new ExportSyntaxError(
      `${this.spanName()} nests arrays and objects more than ${this.limits.maxDepth} deep: not a DiscordChatExporter export`,
      at,
    );
  }

  // Small values cost far more memory decoded than as text ("{}," is 3 bytes, an object dozens): bounded too.
  private refuseValues(at: number): never {
    throw new ExportSyntaxError(
      `${this.spanName()} holds more than ${this.limits.maxValues.toLocaleString('en-US')} values: not a DiscordChatExporter export`,
      at,
    );
  }

  private spanName(): string {
    return this.spanRole === 'message'
      ? `message ${(this.elementCount + 1).toLocaleString('en-US')}`
      : `the value of "${this.key}" ${this.messagesSeen ? 'after' : 'before'} "messages"`;
  }

  private completeSpan(buf: Buffer, endIndex: number): void {
    const startIndex = this.spanStart - this.bufStart;
    const start = this.spanStart;
    const end = this.bufStart + endIndex;
    // Also here: a span that ends in the chunk that takes it over its limit is refused as well.
    this.checkSpanSize(endIndex - startIndex);
    if (this.spanRole !== 'message') this.headerBytes += endIndex - startIndex;
    const text = buf.toString('utf8', startIndex, endIndex);
    this.span = Span.None;
    this.inString = false;
    switch (this.spanRole) {
      case 'key':
        this.key = String(parseJson(text, start));
        this.state = State.Colon;
        break;
      case 'value':
        this.header[this.key] = parseJson(text, start);
        this.state = State.CommaOrEnd;
        break;
      case 'message':
        this.elementCount++;
        this.state = State.ArrayNext;
        this.handlers.onMessage(text, start, end);
        break;
    }
  }
}
