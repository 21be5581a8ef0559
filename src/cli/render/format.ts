import type pc from 'picocolors';
import { neutralise } from './terminal-text.ts';

/** picocolors' formatters, all identity functions when colours are off. */
export type Colors = ReturnType<typeof pc.createColors>;

/** `850ms`, `1.2s`, `2m 03s`, `1h 02m`; `-` when unknown. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
}

/** `2025-01-31 14:05:09Z`: UTC, second precision, the same on every machine; `-` when absent. */
export function formatTimestamp(iso: string | null | undefined): string {
  if (!iso) return '-';
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  return `${new Date(time).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** Colours a status by outcome: green done, red failed, yellow stopped or waiting for a person, cyan in progress. */
export function colourStatus(status: string, c: Colors): string {
  switch (status) {
    case 'completed':
    case 'succeeded':
      return c.green(status);
    case 'failed':
    case 'timed_out':
      return c.red(status);
    case 'cancelled':
    case 'waiting':
      return c.yellow(status);
    case 'running':
      return c.cyan(status);
    default:
      return c.dim(status);
  }
}

/** Colours a log level by severity: red ERROR, yellow WARN, dim DEBUG; INFO (and anything else) plain. */
export function colourLevel(level: string, c: Colors): string {
  switch (level) {
    case 'ERROR':
      return c.red(level);
    case 'WARN':
      return c.yellow(level);
    case 'DEBUG':
      return c.dim(level);
    default:
      return level;
  }
}

/** One line of at most `max` characters, for table cells; recorded text, so control characters are shown, not acted on. */
export function truncate(text: string, max: number): string {
  const line = neutralise(text.replace(/\s+/g, ' ').trim());
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** An input value as a person would have typed it (control characters shown as escapes). */
export function formatValue(value: unknown): string {
  return neutralise(typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value)));
}

export { formatBytes } from '../../domain/byte-size.ts';
