import type { CliContext, OutputStream } from './cli-context.ts';
import { formatBytes } from './render/format.ts';

const CLEAR_LINE = '\r\x1b[K';

/**
 * One status line on stderr, redrawn in place, for a person watching a long request. It is drawn
 * only on a terminal and never with `--json`, so scripts and pipes see nothing of it, and stdout
 * stays the command's result.
 */
export class ProgressLine {
  private drawn = '';

  constructor(
    private readonly stream: OutputStream,
    readonly enabled: boolean,
  ) {}

  /** Replaces the line with `text` (nothing is written when it did not change). */
  show(text: string): void {
    if (!this.enabled || text === this.drawn) return;
    this.stream.write(`${CLEAR_LINE}${text}`);
    this.drawn = text;
  }

  /** Removes the line, leaving the cursor where the line began. */
  clear(): void {
    if (!this.enabled || this.drawn === '') return;
    this.stream.write(CLEAR_LINE);
    this.drawn = '';
  }
}

/** A progress line for this command: on a terminal, unless it prints JSON. */
export function progressLine(ctx: CliContext, json: boolean | undefined): ProgressLine {
  return new ProgressLine(ctx.stderr, Boolean(ctx.stdout.isTTY) && !json);
}

/**
 * Runs `work` with `label` shown until it settles, then clears the line (also when it throws, so an
 * error message starts on a clean line).
 */
export async function withProgress<T>(line: ProgressLine, label: string, work: (line: ProgressLine) => Promise<T>): Promise<T> {
  line.show(label);
  try {
    return await work(line);
  } finally {
    line.clear();
  }
}

const BAR_WIDTH = 24;

/** `label [#########...............]  38%  1.2 MiB / 3.1 MiB`; whole percent steps, so redraws stay few. */
export function progressBar(label: string, done: number, total: number): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.floor(ratio * BAR_WIDTH);
  const percent = `${Math.floor(ratio * 100)}%`.padStart(4);
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${percent}  ${formatBytes(done)} / ${formatBytes(total)}`;
}
