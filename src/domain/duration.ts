import parse from 'parse-duration';

/**
 * The duration grammar we accept in strings: one or more `<number><unit>` groups, optionally separated
 * by spaces, units `ms`, `s`, `m`, `h`, `d` (`30s`, `1h30m`, `1.5h`, `.5s`, `4m 05s`).
 *
 * parse-duration on its own is lenient — it reads `5 minutes`, `5m foo` and `1h30` — which would
 * let typos through definition validation. We gate on this grammar first and let parse-duration do
 * the arithmetic, so every component agrees on what a valid duration is.
 */
const DURATION_GRAMMAR = /^(?:\d+(?:\.\d+)?|\.\d+)(?:ms|s|m|h|d)(?:\s*(?:\d+(?:\.\d+)?|\.\d+)(?:ms|s|m|h|d))*$/;

/**
 * The longest delay a Node timer holds (2^31 − 1 ms, about 24.8 days). A longer one does not wait
 * longer: it fires after 1 ms, so a setting past it would run its timer continuously.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Reads a duration as milliseconds: a string such as `30s`, `5m`, `1h30m` or `250ms`, or a number
 * (already milliseconds). Returns `undefined` for anything else: empty, negative, NaN, unknown units
 * (`5 minutes`), trailing garbage.
 */
export function parseDurationMs(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text : undefined;
  if (typeof text !== 'string') return undefined;
  const trimmed = text.trim();
  if (!DURATION_GRAMMAR.test(trimmed)) return undefined;
  const ms = parse(trimmed);
  return ms !== null && Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/** True when `text` is a duration `parseDurationMs` accepts. */
export function isDuration(text: string | number): boolean {
  return parseDurationMs(text) !== undefined;
}

/**
 * A compact human form for tables and timelines: `850ms`, `12.3s`, `4m 05s`, `1h 02m`.
 * Precision drops as the duration grows, since nobody reads the seconds of a two-hour run.
 */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (Math.round(ms) < 1000) return `${Math.round(ms)}ms`;
  // Round once at the display precision, so 59.96s becomes 1m 00s rather than "60.0s".
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${pad2(seconds % 60)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${Math.floor(minutes / 60)}h ${pad2(minutes % 60)}m`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
