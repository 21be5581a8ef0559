/**
 * How many audit events requests without credentials may cause (failed and refused sign-ins). Each
 * is an fsync'd row on an append-only chain that retention keeps for a year, so an anonymous client
 * must not be able to write without bound: events come out of a token bucket (a burst, then a steady
 * rate), and those over it are counted instead of written. The count is carried by the next event
 * that is written (`unrecordedBefore`), so the record still says how many attempts there were.
 */
export class AnonymousAuditBudget {
  private tokens: number;
  private refilledAt: number;
  private unrecorded = 0;

  constructor(
    private readonly burst = 60,
    private readonly perSecond = 1,
    now = Date.now(),
  ) {
    this.tokens = burst;
    this.refilledAt = now;
  }

  /**
   * Whether one more event may be written now; when it may, also how many were not written since the
   * last one (to record with it).
   */
  take(now = Date.now()): { write: true; unrecordedBefore: number } | { write: false } {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.perSecond);
    this.refilledAt = now;
    if (this.tokens < 1) {
      this.unrecorded += 1;
      return { write: false };
    }
    this.tokens -= 1;
    const unrecordedBefore = this.unrecorded;
    this.unrecorded = 0;
    return { write: true, unrecordedBefore };
  }
}
