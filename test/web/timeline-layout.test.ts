import { describe, expect, it } from 'vitest';
import {
  assignLanes,
  idleGaps,
  layoutTimeline,
  offsetLabel,
  type GroupRow,
  type RunRow,
  type TimelineLayout,
  type TimelineRun,
} from '../../web/src/lib/timeline-layout.ts';

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

/** The run rows (a layout without for_each items or on_failure runs has only these). */
const runRows = (layout: TimelineLayout): RunRow[] => layout.rows.filter((r): r is RunRow => r.kind === 'run');

describe('timeline layout', () => {
  it('places waits and runs on a linear axis when nothing is idle for long', () => {
    const layout = layoutTimeline([run('a', 1, 0, 100, 500), run('b', 1, 500, 500, 1000)], { startMs: T0, endMs: T0 + 1000, width: 1000 });
    expect(layout.gaps).toEqual([]);
    expect(
      runRows(layout).map((r) => [r.run.taskId, r.y, r.wait && [r.wait.x, r.wait.width], r.active && [r.active.x, r.active.width]]),
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
    expect(runRows(layout).map((r) => r.run.attempt)).toEqual([1, 2]);
    expect(runRows(layout)[1]!.wait).toMatchObject({ x: 200, width: 400, startMs: T0 + 1000, endMs: T0 + 3000 });
  });

  it('squeezes a long idle gap to a fixed width and keeps time order around it', () => {
    // a burst, an hour of nothing, a burst
    const hour = 3_600_000;
    const runs = [run('a', 1, 0, 0, 1000), run('b', 1, hour + 1000, hour + 1000, hour + 2000)];
    const layout = layoutTimeline(runs, { startMs: T0, endMs: T0 + hour + 2000, width: 424, gapPx: 24 });
    expect(layout.gaps).toHaveLength(1);
    expect(layout.gaps[0]).toMatchObject({ x: 200, width: 24, startMs: T0 + 1000, endMs: T0 + hour + 1000 });
    // 2 s of activity share the 400 px left: 200 px each
    expect(runRows(layout)[0]!.active).toMatchObject({ x: 0, width: 200 });
    expect(runRows(layout)[1]!.active).toMatchObject({ x: 224, width: 200 });
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
    expect(runRows(layout)[0]!.active).toMatchObject({ x: 0, width: 1500 });
  });

  describe('a for_each task', () => {
    // prepare 0–100; each_server's run 100–1100 holding 8 items two at a time, 250 ms each; report 1100–1200
    const items = Array.from({ length: 8 }, (_, i): TimelineRun => {
      const started = 100 + Math.floor(i / 2) * 250;
      return {
        ...run('each_server', 1, 100, started, started + 250, i === 5 ? 'failed' : 'succeeded'),
        id: `each_server[${i}]`,
        itemIndex: i,
        item: `web-0${i}`,
      };
    });
    const runs = [
      run('report', 1, 1100, 1100, 1200),
      ...items.reverse(),
      run('each_server', 1, 100, 100, 1100, 'failed'),
      run('prepare', 1, 0, 0, 100),
    ];
    const options = { startMs: T0, endMs: T0 + 1200, width: 1200, gapThresholdMs: Infinity };

    it('draws one closed group row from the first item start to the last item end, items in lanes', () => {
      const layout = layoutTimeline(runs, options);
      expect(layout.rows.map((r) => [r.kind, r.y])).toEqual([
        ['run', 0],
        ['group', 24],
        ['run', 48],
      ]);
      expect(layout.height).toBe(72);
      const group = layout.rows[1] as GroupRow;
      expect(group).toMatchObject({ taskId: 'each_server', items: 8, open: false, lanes: 2 });
      expect(group.counts).toEqual([
        { status: 'succeeded', count: 7 },
        { status: 'failed', count: 1 },
      ]);
      expect(group.span).toMatchObject({ x: 100, width: 1000 });
      expect(group.spans.map((s) => [s.itemIndex, s.x, s.width, s.lane])).toEqual([
        [0, 100, 250, 0],
        [1, 100, 250, 1],
        [2, 350, 250, 0],
        [3, 350, 250, 1],
        [4, 600, 250, 0],
        [5, 600, 250, 1],
        [6, 850, 250, 0],
        [7, 850, 250, 1],
      ]);
      expect(group.spans[5]!.status).toBe('failed');
    });

    it('opened, lists the items indented under the group and moves the rows below down', () => {
      const layout = layoutTimeline(runs, { ...options, groupOpen: { 'main:each_server': true } });
      expect(layout.rows.map((r) => (r.kind === 'run' ? [r.label, r.depth, r.y] : [r.kind, r.y]))).toEqual([
        ['prepare', 0, 0],
        ['group', 24],
        ...Array.from({ length: 8 }, (_, i) => [`[${i}] web-0${i}`, 1, 48 + i * 24]),
        ['report', 0, 240],
      ]);
      expect(layout.height).toBe(264);
      const third = layout.rows[4] as RunRow;
      expect(third.active).toMatchObject({ x: 350, width: 250 });
      // the wait of an item for its turn is drawn on its own row
      expect(third.wait).toMatchObject({ x: 100, width: 250 });
    });

    it('caps the lanes, and has no span while no item has started', () => {
      const layout = layoutTimeline(runs, { ...options, maxLanes: 1 });
      expect((layout.rows[1] as GroupRow).spans.every((s) => s.lane === 0)).toBe(true);
      const waiting = layoutTimeline(
        [run('each', 1, 0, 0, null, 'running'), { ...run('each', 1, 0, null, null, 'pending'), id: 'i0', itemIndex: 0 }],
        { ...options, nowMs: T0 + 1200 },
      );
      expect(waiting.rows[0]).toMatchObject({ kind: 'group', span: null, spans: [], lanes: 0, open: true });
    });
  });

  it('assigns lanes to overlapping intervals', () => {
    expect(
      assignLanes([
        { startMs: 0, endMs: 10 },
        { startMs: 5, endMs: 20 },
        { startMs: 10, endMs: 15 },
        { startMs: 12, endMs: 30 },
        { startMs: 20, endMs: 25 },
      ]),
    ).toEqual({ lanes: [0, 1, 0, 2, 0], count: 3 }); // the last takes the first lane free again
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
