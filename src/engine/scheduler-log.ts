import type { Transaction } from 'kysely';
import type { LogLevel } from '../domain/log-line.ts';
import { nowIso } from '../domain/time.ts';
import type { DialectCapabilities } from '../store/capabilities.ts';
import type { Database } from '../store/database-schema.ts';
import { appendLogLines } from '../store/execution-log-repository.ts';
import type { EngineSignals } from './engine-signals.ts';
import type { TxHooks } from './state-writer.ts';

interface PendingLine {
  executionId: string;
  taskRunId: string | null;
  level: LogLevel;
  message: string;
}

/**
 * The scheduler's own log lines about state changes ("task build succeeded in 12 ms"), written in
 * the transaction of the change they describe: the line and the state commit together, so a terminal
 * state always comes with the line that explains it (DESIGN invariant 2). Messages must be masked.
 */
export class SchedulerLog {
  private readonly lines: PendingLine[] = [];

  add(executionId: string, level: LogLevel, message: string, taskRunId: string | null = null): void {
    this.lines.push({ executionId, taskRunId, level, message: `[execution ${executionId}] ${message}` });
  }

  async write(trx: Transaction<Database>, tx: TxHooks, caps: DialectCapabilities, signals: EngineSignals): Promise<void> {
    if (this.lines.length === 0) return;
    const ts = nowIso();
    const lines = this.lines.splice(0);
    await appendLogLines(
      trx,
      caps,
      lines.map((l) => ({ ...l, source: 'scheduler', ts })),
    );
    await signals.send(
      trx,
      tx,
      'logs',
      lines.map((l) => l.executionId),
    );
  }
}
