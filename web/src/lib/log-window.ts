/**
 * The log viewer's model: a window of lines loaded by `seq` (never the whole log), grown at either
 * edge as the reader scrolls and capped by dropping the far side; which rows of it are on screen;
 * the level filter's meanings; the search highlights. Pure: unit-tested without a browser.
 */
export interface WindowLine {
  seq: number;
  taskRunId: string | null;
  ts: string;
  level: string;
  source: string;
  message: string;
}

export interface LogWindow {
  lines: WindowLine[];
  /** No line before the first one matches the filters. */
  atStart: boolean;
  /** No line after the last one matches yet (more may come while the execution runs). */
  atEnd: boolean;
}

export const EMPTY_WINDOW: LogWindow = { lines: [], atStart: true, atEnd: true };

/** Lines kept at most: older ones are dropped from the far side (and loaded again when scrolled back to). */
export const WINDOW_CAP = 3000;

export const LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type Level = (typeof LEVELS)[number];

/** What the level filter means: everything, a level and the ones above it, exactly one, or a set. */
export type LevelFilter =
  { kind: 'all' } | { kind: 'atLeast'; level: Level } | { kind: 'exact'; level: Level } | { kind: 'set'; levels: Level[] };

/** The levels the API is asked for; undefined for all of them. */
export function levelsOf(filter: LevelFilter): Level[] | undefined {
  switch (filter.kind) {
    case 'all':
      return undefined;
    case 'atLeast':
      return LEVELS.slice(LEVELS.indexOf(filter.level));
    case 'exact':
      return [filter.level];
    case 'set':
      return LEVELS.filter((l) => filter.levels.includes(l));
  }
}

function isLevel(s: string): s is Level {
  return (LEVELS as readonly string[]).includes(s);
}

/** In the URL: `WARN+` (at or above), `=ERROR` (exactly), `INFO,ERROR` (a set); absent for all. */
export function levelFilterToParam(filter: LevelFilter): string | undefined {
  switch (filter.kind) {
    case 'all':
      return undefined;
    case 'atLeast':
      return `${filter.level}+`;
    case 'exact':
      return `=${filter.level}`;
    case 'set':
      return filter.levels.join(',');
  }
}

export function levelFilterFromParam(param: string | null | undefined): LevelFilter {
  if (!param) return { kind: 'all' };
  const p = param.toUpperCase();
  if (p.endsWith('+') && isLevel(p.slice(0, -1))) return { kind: 'atLeast', level: p.slice(0, -1) as Level };
  if (p.startsWith('=') && isLevel(p.slice(1))) return { kind: 'exact', level: p.slice(1) as Level };
  const levels = p.split(',').filter(isLevel);
  return levels.length > 0 ? { kind: 'set', levels } : { kind: 'all' };
}

/** Older lines before the window's first; when over the cap, the newest are dropped. */
export function prependLines(win: LogWindow, older: readonly WindowLine[], hasMore: boolean, cap = WINDOW_CAP): LogWindow {
  const first = win.lines[0]?.seq ?? Infinity;
  const fresh = older.filter((l) => l.seq < first);
  const lines = [...fresh, ...win.lines];
  const over = lines.length - cap;
  return {
    lines: over > 0 ? lines.slice(0, cap) : lines,
    atStart: !hasMore,
    atEnd: over > 0 ? false : win.atEnd,
  };
}

/** Newer lines after the window's last; when over the cap, the oldest are dropped. */
export function appendLines(win: LogWindow, newer: readonly WindowLine[], hasMore: boolean, cap = WINDOW_CAP): LogWindow {
  const last = win.lines.at(-1)?.seq ?? -Infinity;
  const fresh = newer.filter((l) => l.seq > last);
  const lines = [...win.lines, ...fresh];
  const over = lines.length - cap;
  return {
    lines: over > 0 ? lines.slice(over) : lines,
    atStart: over > 0 ? false : win.atStart,
    atEnd: !hasMore,
  };
}

/** The index of the line with this seq, or of the first line after it (binary search). */
export function indexOfSeq(lines: readonly WindowLine[], seq: number): number {
  let lo = 0;
  let hi = lines.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lines[mid]!.seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Top offset of every row (and the total height last), from measured heights or the default. */
export function rowOffsets(lines: readonly WindowLine[], heights: ReadonlyMap<number, number>, defaultHeight: number): number[] {
  const offsets = new Array<number>(lines.length + 1);
  let y = 0;
  for (let i = 0; i < lines.length; i++) {
    offsets[i] = y;
    y += heights.get(lines[i]!.seq) ?? defaultHeight;
  }
  offsets[lines.length] = y;
  return offsets;
}

/** The rows on screen (plus `overscan` either side): [start, end). */
export function visibleRows(offsets: readonly number[], scrollTop: number, viewportHeight: number, overscan = 20): [number, number] {
  const n = offsets.length - 1;
  if (n <= 0) return [0, 0];
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid + 1]! <= scrollTop) lo = mid + 1;
    else hi = mid;
  }
  const first = lo;
  let last = first;
  while (last < n && offsets[last]! < scrollTop + viewportHeight) last++;
  return [Math.max(0, first - overscan), Math.min(n, last + overscan)];
}

/** The text split around case-insensitive matches of the needle, for `<mark>`s. */
export function highlightParts(text: string, needle: string): { text: string; match: boolean }[] {
  if (!needle) return [{ text, match: false }];
  const lower = text.toLowerCase();
  const n = needle.toLowerCase();
  const parts: { text: string; match: boolean }[] = [];
  let at = 0;
  for (let i = lower.indexOf(n); i >= 0; i = lower.indexOf(n, i + n.length)) {
    if (i > at) parts.push({ text: text.slice(at, i), match: false });
    parts.push({ text: text.slice(i, i + n.length), match: true });
    at = i + n.length;
  }
  if (at < text.length) parts.push({ text: text.slice(at), match: false });
  return parts;
}

/** `#L123` → 123. */
export function lineFromHash(hash: string): number | undefined {
  const m = /^#L(\d{1,12})$/.exec(hash);
  return m ? Number(m[1]) : undefined;
}
