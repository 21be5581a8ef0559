import { EventEmitter } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import { toError } from '../domain/task-failure.ts';
import type { LogLine, LogSink, TimedLogLine } from '../domain/log-line.ts';
import type { Database } from '../store/database-schema.ts';
import type { DialectCapabilities } from '../store/capabilities.ts';
import { appendLogLines } from '../store/execution-log-repository.ts';
import { storeFailure, type WriteHealth } from '../store/store-failure.ts';
import { notify } from '../store/store-notifications.ts';

const MAX_MESSAGE_BYTES = 64 * 1024;
/** Tries of a batch that failed for a passing reason (a lock, a lost connection). */
const MAX_ATTEMPTS = 6;
/** The source of the line that says lines are missing. */
const MARKER_SOURCE = 'runledger';
const MARKER_RETRY_MS = 1000;

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
  /** Told when writes fail (and work again), for `/readyz` and the log. */
  health?: WriteHealth | undefined;
}

/**
 * The process's one LogCollector: buffers lines and writes each batch as one insert in one
 * transaction. `flush(executionId)` is awaited before a task's or an execution's terminal state
 * commits, so a terminal state implies its logs are durable. A write that fails for a passing
 * reason is tried again; lines the store cannot take are counted, and the record gets a line saying
 * how many are missing and why as soon as it can take writes again. Nothing stops the engine.
 */
export class LogCollector implements LogSink, LogFeed {
  private readonly flushed = new EventEmitter().setMaxListeners(0);
  private buffer: TimedLogLine[] = [];
  /** Lines per execution in batches on their way to the store. */
  private readonly inFlight = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  /** Lines handed to the collector (appended), written by its own batches, and lost; batches written. */
  readonly stats = { appended: 0, written: 0, dropped: 0, batches: 0 };
  /** Lines lost per execution since the last successful write. */
  private readonly lost = new Map<string, { count: number; cause: string; from: string; to: string }>();
  private markerTimer: NodeJS.Timeout | undefined;
  private readonly health: WriteHealth | undefined;
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
    this.health = options.health;
  }

  append(line: LogLine): void {
    const message =
      Buffer.byteLength(line.message) > MAX_MESSAGE_BYTES ? `${line.message.slice(0, MAX_MESSAGE_BYTES)} [truncated]` : line.message;
    this.buffer.push({ line: { ...line, message }, ts: new Date().toISOString() });
    this.waiting += 1;
    this.stats.appended += 1;
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
    // Lines of this execution the store could not take: the marker commits with what takes the lines.
    const marker = this.markers().filter((m) => m.line.executionId === executionId);
    this.lost.delete(executionId);
    return [...marker, ...taken];
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
    for (let attempt = 1; ; attempt++) {
      try {
        const rows = await this.insert([...this.markers(), ...batch]);
        this.health?.succeeded();
        this.lost.clear();
        for (const executionId of new Set(rows.map((r) => r.executionId))) this.flushed.emit(executionId);
        this.stats.written += rows.length;
        this.stats.batches += 1;
        const missing = batch.length - rows.filter((r) => r.source !== MARKER_SOURCE).length;
        if (missing > 0) {
          this.stats.dropped += missing;
          console.error(`runledger: could not write ${missing} log lines: their execution does not exist`);
        }
        return;
      } catch (e: unknown) {
        const failure = storeFailure(e);
        if (failure?.transient && attempt < MAX_ATTEMPTS) {
          await delay(Math.min(1000, 20 * 2 ** attempt));
          continue;
        }
        if (failure) {
          // The store cannot take writes (a full disk): the lines are lost, and the record says so
          // as soon as it can take writes again.
          this.health?.failed(failure);
          this.remember(batch, failure.cause);
          this.retryMarkersLater();
          return;
        }
        // The store refused something in the batch itself: write the lines one by one, so only what
        // it refuses is lost, and say so in the record.
        return this.writeOneByOne(batch, toError(e).message);
      }
    }
  }

  private async insert(lines: readonly TimedLogLine[]) {
    const channel = this.notifyChannel;
    return this.db.transaction().execute(async (trx) => {
      const stored = await appendLogLines(
        trx,
        this.caps,
        lines.map(({ line, ts }) => ({ ...line, ts })),
      );
      if (channel)
        await notify(
          trx,
          channel,
          stored.map((r) => r.executionId),
        );
      return stored;
    });
  }

  private async writeOneByOne(batch: readonly TimedLogLine[], reason: string): Promise<void> {
    for (const line of batch) {
      try {
        const rows = await this.insert([line]);
        this.stats.written += rows.length;
        for (const r of rows) this.flushed.emit(r.executionId);
      } catch (e: unknown) {
        this.remember([line], storeFailure(e)?.cause ?? 'REFUSED');
        console.error(
          `runledger: could not write a log line of execution ${line.line.executionId}: ${toError(e).message} (batch: ${reason})`,
        );
      }
    }
    this.retryMarkersLater();
  }

  /** Lines that could not be written, per execution, for the marker the record gets. */
  private remember(lines: readonly TimedLogLine[], cause: string): void {
    this.stats.dropped += lines.length;
    for (const { line, ts } of lines) {
      const seen = this.lost.get(line.executionId);
      if (seen) {
        seen.count += 1;
        seen.to = ts;
      } else this.lost.set(line.executionId, { count: 1, cause, from: ts, to: ts });
    }
  }

  /** One line per execution that lost lines: how many, why, and when. */
  private markers(): TimedLogLine[] {
    const ts = new Date().toISOString();
    return [...this.lost].map(([executionId, lost]) => ({
      ts,
      line: {
        executionId,
        taskRunId: null,
        level: 'WARN' as const,
        source: MARKER_SOURCE,
        message: `${lost.count} log line(s) written between ${lost.from} and ${lost.to} could not be stored (${lost.cause}) and are missing here`,
      },
    }));
  }

  /** Writes the markers once the store takes writes again, even if no new line comes. */
  private retryMarkersLater(): void {
    if (this.lost.size === 0 || this.markerTimer) return;
    this.markerTimer = setTimeout(() => {
      this.markerTimer = undefined;
      this.chain = this.chain.then(() => (this.lost.size > 0 ? this.writeBatch([]) : undefined));
    }, MARKER_RETRY_MS);
    this.markerTimer.unref();
  }

  /** Tells this process's followers that lines of these executions were written by another transaction. */
  wake(executionIds: Iterable<string>): void {
    for (const executionId of new Set(executionIds)) this.flushed.emit(executionId);
  }
}
