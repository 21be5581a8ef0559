import type { LogLevel, TimedLogLine } from '../domain/log-line.ts';
import { nowIso } from '../domain/time.ts';
import type { DialectCapabilities } from '../store/capabilities.ts';
import { appendLogLines } from '../store/execution-log-repository.ts';
import { heldAppends } from '../store/held-appends.ts';
import type { EngineSignals } from './engine-signals.ts';
import type { TxHooks } from './state-writer.ts';

interface PendingLine {
  executionId: string;
  taskRunId: string | null;
  level: LogLevel;
  source: string;
  message: string;
  metadata?: Record<string, unknown> | undefined;
  /** When it was appended; the scheduler's own lines take the time they were added. */
  ts: string;
}

/**
 * The scheduler's own log lines about state changes ("task build succeeded in 12 ms"), written in
 * the transaction of the change they describe: the line and the state commit together, so a terminal
 * state always comes with the line that explains it (DESIGN invariant 2). The lines of every change in
 * a transaction are written together just before it commits. Messages must be masked.
 */
export class SchedulerLog {
  private readonly lines: PendingLine[] = [];

  private constructor() {}

  /** The log of the transaction `tx` (made on first use). */
  static of(tx: TxHooks, deps: { caps: DialectCapabilities; signals: EngineSignals }): SchedulerLog {
    let log = logs.get(tx);
    if (!log) {
      const created = new SchedulerLog();
      log = created;
      logs.set(tx, created);
      tx.beforeCommit(async (trx) => {
        if (created.lines.length === 0) return;
        const held = heldAppends(trx);
        if (held) held.logLines.push(...created.lines);
        else await appendLogLines(trx, deps.caps, created.lines);
        deps.signals.send(
          tx,
          'logs',
          created.lines.map((l) => l.executionId),
        );
      });
    }
    return log;
  }

  add(executionId: string, level: LogLevel, message: string, taskRunId: string | null = null): void {
    this.lines.push({ executionId, taskRunId, level, source: 'scheduler', message: `[execution ${executionId}] ${message}`, ts: nowIso() });
  }

  /** Lines a task wrote that the log collector had not written yet: they commit with this change. */
  addTaken(lines: readonly TimedLogLine[]): void {
    this.lines.push(...lines.map(({ line, ts }) => ({ ...line, ts })));
  }
}

const logs = new WeakMap<TxHooks, SchedulerLog>();
