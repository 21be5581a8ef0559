/**
 * Failed sign-ins of usernames that do not exist, counted in memory with the same policy the store
 * applies to real users, so a locked-out answer never tells whether a username exists.
 */
export class UnknownUserLockout {
  private readonly entries = new Map<string, { failures: number; lockedUntil: number }>();

  constructor(
    private readonly maxFailures: number,
    private readonly lockoutMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  /** Milliseconds left of a lockout, or 0. */
  lockedFor(username: string, now = Date.now()): number {
    const entry = this.entries.get(username);
    return entry && entry.lockedUntil > now ? entry.lockedUntil - now : 0;
  }

  recordFailure(username: string, now = Date.now()): void {
    if (this.entries.size >= this.maxEntries && !this.entries.has(username)) {
      // Oldest first: Map keeps insertion order.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    const entry = this.entries.get(username) ?? { failures: 0, lockedUntil: 0 };
    entry.failures += 1;
    if (entry.failures >= this.maxFailures) {
      entry.failures = 0;
      entry.lockedUntil = now + this.lockoutMs;
    }
    this.entries.set(username, entry);
  }
}
