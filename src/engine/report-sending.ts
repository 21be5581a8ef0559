import { setTimeout as delay } from 'node:timers/promises';
import { toError } from '../domain/task-failure.ts';
import { storeFailure } from '../store/store-failure.ts';

/**
 * Items made ready in the same turn of the event loop, sent to the store as one set (`send`). A set
 * that fails for another reason than the store is sent again item by item (each prepared by `alone`),
 * so that one bad item does not sink the others; each caller learns its own item's outcome.
 */
export class TurnBatch<T> {
  private pending: Array<{ item: T; resolve(): void; reject(error: Error): void }> = [];

  constructor(
    private readonly send: (items: readonly T[]) => Promise<void>,
    private readonly alone: (item: T) => T,
  ) {}

  /** Resolves once the set holding `item` was taken by the store; rejects if it was not. */
  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => void this.flush(this.pending.splice(0)));
    });
  }

  private async flush(set: TurnBatch<T>['pending']): Promise<void> {
    try {
      await this.send(set.map((p) => p.item));
      for (const p of set) p.resolve();
    } catch (e: unknown) {
      if (set.length === 1 || storeFailure(e)) {
        for (const p of set) p.reject(toError(e));
        return;
      }
      for (const p of set) await this.flush([{ ...p, item: this.alone(p.item) }]);
    }
  }
}

/**
 * Sends what the store cannot take now (a full disk, the database down) again until it can, unless
 * `givenUp` says to stop: a run's real ending is recorded once the store is back (or, if its lease
 * ran out meanwhile, the late report is refused and audited like any other).
 */
export async function untilStored<T>(submit: () => Promise<T>, givenUp: () => boolean): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await submit();
    } catch (e: unknown) {
      if (!storeFailure(e) || givenUp()) throw e;
      await delay(Math.min(5000, 250 * attempt));
    }
  }
}
