/**
 * The rows of the timeline, in order, before any geometry: the task runs of the main phase, then a
 * separator and the on_failure runs. The item runs of a for_each task are gathered under one group
 * row (the task's own run folds into it), collapsed when there are many items; open, the item rows
 * follow it in item order, each attempt on a row of its own. Pure: the layout and the page use it.
 */
export interface TimelineRun {
  id: string;
  taskId: string;
  attempt: number;
  status: string;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  /** `main` unless given: the tests of the geometry leave it out. */
  phase?: string;
  /** The item's position in a for_each task's list; null (or absent) for any other run. */
  itemIndex?: number | null;
  /** The item itself, already masked by the API where it holds a secret. */
  item?: unknown;
}

export interface StatusCount {
  status: string;
  count: number;
}

export interface RunEntry {
  kind: 'run';
  run: TimelineRun;
  /** 1 for an item run, drawn indented under its group. */
  depth: 0 | 1;
  /** The task id, or `[index] item` for an item run. */
  label: string;
  /** The group an item run belongs to. */
  group: string | null;
}

export interface GroupEntry {
  kind: 'group';
  /** `phase:taskId`: what the open/closed state is kept under. */
  key: string;
  taskId: string;
  phase: string;
  /** Distinct items (an item retried twice counts once). */
  items: number;
  /** Items by the status of their latest attempt, in {@link STATUS_ORDER}. */
  counts: StatusCount[];
  open: boolean;
  /** The for_each task's own run(s), which hold the whole fan-out. */
  parents: TimelineRun[];
  /** Every attempt of every item, in item order. */
  itemRuns: TimelineRun[];
}

export interface PhaseEntry {
  kind: 'phase';
  phase: string;
  label: string;
}

export type TimelineEntry = RunEntry | GroupEntry | PhaseEntry;

export interface TimelineRowsOptions {
  /** The person's choice per group key; a group without one is open when it has at most `collapseAbove` items. */
  groupOpen?: Readonly<Record<string, boolean>>;
  collapseAbove?: number;
  /** Item values longer than this are cut with an ellipsis. */
  itemLabelMax?: number;
}

/** Ended states first, the way a summary is read; then the ones still moving. */
export const STATUS_ORDER = ['succeeded', 'failed', 'timed_out', 'cancelled', 'skipped', 'running', 'waiting', 'pending'] as const;

const DEFAULT_COLLAPSE_ABOVE = 5;
const DEFAULT_ITEM_LABEL_MAX = 32;

/** `[3] web-04`; a non-string item as compact JSON, cut to `max` characters. */
export function itemLabel(index: number, item: unknown, max = DEFAULT_ITEM_LABEL_MAX): string {
  let text: string;
  if (typeof item === 'string') text = item;
  else if (item === undefined) text = '';
  else text = JSON.stringify(item) ?? ''; // the API gives JSON values: never undefined here
  text = text.replace(/\s+/g, ' ').trim();
  if (text.length > max) text = `${text.slice(0, Math.max(1, max - 1))}…`;
  return text ? `[${index}] ${text}` : `[${index}]`;
}

/** `48 succeeded · 2 failed` */
export function countsLabel(counts: readonly StatusCount[]): string {
  return counts.map((c) => `${c.count} ${c.status.replace('_', ' ')}`).join(' · ');
}

const isItem = (run: TimelineRun): run is TimelineRun & { itemIndex: number } => run.itemIndex !== null && run.itemIndex !== undefined;
const phaseOf = (run: TimelineRun): string => run.phase ?? 'main';
const created = (run: TimelineRun): number => Date.parse(run.createdAt);
const byCreation = (p: TimelineRun, q: TimelineRun): number => created(p) - created(q) || p.attempt - q.attempt;

function statusCounts(itemRuns: readonly (TimelineRun & { itemIndex: number })[]): { items: number; counts: StatusCount[] } {
  const latest = new Map<number, TimelineRun>();
  for (const run of itemRuns) {
    const seen = latest.get(run.itemIndex);
    if (!seen || run.attempt > seen.attempt) latest.set(run.itemIndex, run);
  }
  const tally = new Map<string, number>();
  for (const run of latest.values()) tally.set(run.status, (tally.get(run.status) ?? 0) + 1);
  const rank = (s: string): number => {
    const i = (STATUS_ORDER as readonly string[]).indexOf(s);
    return i === -1 ? STATUS_ORDER.length : i;
  };
  const counts = [...tally]
    .map(([status, count]) => ({ status, count }))
    .sort((a, b) => rank(a.status) - rank(b.status) || a.status.localeCompare(b.status));
  return { items: latest.size, counts };
}

/**
 * One phase's entries: single runs and groups in order of creation (runs created together keep the
 * API's order), each group where its first run is, followed by its open items.
 */
function phaseEntries(runs: readonly TimelineRun[], phase: string, options: TimelineRowsOptions): TimelineEntry[] {
  const grouped = new Set(runs.filter(isItem).map((r) => r.taskId));
  const position = new Map(
    runs
      .map((run, i) => ({ run, i }))
      .sort((p, q) => byCreation(p.run, q.run) || p.i - q.i)
      .map(({ run }, k) => [run, k]),
  );
  const blocks: { at: number; entries: TimelineEntry[] }[] = [];
  for (const run of runs) {
    if (grouped.has(run.taskId)) continue;
    blocks.push({ at: position.get(run)!, entries: [{ kind: 'run', run, depth: 0, label: run.taskId, group: null }] });
  }
  for (const taskId of grouped) {
    const mine = runs.filter((r) => r.taskId === taskId);
    const itemRuns = mine.filter(isItem).sort((p, q) => p.itemIndex - q.itemIndex || p.attempt - q.attempt);
    const parents = mine.filter((r) => !isItem(r)).sort(byCreation);
    const key = `${phase}:${taskId}`;
    const { items, counts } = statusCounts(itemRuns);
    const open = options.groupOpen?.[key] ?? items <= (options.collapseAbove ?? DEFAULT_COLLAPSE_ABOVE);
    const entries: TimelineEntry[] = [{ kind: 'group', key, taskId, phase, items, counts, open, parents, itemRuns }];
    if (open) {
      for (const run of itemRuns) {
        entries.push({ kind: 'run', run, depth: 1, label: itemLabel(run.itemIndex, run.item, options.itemLabelMax), group: key });
      }
    }
    blocks.push({ at: Math.min(...mine.map((r) => position.get(r)!)), entries });
  }
  blocks.sort((p, q) => p.at - q.at);
  return blocks.flatMap((b) => b.entries);
}

/** The entries of the timeline, top to bottom. */
export function timelineEntries(runs: readonly TimelineRun[], options: TimelineRowsOptions = {}): TimelineEntry[] {
  const main = phaseEntries(
    runs.filter((r) => phaseOf(r) === 'main'),
    'main',
    options,
  );
  const rest = [...new Set(runs.map(phaseOf))].filter((p) => p !== 'main').sort();
  const after = rest.flatMap((phase): TimelineEntry[] => [
    { kind: 'phase', phase, label: phase },
    ...phaseEntries(
      runs.filter((r) => phaseOf(r) === phase),
      phase,
      options,
    ),
  ]);
  return [...main, ...after];
}
