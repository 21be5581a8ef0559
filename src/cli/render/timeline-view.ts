import type { TaskRunView } from '../../client/types.ts';
import { colourStatus, formatDuration, formatValue, truncate, type Colors } from './format.ts';

/** Columns the bars span; wide enough to tell overlapping tasks apart on an 80-column terminal. */
const AXIS_WIDTH = 48;
/** Item rows drawn under a for_each task before the rest are summed up in one line. */
const MAX_ITEM_ROWS = 10;

interface Span {
  start: number;
  end: number;
  open: boolean;
}

/** One line of the chart: a task run's own bar, or a for_each task's bar over all its items. */
interface Row {
  label: string;
  spans: Span[];
  status: string;
  /** A for_each task's count of item runs by status, shown after its own status. */
  itemCounts?: string;
}

function spanOf(run: TaskRunView, now: number): Span | null {
  if (run.startedAt === null) return null;
  const start = Date.parse(run.startedAt);
  if (run.completedAt === null) return { start, end: Math.max(now, start), open: true };
  return { start, end: Date.parse(run.completedAt), open: false };
}

function runLabel(run: TaskRunView): string {
  const base = run.itemIndex === null ? run.taskId : `  [${run.itemIndex}] ${truncate(formatValue(run.item), 24)}`;
  const attempt = run.attempt > 1 ? ` #${run.attempt}` : '';
  return `${base}${attempt}${run.phase === 'on_failure' ? ' (on_failure)' : ''}`;
}

function countByStatus(runs: readonly TaskRunView[]): string {
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${status}`).join(' · ');
}

/**
 * The item rows a for_each task shows: all of them when few; otherwise the ones that did not succeed
 * first (that is what a reader looks for), up to the limit, and one line for the rest.
 */
function itemRows(items: readonly TaskRunView[], now: number): { rows: Row[]; hidden: TaskRunView[] } {
  const ordered = [...items].sort((a, b) => a.itemIndex! - b.itemIndex! || a.attempt - b.attempt);
  const started = ordered.filter((r) => r.startedAt !== null);
  const shown =
    started.length <= MAX_ITEM_ROWS
      ? started
      : [...started.filter((r) => r.status !== 'succeeded'), ...started.filter((r) => r.status === 'succeeded')]
          .slice(0, MAX_ITEM_ROWS)
          .sort((a, b) => a.itemIndex! - b.itemIndex! || a.attempt - b.attempt);
  const kept = new Set(shown);
  return {
    rows: shown.map((r) => ({ label: runLabel(r), spans: [spanOf(r, now)!], status: r.status })),
    hidden: ordered.filter((r) => !kept.has(r)),
  };
}

/**
 * The rows in time order. A for_each task is one row whose bar covers every moment one of its items
 * ran, with its item runs indented under it, so fifty items read as one task and not fifty.
 */
function timelineRows(runs: readonly TaskRunView[], now: number, c: Colors): Row[] {
  const itemsOf = new Map<string, TaskRunView[]>();
  for (const r of runs) if (r.itemIndex !== null) itemsOf.set(r.taskId, [...(itemsOf.get(r.taskId) ?? []), r]);
  const groups: { start: number; rows: Row[] }[] = [];
  for (const run of runs) {
    if (run.itemIndex !== null) continue;
    const items = itemsOf.get(run.taskId);
    itemsOf.delete(run.taskId);
    const own = spanOf(run, now);
    if (!items) {
      if (own) groups.push({ start: own.start, rows: [{ label: runLabel(run), spans: [own], status: run.status }] });
      continue;
    }
    const { rows, hidden } = itemRows(items, now);
    const itemSpans = rows.flatMap((r) => r.spans);
    const hiddenSpans = hidden.map((r) => spanOf(r, now)).filter((s): s is Span => s !== null);
    const spans = [...itemSpans, ...hiddenSpans];
    if (spans.length === 0 && !own) continue;
    const head: Row = {
      label: `${runLabel(run)} ×${new Set(items.map((i) => i.itemIndex)).size}`,
      spans: spans.length > 0 ? spans : [own!],
      status: run.status,
      itemCounts: countByStatus(items),
    };
    const more =
      hidden.length > 0 ? [{ label: c.dim(`  … ${hidden.length} more item runs: ${countByStatus(hidden)}`), spans: [], status: '' }] : [];
    groups.push({ start: Math.min(...head.spans.map((s) => s.start)), rows: [head, ...rows, ...more] });
  }
  // item runs whose task run is not in the list (a filtered view) still show, each on its own
  for (const items of itemsOf.values())
    for (const r of items) {
      const span = spanOf(r, now);
      if (span) groups.push({ start: span.start, rows: [{ label: runLabel(r), spans: [span], status: r.status }] });
    }
  return groups.sort((a, b) => a.start - b.start).flatMap((g) => g.rows);
}

/**
 * `execution inspect --timeline`: every task run that started, as a bar on one time axis from the
 * first start to the last end (or `now` for a running execution), so tasks that ran at the same time
 * stand one above the other. A running task's bar ends in `>`; each bar is labelled with its duration.
 * A for_each task's items are grouped under one bar for the task (see `timelineRows`).
 *
 *   build      ████████████░░░░░░░░░░░░░░░░  1.2s  succeeded
 *   test-unit  ░░░░░░░░░░░░██████░░░░░░░░░░  600ms succeeded
 */
export function renderTimeline(runs: readonly TaskRunView[], now: number, c: Colors): string {
  const rows = timelineRows(runs, now, c);
  const all = rows.flatMap((r) => r.spans);
  if (all.length === 0) return c.dim('(no task has started yet)');

  const origin = Math.min(...all.map((s) => s.start));
  const total = Math.max(1, Math.max(...all.map((s) => s.end)) - origin);
  const column = (t: number): number => Math.min(AXIS_WIDTH - 1, Math.floor(((t - origin) / total) * AXIS_WIDTH));
  const labelWidth = Math.max(4, ...rows.filter((r) => r.spans.length > 0).map((r) => r.label.length));

  const lines = rows.map((row) => {
    if (row.spans.length === 0) return row.label;
    const cells: string[] = Array.from({ length: AXIS_WIDTH }, () => '·');
    for (const s of row.spans) {
      const from = column(s.start);
      const to = Math.max(from, column(s.end));
      for (let x = from; x <= to; x++) if (cells[x] === '·') cells[x] = '█';
      if (s.open) cells[to] = '>';
    }
    const start = Math.min(...row.spans.map((s) => s.start));
    const end = Math.max(...row.spans.map((s) => s.end));
    const duration = formatDuration(end - start).padEnd(7);
    const counts = row.itemCounts ? c.dim(`  (items: ${row.itemCounts})`) : '';
    return `${row.label.padEnd(labelWidth)}  ${cells.join('')}  ${duration} ${colourStatus(row.status, c)}${counts}`;
  });
  const axisEnd = `+${formatDuration(total)}`;
  const axis = `${''.padEnd(labelWidth)}  ${'0'.padEnd(AXIS_WIDTH - axisEnd.length)}${axisEnd}`;
  return [c.dim(axis), ...lines].join('\n');
}
