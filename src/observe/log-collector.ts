import { EventEmitter } from 'node:events';
import type { Kysely } from 'kysely';
import { toError } from '../domain/task-failure.ts';
import type { LogLine, LogSink, TimedLogLine } from '../domain/log-line.ts';
import type { Database } from '../store/database-schema.ts';
import type { DialectCapabilities } from '../store/capabilities.ts';
import { appendLogLines } from '../store/execution-log-repository.ts';
import { notify } from '../store/store-notifications.ts';

const MAX_MESSAGE_BYTES = 64 * 1024;

/** Tells followers that an execution's new lines are durable (in this process). */
export interface LogFeed {
  /** Calls `listener` after each write that held lines of the execution; returns the unsubscribe. */
  subscribe(executionId: string, listener: () => void): () => void;
}

export interface LogCollectorOptions {
  /** Lines buffered before a flush starts (DESIGN invariant 2: 100). */
  batchSize?: number;
  /** Longest a line waits in the buffer. */
  flushIntervalMs?: number;
  /** Lines waiting for the store before a WARN says the store is falling behind. */
  maxWaiting?: number;
  /**
   * Where the store can notify (PostgreSQL NOTIFY): each batch notifies this channel with the ids of
   * its executions, in its transaction, so followers served by other processes wake at once.
   */
  notifyChannel?: string | undefined;
}

/**
 * The process's one LogCollector: buffers lines and writes each batch as one insert in one
 * transaction. `flush(executionId)` is awaited before a task's or an execution's terminal state
 * commits, so a terminal state implies its logs are durable. A failed write is reported on stderr
 * and never stops the engine.
 */
export class LogCollector implements LogSink, LogFeed {
  private readonly flushed = new EventEmitter().setMaxListeners(0);
  private buffer: TimedLogLine[] = [];
  /** Lines per execution in batches on their way to the store. */
  private readonly inFlight = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  readonly stats = { written: 0, dropped: 0, batches: 0 };
  private readonly batchSize: number;
  /** Lines appended and not yet written (buffered or in a batch on its way). */
  private waiting = 0;
  private overBound = false;
  private readonly maxWaiting: number;
  private readonly flushIntervalMs: number;
  private readonly notifyChannel: string | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly caps: DialectCapabilities,
    options: LogCollectorOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 100;
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.maxWaiting = options.maxWaiting ?? 10_000;
    this.notifyChannel = options.notifyChannel;
  }

  append(line: LogLine): void {
    const message =
      Buffer.byteLength(line.message) > MAX_MESSAGE_BYTES ? `${line.message.slice(0, MAX_MESSAGE_BYTES)} [truncated]` : line.message;
    this.buffer.push({ line: { ...line, message }, ts: new Date().toISOString() });
    this.waiting += 1;
    if (this.waiting > this.maxWaiting && !this.overBound) {
      // The store is slower than the tasks' output: say so once per episode; batches keep going out.
      this.overBound = true;
      console.warn(`runledger: WARN log buffer over its bound: ${this.waiting} lines waiting for the store (bound ${this.maxWaiting})`);
    }
    if (this.buffer.length >= this.batchSize) void this.flushAll();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flushAll(), this.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Resolves once every line appended so far (for any execution) is written or reported lost. */
  flush(_executionId?: string): Promise<void> {
    return this.flushAll();
  }

  async take(executionId: string): Promise<TimedLogLine[]> {
    // Earlier lines of this execution already on their way get their seqs first.
    while ((this.inFlight.get(executionId) ?? 0) > 0) await this.chain;
    const taken = this.buffer.filter((b) => b.line.executionId === executionId);
    if (taken.length > 0) {
      this.buffer = this.buffer.filter((b) => b.line.executionId !== executionId);
      this.waiting -= taken.length;
    }
    return taken;
  }

  giveBack(lines: readonly TimedLogLine[]): void {
    if (lines.length === 0) return;
    this.buffer.unshift(...lines);
    this.waiting += lines.length;
    void this.flushAll();
  }

  subscribe(executionId: string, listener: () => void): () => void {
    this.flushed.on(executionId, listener);
    return () => this.flushed.off(executionId, listener);
  }

  private flushAll(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    for (const { line } of batch) this.inFlight.set(line.executionId, (this.inFlight.get(line.executionId) ?? 0) + 1);
    // Batches are written one after another so seqs stay in append order.
    this.chain = this.chain.then(() => (batch.length > 0 ? this.write(batch) : undefined));
    return this.chain;
  }

  private async write(batch: TimedLogLine[]): Promise<void> {
    try {
      await this.writeBatch(batch);
    } finally {
      for (const { line } of batch) {
        const left = (this.inFlight.get(line.executionId) ?? 1) - 1;
        if (left > 0) this.inFlight.set(line.executionId, left);
        else this.inFlight.delete(line.executionId);
      }
      this.waiting -= batch.length;
      if (this.waiting <= this.maxWaiting / 2) this.overBound = false;
    }
  }

  private async writeBatch(batch: TimedLogLine[]): Promise<void> {
    try {
      const channel = this.notifyChannel;
      const rows = await this.db.transaction().execute(async (trx) => {
        const stored = await appendLogLines(
          trx,
          this.caps,
          batch.map(({ line, ts }) => ({ ...line, ts })),
        );
        if (channel)
          await notify(
            trx,
            channel,
            stored.map((r) => r.executionId),
          );
        return stored;
      });
      for (const executionId of new Set(rows.map((r) => r.executionId))) this.flushed.emit(executionId);
      this.stats.written += rows.length;
      this.stats.batches += 1;
      const lost = batch.length - rows.length;
      if (lost > 0) {
        this.stats.dropped += lost;
        console.error(`runledger: could not write ${lost} log lines: their execution does not exist`);
      }
    } catch (e: unknown) {
      this.stats.dropped += batch.length;
      console.error(`runledger: could not write ${batch.length} log lines: ${toError(e).message}`);
    }
  }

  /** Tells this process's followers that lines of these executions were written by another transaction. */
  wake(executionIds: Iterable<string>): void {
    for (const executionId of new Set(executionIds)) this.flushed.emit(executionId);
  }
}
