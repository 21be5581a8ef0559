/**
 * The concurrency limit of this process's worker pool: at most `limit` task attempts run at once,
 * across all executions. Waiters are served first come, first served.
 */
export class TaskSlots {
  private inUse = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(readonly limit: number) {}

  get running(): number {
    return this.inUse;
  }

  async acquire(): Promise<void> {
    if (this.inUse < this.limit) {
      this.inUse += 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    // The slot passes straight to the next waiter; the count stays the same.
    if (next) next();
    else this.inUse -= 1;
  }
}
