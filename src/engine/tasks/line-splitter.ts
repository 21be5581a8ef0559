/** Longest line a task may log in one piece (bytes, UTF-8); longer lines are cut (DESIGN: bounded everything). */
export const MAX_LINE_BYTES = 64 * 1024;

/** Marks every piece of a cut line after the first, so a reader sees the line was not finished. */
export const CONTINUED_PREFIX = '[continued] ';

const LF = 0x0a;
const CR = 0x0d;

/**
 * Turns a stream of chunks into lines. Works on bytes, so a line (or a multi-byte UTF-8 character)
 * split across chunks comes out whole; `\r\n` and `\n` both end a line; `end()` emits a final line
 * that has no newline. A line longer than `maxLineBytes` is emitted in pieces of at most that many
 * bytes, each piece after the first prefixed with `[continued] `, so memory per stream stays bounded
 * however long a line is.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Whether the line being collected already had a piece emitted. */
  private continued = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineBytes = MAX_LINE_BYTES,
    /**
     * Moves a cut back (never forward) so that no secret is cut in two: each piece is masked on its
     * own, and the halves of a secret would each pass unmasked.
     */
    private readonly safeCut: (bytes: Buffer, cut: number) => number = (_bytes, cut) => cut,
  ) {
    if (!(maxLineBytes >= 4)) throw new RangeError('maxLineBytes must be at least 4 (one UTF-8 character)');
  }

  /** Feeds one chunk; strings are taken as UTF-8. Calls `onLine` for every line the chunk completes. */
  push(chunk: Buffer | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    for (let nl = bytes.indexOf(LF, start); nl !== -1; nl = bytes.indexOf(LF, start)) {
      this.append(bytes.subarray(start, nl));
      this.emitLine();
      start = nl + 1;
    }
    if (start < bytes.length) this.append(bytes.subarray(start));
  }

  /** Emits the final line if the stream did not end with a newline. Call once, when the stream closes. */
  end(): void {
    if (this.pendingBytes > 0) this.emitLine();
    this.continued = false;
  }

  private append(part: Buffer): void {
    if (part.length === 0) return;
    this.pending.push(part);
    this.pendingBytes += part.length;
    if (this.pendingBytes <= this.maxLineBytes) return;
    let all = Buffer.concat(this.pending, this.pendingBytes);
    // A trailing `\r` may be the first half of `\r\n`; it is not content yet, so it does not force a cut.
    while (all.length > this.maxLineBytes + (all[all.length - 1] === CR ? 1 : 0)) {
      const cut = this.cutPoint(all);
      this.deliver(all.subarray(0, cut));
      this.continued = true;
      all = all.subarray(cut);
    }
    // Copied so that the (possibly large) chunk it came from is not kept alive by a small remainder.
    this.pending = [Buffer.from(all)];
    this.pendingBytes = all.length;
  }

  /** Where to cut a too-long line: at `maxLineBytes`, moved back so as not to split a UTF-8 character. */
  private cutPoint(bytes: Buffer): number {
    const isContinuation = (i: number): boolean => ((bytes[i] ?? 0) & 0xc0) === 0x80;
    let cut = this.maxLineBytes;
    // A UTF-8 character is at most 4 bytes, so its lead byte is at most 3 bytes back.
    while (cut > this.maxLineBytes - 3 && isContinuation(cut)) cut--;
    if (isContinuation(cut)) cut = this.maxLineBytes; // not UTF-8 anyway: cut where we must
    // A secret starts at a character boundary, so moving back to its start keeps characters whole.
    const safe = this.safeCut(bytes, cut);
    return safe > 0 && safe <= cut ? safe : cut;
  }

  private emitLine(): void {
    let line = Buffer.concat(this.pending, this.pendingBytes);
    if (line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    this.pending = [];
    this.pendingBytes = 0;
    this.deliver(line);
    this.continued = false;
  }

  private deliver(bytes: Buffer): void {
    const text = bytes.toString('utf8');
    this.onLine(this.continued ? CONTINUED_PREFIX + text : text);
  }
}
