import { toError } from '../domain/task-failure.ts';

/**
 * Audit writes that must not be part of an answer's time: a refused read of someone else's execution
 * answers 404 exactly as a missing id does, and waiting for its audit row (an fsync'd commit) would
 * make it measurably slower, telling the caller the execution exists. They are written one after
 * another right after the answer; at most `maxPending` wait (a flood is counted and said once, not
 * queued without bound). `drain()` waits for them (the server's close, tests).
 */
export class DeferredAuditWrites {
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private dropped = 0;

  constructor(
    private readonly warn: (line: string) => void = (line) => console.error(`runledger: ${line}`),
    private readonly maxPending = 1000,
  ) {}

  /** Queues one write; it runs after those queued before it. */
  add(what: string, write: () => Promise<void>): void {
    if (this.pending >= this.maxPending) {
      if (this.dropped++ === 0) this.warn(`WARN more than ${this.maxPending} ${what} audit events waiting; further ones are not written`);
      return;
    }
    this.pending++;
    this.chain = this.chain.then(async () => {
      // After the answer has gone out: an embedded store commits synchronously, blocking the event
      // loop, so the write waits for the next turn of the loop rather than running with the answer.
      await new Promise<void>((resolve) => setImmediate(resolve));
      try {
        await write();
      } catch (e: unknown) {
        this.warn(`WARN a ${what} audit event could not be written: ${toError(e).message}`);
      } finally {
        this.pending--;
        if (this.pending === 0) this.dropped = 0;
      }
    });
  }

  /** Resolves once every write queued so far has been tried. */
  drain(): Promise<void> {
    return this.chain;
  }
}
