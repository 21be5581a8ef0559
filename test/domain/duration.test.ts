import { describe, expect, it } from 'vitest';
import { formatDurationMs, isDuration, parseDurationMs } from '../../src/domain/duration.ts';

describe('parseDurationMs', () => {
  it('reads single and compound durations', () => {
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('30s')).toBe(30_000);
    expect(parseDurationMs('5m')).toBe(300_000);
    expect(parseDurationMs('2h')).toBe(7_200_000);
    expect(parseDurationMs('1d')).toBe(86_400_000);
    expect(parseDurationMs('1h30m')).toBe(5_400_000);
    expect(parseDurationMs('1.5h')).toBe(5_400_000);
    expect(parseDurationMs('.5s')).toBe(500);
    expect(parseDurationMs('4m 05s')).toBe(245_000);
    expect(parseDurationMs(' 0s ')).toBe(0);
  });

  it('takes numbers as milliseconds', () => {
    expect(parseDurationMs(1500)).toBe(1500);
    expect(parseDurationMs(0)).toBe(0);
  });

  it('refuses what is not a duration', () => {
    for (const text of ['', '   ', '-5s', '5', 'abc', '5 minutes', '5m foo', '1h30', '1x', '5M', 'NaN']) {
      expect(parseDurationMs(text), text).toBeUndefined();
    }
    for (const n of [-1, Number.NaN, Number.POSITIVE_INFINITY]) expect(parseDurationMs(n)).toBeUndefined();
    expect(isDuration('5s')).toBe(true);
    expect(isDuration('5 minutes')).toBe(false);
  });
});

describe('formatDurationMs', () => {
  it('drops precision as durations grow', () => {
    expect(formatDurationMs(0)).toBe('0ms');
    expect(formatDurationMs(850)).toBe('850ms');
    expect(formatDurationMs(999.4)).toBe('999ms');
    expect(formatDurationMs(999.6)).toBe('1.0s');
    expect(formatDurationMs(12_345)).toBe('12.3s');
    expect(formatDurationMs(59_960)).toBe('1m 00s');
    expect(formatDurationMs(245_000)).toBe('4m 05s');
    expect(formatDurationMs(3_720_000)).toBe('1h 02m');
    expect(formatDurationMs(26 * 3_600_000)).toBe('26h 00m');
  });

  it('round-trips through parseDurationMs at its own precision', () => {
    expect(parseDurationMs(formatDurationMs(245_000))).toBe(245_000);
  });

  it('shows a dash for nonsense', () => {
    expect(formatDurationMs(-1)).toBe('-');
    expect(formatDurationMs(Number.NaN)).toBe('-');
  });
});
