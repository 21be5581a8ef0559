/** Severity of a log line, lowest first. */
export const LogLevel = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' } as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];
export const LOG_LEVELS = Object.values(LogLevel);

/** One log line as the engine hands it over; already masked. */
export interface LogLine {
  executionId: string;
  taskRunId: string | null;
  level: LogLevel;
  source: string;
  message: string;
  metadata?: Record<string, unknown>;
}

/** A line with the time it was appended. */
export interface TimedLogLine {
  line: LogLine;
  ts: string;
}

/**
 * Where the engine's log lines go. Before a terminal state commits, the lines it implies must be
 * durable (DESIGN invariant 2): either `flush(executionId)` has resolved, or the engine has `take`n the
 * lines not yet written and writes them in the same transaction as the state (giving them back with
 * `giveBack` if that transaction does not commit).
 */
export interface LogSink {
  append(line: LogLine): void;
  flush(executionId: string): Promise<void>;
  /** The execution's lines not yet written, removed from the sink, once earlier batches holding its lines are durable. */
  take(executionId: string): Promise<TimedLogLine[]>;
  /** Lines `take` handed over that could not be written: they go out with the next batch, in their order. */
  giveBack(lines: readonly TimedLogLine[]): void;
}
