import type { TaskRunView } from '../../client/types.ts';
import { colourStatus, formatDuration, type Colors } from './format.ts';

/** Columns the bars span; wide enough to tell overlapping tasks apart on an 80-column terminal. */
const AXIS_WIDTH = 48;

interface Span {
  run: TaskRunView;
  start: number;
  end: number;
  open: boolean;
}

/**
 * `execution inspect --timeline`: every task run that started, as a bar on one time axis from the
 * first start to the last end (or `now` for a running execution), so tasks that ran at the same time
 * stand one above the other. A running task's bar ends in `>`; each bar is labelled with its duration.
 *
 *   build      ████████████░░░░░░░░░░░░░░░░  1.2s  succeeded
 *   test-unit  ░░░░░░░░░░░░██████░░░░░░░░░░  600ms succeeded
 */
export function renderTimeline(runs: readonly TaskRunView[], now: number, c: Colors): string {
  const spans: Span[] = runs
    .filter((r) => r.startedAt !== null)
    .map((run) => {
      const start = Date.parse(run.startedAt!);
      const open = run.completedAt === null;
      const end = open ? Math.max(now, start) : Date.parse(run.completedAt!);
      return { run, start, end, open };
    })
    .sort((a, b) => a.start - b.start || a.end - b.end);
  if (spans.length === 0) return c.dim('(no task has started yet)');

  const origin = spans[0]!.start;
  const total = Math.max(1, Math.max(...spans.map((s) => s.end)) - origin);
  const column = (t: number): number => Math.min(AXIS_WIDTH - 1, Math.floor(((t - origin) / total) * AXIS_WIDTH));
  const labels = spans.map((s) => (s.run.attempt > 1 ? `${s.run.taskId} #${s.run.attempt}` : s.run.taskId));
  const labelWidth = Math.max(4, ...labels.map((l) => l.length));

  const lines = spans.map((s, i) => {
    const from = column(s.start);
    const to = Math.max(from, column(s.end));
    let bar = '';
    for (let x = 0; x < AXIS_WIDTH; x++) bar += x < from || x > to ? '·' : '█';
    if (s.open) bar = `${bar.slice(0, to)}>${bar.slice(to + 1)}`;
    const duration = formatDuration(s.end - s.start).padEnd(7);
    return `${labels[i]!.padEnd(labelWidth)}  ${bar}  ${duration} ${colourStatus(s.run.status, c)}`;
  });
  const axisEnd = `+${formatDuration(total)}`;
  const axis = `${''.padEnd(labelWidth)}  ${'0'.padEnd(AXIS_WIDTH - axisEnd.length)}${axisEnd}`;
  return [c.dim(axis), ...lines].join('\n');
}
