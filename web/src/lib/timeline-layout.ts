/**
 * The Gantt of an execution's task runs, as numbers: where each attempt's wait (created → started)
 * and run (started → ended) sit on the time axis, the axis ticks, and the idle gaps squeezed to a
 * fixed width so a long, bursty run stays readable. Pure: the SVG component only draws this.
 */
import {
  timelineEntries,
  type GroupEntry,
  type PhaseEntry,
  type RunEntry,
  type TimelineRowsOptions,
  type TimelineRun,
} from './timeline-rows.ts';

export type { TimelineRun } from './timeline-rows.ts';

export interface TimelineOptions {
  /** Where the axis starts and ends (the execution's start, and its end or now). */
  startMs: number;
  endMs: number;
  /** Width of the plot at zoom 1, in px. */
  width: number;
  /** 1 = fit; 2 = twice as wide… */
  zoom?: number;
  /** An idle stretch longer than this (and longer than `gapFraction` of the span) is compressed. */
  gapThresholdMs?: number;
  gapFraction?: number;
  /** Width of a compressed gap. */
  gapPx?: number;
  rowHeight?: number;
  /** Instead of an open run's end. */
  nowMs?: number;
  /** How many lanes a group row's bar splits into at most, to show items running side by side. */
  maxLanes?: number;
}

export interface Segment {
  x: number;
  width: number;
  startMs: number;
  endMs: number;
}

export interface RunRow extends RunEntry {
  y: number;
  /** Created but not started: queued, or waiting for a retry's backoff. */
  wait: Segment | null;
  active: Segment | null;
}

/** One attempt of one item, drawn inside its group's bar. */
export interface ItemSpan extends Segment {
  itemIndex: number;
  attempt: number;
  status: string;
  /** 0 at the top; items that overlap in time get different lanes (modulo `lanes`). */
  lane: number;
}

export interface GroupRow extends GroupEntry {
  y: number;
  /** From the first item's start to the last item's end (or now); null while no item has started. */
  span: Segment | null;
  spans: ItemSpan[];
  /** How many lanes `spans` use: the items' concurrency, capped at `maxLanes`. */
  lanes: number;
}

export interface PhaseRow extends PhaseEntry {
  y: number;
}

export type TimelineRow = RunRow | GroupRow | PhaseRow;

export interface Gap {
  x: number;
  width: number;
  startMs: number;
  endMs: number;
}

export interface Tick {
  x: number;
  label: string;
}

export interface TimelineLayout {
  rows: TimelineRow[];
  gaps: Gap[];
  ticks: Tick[];
  width: number;
  height: number;
  /** Time → x, through the compressed gaps. */
  x(ms: number): number;
}

interface Piece {
  t0: number;
  t1: number;
  x0: number;
  x1: number;
}

/** The stretches where no run is queued or running, longest first not needed: in time order. */
export function idleGaps(intervals: [number, number][], startMs: number, endMs: number): [number, number][] {
  const sorted = intervals.filter(([a, b]) => b > a).sort((p, q) => p[0] - q[0]);
  const gaps: [number, number][] = [];
  let cursor = startMs;
  for (const [a, b] of sorted) {
    if (a > cursor) gaps.push([cursor, Math.min(a, endMs)]);
    cursor = Math.max(cursor, b);
    if (cursor >= endMs) break;
  }
  if (cursor < endMs) gaps.push([cursor, endMs]);
  return gaps.filter(([a, b]) => b > a);
}

const STEPS_MS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000,
  3_600_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000,
];

/** `+250ms`, `+1.5s`, `+2m`, `+1h30m`: an offset from the axis' start. */
export function offsetLabel(ms: number): string {
  if (ms === 0) return '0';
  if (ms < 1000) return `+${ms}ms`;
  if (ms < 60_000) return `+${Number((ms / 1000).toFixed(1))}s`;
  if (ms < 3_600_000) {
    const m = Math.floor(ms / 60_000);
    const s = Math.round((ms % 60_000) / 1000);
    return s ? `+${m}m${s}s` : `+${m}m`;
  }
  const h = Math.floor(ms / 3_600_000);
  const m = Math.round((ms % 3_600_000) / 60_000);
  return m ? `+${h}h${m}m` : `+${h}h`;
}

/** Lanes for intervals in start order: each takes the first lane free at its start. */
export function assignLanes(intervals: readonly { startMs: number; endMs: number }[]): { lanes: number[]; count: number } {
  const ends: number[] = [];
  const lanes = intervals.map(({ startMs, endMs }) => {
    let lane = ends.findIndex((end) => end <= startMs);
    if (lane === -1) lane = ends.push(endMs) - 1;
    else ends[lane] = endMs;
    return lane;
  });
  return { lanes, count: ends.length };
}

