import type { LogLevel } from './task-handler.ts';

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
  /** The execution has ended: per-execution state (its seq counter) may be dropped. */
  release(executionId: string): void;
}
