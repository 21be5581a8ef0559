/** Timestamps are UTC ISO-8601 strings with millisecond precision everywhere above the store. */
export function nowIso(): string {
  return new Date().toISOString();
}

/**
 * The instants a filter may name: 1970-01-01 to 9999-12-31. Stored timestamps are ISO strings
 * compared as text, which only orders correctly for four-digit years; year 99999 (`+099999-…`)
 * would sort before every record and match them all.
 */
export const EARLIEST_INSTANT_MS = Date.UTC(1970, 0, 1);
export const LATEST_INSTANT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** An ISO-8601 date (`2026-12-03`) or timestamp (`2026-12-03T10:00:00Z`, with an offset or fraction). */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/** `text` as a UTC ISO timestamp when it is an ISO-8601 date or timestamp within the range above. */
export function parseInstant(text: string): string | undefined {
  if (!ISO_INSTANT.test(text.trim())) return undefined;
  return instantOf(Date.parse(text.trim()));
}

/** Milliseconds since the epoch as a UTC ISO timestamp, when within the range above. */
export function instantOf(ms: number): string | undefined {
  return Number.isFinite(ms) && ms >= EARLIEST_INSTANT_MS && ms <= LATEST_INSTANT_MS ? new Date(ms).toISOString() : undefined;
}