export function layoutTimeline(runs: readonly TimelineRun[], options: TimelineOptions & TimelineRowsOptions): TimelineLayout {
  const zoom = Math.max(1, options.zoom ?? 1);
  const width = Math.max(100, options.width * zoom);
  const rowHeight = options.rowHeight ?? 24;
  const gapPx = options.gapPx ?? 24;
  const now = options.nowMs ?? options.endMs;
  const startMs = options.startMs;
  const endMs = Math.max(options.endMs, startMs + 1);
  const span = endMs - startMs;

  const times = runs.map((run) => {
    const created = Date.parse(run.createdAt);
    const started = run.startedAt ? Date.parse(run.startedAt) : null;
    const ended = run.completedAt ? Date.parse(run.completedAt) : null;
    return { created, started, ended: ended ?? (started !== null || run.status === 'pending' || run.status === 'waiting' ? now : created) };
  });

  const threshold = Math.max(options.gapThresholdMs ?? 5000, span * (options.gapFraction ?? 0.1));
  const compressed = idleGaps(
    times.map((t) => [t.created, t.ended]),
    startMs,
    endMs,
  ).filter(([a, b]) => b - a > threshold);
  const compressedMs = compressed.reduce((n, [a, b]) => n + (b - a), 0);
  const linearPx = Math.max(1, width - compressed.length * gapPx);
  const pxPerMs = linearPx / Math.max(1, span - compressedMs);

  const pieces: Piece[] = [];
  let t = startMs;
  let x = 0;
  for (const [a, b] of compressed) {
    if (a > t) {
      pieces.push({ t0: t, t1: a, x0: x, x1: x + (a - t) * pxPerMs });
      x += (a - t) * pxPerMs;
    }
    pieces.push({ t0: a, t1: b, x0: x, x1: x + gapPx });
    x += gapPx;
    t = b;
  }
  pieces.push({ t0: t, t1: endMs, x0: x, x1: x + (endMs - t) * pxPerMs });

  const toX = (ms: number): number => {
    if (ms <= startMs) return 0;
    for (const p of pieces) {
      if (ms <= p.t1) return p.x0 + ((ms - p.t0) / Math.max(1, p.t1 - p.t0)) * (p.x1 - p.x0);
    }
    return pieces.at(-1)!.x1;
  };
  const segment = (a: number, b: number): Segment => {
    const x0 = toX(a);
    // a run of a few ms stays visible
    return { x: x0, width: Math.max(2, toX(b) - x0), startMs: a, endMs: b };
  };

  const timeOf = new Map(runs.map((run, i) => [run, times[i]!]));
  const time = (run: TimelineRun) => timeOf.get(run)!;
  const maxLanes = Math.max(1, options.maxLanes ?? 4);
  const rows: TimelineRow[] = timelineEntries(runs, options).map((entry, i): TimelineRow => {
    const y = i * rowHeight;
    if (entry.kind === 'phase') return { ...entry, y };
    if (entry.kind === 'run') {
      const t = time(entry.run);
      return {
        ...entry,
        y,
        wait: (t.started ?? t.ended) > t.created ? segment(t.created, t.started ?? t.ended) : null,
        active: t.started !== null ? segment(t.started, t.ended) : null,
      };
    }
    const started = entry.itemRuns
      .map((run) => ({ run, t: time(run) }))
      .filter(
        (s): s is { run: TimelineRun & { itemIndex: number }; t: { created: number; started: number; ended: number } } =>
          s.t.started !== null,
      )
      .sort((p, q) => p.t.started - q.t.started || p.run.itemIndex - q.run.itemIndex);
    const { lanes, count } = assignLanes(started.map(({ t }) => ({ startMs: t.started, endMs: t.ended })));
    const shown = Math.min(count, maxLanes);
    const spans = started.map(({ run, t }, k) => ({
      ...segment(t.started, t.ended),
      itemIndex: run.itemIndex,
      attempt: run.attempt,
      status: run.status,
      lane: lanes[k]! % Math.max(1, shown),
    }));
    const first = started[0]?.t.started;
    const last = Math.max(...started.map(({ t }) => t.ended));
    return { ...entry, y, span: first === undefined ? null : segment(first, last), spans, lanes: shown };
  });

  const gaps = compressed.map(([a, b]) => ({ x: toX(a), width: gapPx, startMs: a, endMs: b }));

  // ticks about every 100 px of uncompressed time
  const step = STEPS_MS.find((s) => s * pxPerMs >= 100) ?? STEPS_MS.at(-1)!;
  const ticks: Tick[] = [];
  for (let at = 0; at <= span; at += step) {
    const ms = startMs + at;
    if (compressed.some(([a, b]) => ms > a && ms < b)) continue;
    ticks.push({ x: toX(ms), label: offsetLabel(at) });
    if (ticks.length > 500) break;
  }

  return { rows, gaps, ticks, width, height: rows.length * rowHeight, x: toX };
}
