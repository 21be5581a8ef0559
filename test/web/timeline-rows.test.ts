import { describe, expect, it } from 'vitest';
import { countsLabel, itemLabel, timelineEntries, type TimelineEntry, type TimelineRun } from '../../web/src/lib/timeline-rows.ts';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

function run(taskId: string, created: number, extra: Partial<TimelineRun> = {}): TimelineRun {
  const attempt = extra.attempt ?? 1;
  const index = extra.itemIndex ?? null;
  return {
    id: `${taskId}${index === null ? '' : `[${index}]`}#${attempt}`,
    taskId,
    attempt,
    status: 'succeeded',
    createdAt: at(created),
    startedAt: at(created),
    completedAt: at(created + 10),
    phase: 'main',
    itemIndex: null,
    item: null,
    ...extra,
  };
}
const item = (taskId: string, index: number, created: number, extra: Partial<TimelineRun> = {}) =>
  run(taskId, created, { itemIndex: index, item: `host-${index}`, ...extra });

/** Each entry as one readable string: `group check ×3 open`, `  run [0] host-0 #1`, `run build #1`, `-- on_failure`. */
const shape = (entries: TimelineEntry[]) =>
  entries.map((e) => {
    if (e.kind === 'phase') return `-- ${e.phase}`;
    if (e.kind === 'group') return `group ${e.taskId} ×${e.items} ${e.open ? 'open' : 'closed'}`;
    return `${e.depth ? '  ' : ''}run ${e.label} #${e.run.attempt}`;
  });

describe('timeline rows', () => {
  it('keeps runs without items one per row, in order of creation, attempts in order', () => {
    const entries = timelineEntries([run('b', 20), run('a', 0, { attempt: 2 }), run('a', 0)]);
    expect(shape(entries)).toEqual(['run a #1', 'run a #2', 'run b #1']);
  });

  it('keeps the order the API gives for runs created at the same instant, a group at its task run', () => {
    const entries = timelineEntries([run('prepare', 0), run('each', 0), item('each', 0, 5), run('verify', 0)]);
    expect(shape(entries)).toEqual(['run prepare #1', 'group each ×1 open', '  run [0] host-0 #1', 'run verify #1']);
  });

  it('gathers the items of a for_each task under one group at the place of its task run, items in index order', () => {
    const entries = timelineEntries([
      run('build', 0),
      run('check', 10),
      // created out of order, as a worker may write them
      item('check', 2, 12),
      item('check', 0, 11),
      item('check', 1, 11),
      run('report', 50),
    ]);
    expect(shape(entries)).toEqual([
      'run build #1',
      'group check ×3 open',
      '  run [0] host-0 #1',
      '  run [1] host-1 #1',
      '  run [2] host-2 #1',
      'run report #1',
    ]);
    const group = entries[1]!;
    expect(group).toMatchObject({ kind: 'group', key: 'main:check', parents: [expect.objectContaining({ id: 'check#1' })] });
    expect(entries.slice(2).every((e) => e.kind !== 'run' || e.run.taskId !== 'check' || e.group === 'main:check')).toBe(true);
  });

  it('closes a group of more than five items unless the person opened it, and opens a small one unless closed', () => {
    const many = Array.from({ length: 6 }, (_, i) => item('each', i, 1 + i));
    const few = Array.from({ length: 5 }, (_, i) => item('few', i, 100 + i));
    const runs = [run('each', 0), ...many, run('few', 99), ...few];
    expect(shape(timelineEntries(runs))).toEqual([
      'group each ×6 closed',
      'group few ×5 open',
      ...few.map((_, i) => `  run [${i}] host-${i} #1`),
    ]);
    const flipped = timelineEntries(runs, { groupOpen: { 'main:each': true, 'main:few': false } });
    expect(shape(flipped)).toEqual(['group each ×6 open', ...many.map((_, i) => `  run [${i}] host-${i} #1`), 'group few ×5 closed']);
    expect(shape(timelineEntries(runs, { collapseAbove: 100 })).filter((s) => s.startsWith('  '))).toHaveLength(11);
  });

  it('counts each item once, by its latest attempt, ended states first', () => {
    const entries = timelineEntries([
      run('each', 0, { status: 'failed' }),
      item('each', 0, 1, { status: 'failed' }),
      item('each', 0, 5, { attempt: 2, status: 'succeeded' }),
      item('each', 1, 1, { status: 'failed' }),
      item('each', 1, 5, { attempt: 2, status: 'failed' }),
      item('each', 2, 1, { status: 'skipped' }),
      item('each', 3, 1, { status: 'running' }),
      item('each', 4, 1, { status: 'succeeded' }),
    ]);
    const group = entries[0];
    if (group?.kind !== 'group') throw new Error('no group first');
    expect(group.items).toBe(5);
    expect(group.counts).toEqual([
      { status: 'succeeded', count: 2 },
      { status: 'failed', count: 1 },
      { status: 'skipped', count: 1 },
      { status: 'running', count: 1 },
    ]);
    expect(countsLabel(group.counts)).toBe('2 succeeded · 1 failed · 1 skipped · 1 running');
    // the attempts of one item stay next to each other
    expect(shape(entries).slice(1, 5)).toEqual([
      '  run [0] host-0 #1',
      '  run [0] host-0 #2',
      '  run [1] host-1 #1',
      '  run [1] host-1 #2',
    ]);
  });

  it('puts on_failure runs after a separator, grouping their items apart from the main phase', () => {
    const entries = timelineEntries([
      run('notify', 100, { phase: 'on_failure' }),
      item('notify', 0, 101, { phase: 'on_failure' }),
      run('build', 0, { status: 'failed' }),
      run('cleanup', 90, { phase: 'on_failure' }),
    ]);
    expect(shape(entries)).toEqual(['run build #1', '-- on_failure', 'run cleanup #1', 'group notify ×1 open', '  run [0] host-0 #1']);
    expect(entries[3]).toMatchObject({ key: 'on_failure:notify', phase: 'on_failure' });
    // without on_failure runs there is no separator
    expect(shape(timelineEntries([run('build', 0)]))).toEqual(['run build #1']);
  });

  it('labels an item by its index and value, cut when long, masked values as the API gives them', () => {
    expect(itemLabel(3, 'web-04')).toBe('[3] web-04');
    expect(itemLabel(0, { host: 'db', port: 5432 })).toBe('[0] {"host":"db","port":5432}');
    expect(itemLabel(12, 'x'.repeat(100), 10)).toBe(`[12] ${'x'.repeat(9)}…`);
    expect(itemLabel(1, 'two\nlines')).toBe('[1] two lines');
    expect(itemLabel(2, '***')).toBe('[2] ***');
    expect(itemLabel(4, null)).toBe('[4] null');
    expect(itemLabel(5, '')).toBe('[5]');
  });
});
