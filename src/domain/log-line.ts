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

/**
 * Where the engine's log lines go. `flush(executionId)` resolves once every line of that execution
 * appended so far is durable: the engine awaits it before a terminal state commits.
 */
export interface LogSink {
  append(line: LogLine): void;
  flush(executionId: string): Promise<void>;
}
