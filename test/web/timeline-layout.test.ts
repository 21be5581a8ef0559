import { describe, expect, it } from 'vitest';
import { idleGaps, layoutTimeline, offsetLabel, type TimelineRun } from '../../web/src/lib/timeline-layout.ts';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const run = (
  id: string,
  attempt: number,
  created: number,
  started: number | null,
  ended: number | null,
  status = 'succeeded',
): TimelineRun => ({
  id: `${id}#${attempt}`,
  taskId: id,
  attempt,
  status,
  createdAt: at(created),
  startedAt: started === null ? null : at(started),
  completedAt: ended === null ? null : at(ended),
});

describe('timeline layout', () => {
  it('places waits and runs on a linear axis when nothing is idle for long', () => {
    const layout = layoutTimeline([run('a', 1, 0, 100, 500), run('b', 1, 500, 500, 1000)], { startMs: T0, endMs: T0 + 1000, width: 1000 });
    expect(layout.gaps).toEqual([]);
    expect(
      layout.rows.map((r) => [r.run.taskId, r.y, r.wait && [r.wait.x, r.wait.width], r.active && [r.active.x, r.active.width]]),
    ).toEqual([
      ['a', 0, [0, 100], [100, 400]],
      ['b', 24, null, [500, 500]],
    ]);
    expect(layout.height).toBe(48);
    expect(layout.ticks[0]).toEqual({ x: 0, label: '0' });
    expect(layout.ticks.map((t) => t.label)).toContain('+500ms');
  });

  it('shows a retry as a second row whose wait is the backoff', () => {
    const layout = layoutTimeline([run('deploy', 2, 1000, 3000, 3500, 'failed'), run('deploy', 1, 0, 0, 1000, 'failed')], {
      startMs: T0,
      endMs: T0 + 3500,
      width: 700,
      gapThresholdMs: Infinity,
    });
    expect(layout.rows.map((r) => r.run.attempt)).toEqual([1, 2]);
    expect(layout.rows[1]!.wait).toMatchObject({ x: 200, width: 400, startMs: T0 + 1000, endMs: T0 + 3000 });
  });

  it('squeezes a long idle gap to a fixed width and keeps time order around it', () => {
    // a burst, an hour of nothing, a burst
    const hour = 3_600_000;
    const runs = [run('a', 1, 0, 0, 1000), run('b', 1, hour + 1000, hour + 1000, hour + 2000)];
    const layout = layoutTimeline(runs, { startMs: T0, endMs: T0 + hour + 2000, width: 424, gapPx: 24 });
    expect(layout.gaps).toHaveLength(1);
    expect(layout.gaps[0]).toMatchObject({ x: 200, width: 24, startMs: T0 + 1000, endMs: T0 + hour + 1000 });
    // 2 s of activity share the 400 px left: 200 px each
    expect(layout.rows[0]!.active).toMatchObject({ x: 0, width: 200 });
    expect(layout.rows[1]!.active).toMatchObject({ x: 224, width: 200 });
    expect(layout.x(T0 + hour / 2)).toBeGreaterThan(200);
    expect(layout.x(T0 + hour / 2)).toBeLessThan(224);
    // no tick inside the squeezed gap
    expect(layout.ticks.every((t) => t.x <= 200 || t.x >= 224)).toBe(true);
  });

  it('zooms by widening the axis, and draws a run that is still going up to now', () => {
    const layout = layoutTimeline([run('a', 1, 0, 0, null, 'running')], {
      startMs: T0,
      endMs: T0 + 1000,
      nowMs: T0 + 1000,
      width: 500,
      zoom: 3,
    });
    expect(layout.width).toBe(1500);
    expect(layout.rows[0]!.active).toMatchObject({ x: 0, width: 1500 });
  });

  it('finds idle stretches between overlapping intervals', () => {
    expect(
      idleGaps(
        [
          [10, 20],
          [15, 30],
          [50, 60],
        ],
        0,
        100,
      ),
    ).toEqual([
      [0, 10],
      [30, 50],
      [60, 100],
    ]);
  });

  it('labels offsets readably', () => {
    expect([0, 250, 1500, 90_000, 5_400_000].map(offsetLabel)).toEqual(['0', '+250ms', '+1.5s', '+1m30s', '+1h30m']);
  });
});
