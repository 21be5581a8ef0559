import { EventEmitter } from 'node:events';
import type { LogFeed } from './log-collector.ts';

/**
 * The feed followers subscribe to: this process's LogCollector, plus wake-ups for lines other
 * processes wrote (PostgreSQL NOTIFY, passed to `wake`). A line this process wrote may wake a
 * follower twice (its own NOTIFY comes back too); a follower then finds nothing new the second time.
 */
export class CombinedLogFeed implements LogFeed {
  private readonly remote = new EventEmitter().setMaxListeners(0);

  constructor(private readonly local: LogFeed) {}

  /** New lines of `executionId` are durable, written by some process. */
  wake(executionId: string): void {
    this.remote.emit(executionId);
  }

  subscribe(executionId: string, listener: () => void): () => void {
    const offLocal = this.local.subscribe(executionId, listener);
    this.remote.on(executionId, listener);
    return () => {
      offLocal();
      this.remote.off(executionId, listener);
    };
  }
}
