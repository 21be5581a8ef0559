/** Timestamps are UTC ISO-8601 strings with millisecond precision everywhere above the store. */
export function nowIso(): string {
  return new Date().toISOString();
}
