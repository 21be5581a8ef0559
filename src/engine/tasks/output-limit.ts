/** Output one task may produce before the rest is dropped (DESIGN: bounded everything). */
export const MAX_TASK_OUTPUT_BYTES = 10 * 1024 * 1024;

/** The one WARN line logged when a task reaches its output limit. */
export const OUTPUT_LIMIT_MESSAGE = 'output limit of 10 MB reached; further output dropped';

/**
 * A task's output budget, shared by all its streams. Lines are admitted until the budget is spent;
 * then `onLimitReached` runs once (the caller logs the WARN line) and every later line is dropped and
 * counted, so the record says how much is missing (`droppedBytes`) instead of silently ending.
 */
export class OutputLimit {
  private usedBytes = 0;
  private dropped = 0;
  private reached = false;

  constructor(
    private readonly onLimitReached: () => void,
    private readonly limitBytes = MAX_TASK_OUTPUT_BYTES,
  ) {}

  /**
   * Whether `line` fits the budget. A line is admitted whole or not at all (a half line would read as
   * a complete one); it costs its UTF-8 bytes plus its newline.
   */
  admit(line: string): boolean {
    const cost = Buffer.byteLength(line, 'utf8') + 1;
    if (!this.reached && this.usedBytes + cost <= this.limitBytes) {
      this.usedBytes += cost;
      return true;
    }
    if (!this.reached) {
      this.reached = true;
      this.onLimitReached();
    }
    this.dropped += cost;
    return false;
  }

  /** Bytes (with their newlines) dropped since the limit was reached. */
  get droppedBytes(): number {
    return this.dropped;
  }
}

/** How much of each stream a shell task keeps in its output (the full text went to the log). */
export const MAX_TAIL_BYTES = 1024 * 1024;

/**
 * The last `maxBytes` of a stream, kept as whole lines. Older lines are forgotten and counted, and
 * `text()` starts with `[truncated N bytes]` when any were, so the stored output says it is partial.
 */
export class OutputTail {
  private lines: string[] = [];
  private head = 0;
  private keptBytes = 0;
  private truncatedBytes = 0;

  constructor(private readonly maxBytes = MAX_TAIL_BYTES) {}

  add(line: string): void {
    this.lines.push(line);
    this.keptBytes += Buffer.byteLength(line, 'utf8') + 1;
    while (this.keptBytes > this.maxBytes && this.head < this.lines.length) {
      const cost = Buffer.byteLength(this.lines[this.head]!, 'utf8') + 1;
      this.keptBytes -= cost;
      this.truncatedBytes += cost;
      this.head++;
    }
    // Compact now and then; shifting the array on every line would be quadratic.
    if (this.head > 1024 && this.head * 2 > this.lines.length) {
      this.lines = this.lines.slice(this.head);
      this.head = 0;
    }
  }

  /** The kept lines joined with `\n`, after a `[truncated N bytes]` line when older lines were dropped. */
  text(): string {
    const body = this.lines.slice(this.head).join('\n');
    return this.truncatedBytes > 0 ? `[truncated ${this.truncatedBytes} bytes]\n${body}` : body;
  }
}
