import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { api, unwrap } from '../api/client.ts';
import { keys } from '../api/queries.ts';
import {
  EMPTY_WINDOW,
  appendLines,
  indexOfSeq,
  lineFromHash,
  prependLines,
  rowOffsets,
  visibleRows,
  type Level,
  type LogWindow,
  type WindowLine,
} from '../lib/log-window.ts';

const ROW_HEIGHT = 20;
const PAGE = 500;
/** Load more when the reader is this close to an edge of the window. */
const EDGE_PX = 600;
/** Past any seq (seq is a 32-bit integer column): `beforeSeq` of it is the tail. */
const FAR = 2_147_483_647;

export interface LogFilters {
  levels: Level[] | undefined;
  task: string | undefined;
}

/** The filters as the log endpoints take them. */
export function filterQuery(f: LogFilters) {
  return { ...(f.levels ? { level: f.levels.join(',') } : {}), ...(f.task ? { task: f.task } : {}) };
}

type PendingScroll = { kind: 'anchor'; seq: number; offset: number } | { kind: 'line'; seq: number } | { kind: 'bottom' };

/**
 * The window of log lines loaded by seq and where the reader stands in it: which lines are loaded,
 * which rows are on screen, whether it follows the live tail (Server-Sent Events while the execution
 * runs), the highlighted line, and the scroll position kept across loads. Opens at a linked line
 * (`#L<seq>`), the tail of a running execution, or the start; re-opens when the filters change.
 */
export function useLogWindow({
  executionId,
  running,
  filters,
  wrap,
  hash,
}: {
  executionId: string;
  running: boolean;
  filters: LogFilters;
  wrap: boolean;
  hash: string;
}) {
  const filterKey = JSON.stringify(filters);
  const queries = useQueryClient();

  const summary = useQuery({
    queryKey: keys.logSummary(executionId),
    queryFn: () => unwrap(api.GET('/v1/executions/{id}/logs/summary', { params: { path: { id: executionId } } })),
  });

  const [win, setWin] = useState<LogWindow>(EMPTY_WINDOW);
  const winRef = useRef(win);
  winRef.current = win;
  const [error, setError] = useState<unknown>(null);
  const [highlight, setHighlight] = useState<number | undefined>(lineFromHash(hash));
  const highlightRef = useRef(highlight);
  const [stick, setStick] = useState(false);
  const stickRef = useRef(stick);
  stickRef.current = stick;
  const [newLines, setNewLines] = useState(0);
  const [viewport, setViewport] = useState({ top: 0, height: 600 });
  const scroller = useRef<HTMLDivElement>(null);
  const loading = useRef({ older: false, newer: false });
  const heights = useRef(new Map<number, number>());
  const [measured, setMeasured] = useState(0);
  /** After the window changes, keep this row where it was on screen (or scroll to a line, or the bottom). */
  const pendingScroll = useRef<PendingScroll | null>(null);

  const page = useCallback(
    (query: { afterSeq?: number; beforeSeq?: number; limit?: number; level?: string }) =>
      unwrap(
        api.GET('/v1/executions/{id}/logs', {
          params: { path: { id: executionId }, query: { ...filterQuery(filters), limit: PAGE, ...query } },
        }),
      ),
    [executionId, filterKey],
  );

  /** Opens the window around a seq: lines before it and from it on. */
  const openAt = useCallback(
    async (seq: number) => {
      const [before, after] = await Promise.all([page({ beforeSeq: seq, limit: 200 }), page({ afterSeq: seq - 1, limit: 300 })]);
      heights.current.clear();
      pendingScroll.current = { kind: 'line', seq };
      setWin({ lines: [...before.items, ...after.items], atStart: !before.hasMore, atEnd: !after.hasMore });
      setStick(false);
    },
    [page],
  );

  const openTail = useCallback(async () => {
    const tail = await page({ beforeSeq: FAR });
    heights.current.clear();
    pendingScroll.current = { kind: 'bottom' };
    setWin({ lines: tail.items, atStart: !tail.hasMore, atEnd: true });
    setStick(true);
    setNewLines(0);
  }, [page]);

  const openHead = useCallback(async () => {
    const head = await page({ afterSeq: 0 });
    heights.current.clear();
    pendingScroll.current = { kind: 'anchor', seq: head.items[0]?.seq ?? 0, offset: 0 };
    setWin({ lines: head.items, atStart: true, atEnd: !head.hasMore });
    setStick(false);
  }, [page]);

  // where the log opens: a linked line, the tail of a running execution, or the start
  useEffect(() => {
    const linked = lineFromHash(window.location.hash);
    const open = linked !== undefined ? openAt(linked) : running ? openTail() : openHead();
    open.catch(setError);
    // re-open when the filters change; not when the execution's status does
  }, [filterKey]);

  // a link to a line (clicked here, or a hash changed by hand) opens there
  useEffect(() => {
    const linked = lineFromHash(hash);
    if (linked === undefined || linked === highlightRef.current) return;
    goTo(linked);
  }, [hash]);

  // live lines while the execution runs
  useEffect(() => {
    if (!running) return;
    const after = Math.max(summary.data?.lastSeq ?? 0, winRef.current.lines.at(-1)?.seq ?? 0);
    if (!summary.data) return;
    const query = new URLSearchParams({ follow: 'true', afterSeq: String(after), ...filterQuery(filters) });
    // Server-Sent Events on the same origin: the session cookie goes with them
    const source = new EventSource(`/v1/executions/${encodeURIComponent(executionId)}/logs?${query.toString()}`);
    source.addEventListener('line', (event) => {
      const line = JSON.parse((event as MessageEvent<string>).data) as WindowLine;
      const current = winRef.current;
      if (current.atEnd) {
        if (stickRef.current) pendingScroll.current = { kind: 'bottom' };
        else rememberAnchor();
        setWin((w) => appendLines(w, [line], false));
        if (!stickRef.current) setNewLines((n) => n + 1);
      } else setNewLines((n) => n + 1);
    });
    source.addEventListener('end', () => {
      source.close();
      void queries.invalidateQueries({ queryKey: keys.execution(executionId) });
      void queries.invalidateQueries({ queryKey: keys.logSummary(executionId) });
    });
    return () => source.close();
  }, [running, filterKey, summary.data === undefined]);

  const offsets = useMemo(() => rowOffsets(win.lines, wrap ? heights.current : new Map(), ROW_HEIGHT), [win, wrap, measured]);
  const total = offsets[offsets.length - 1] ?? 0;
  const [first, last] = visibleRows(offsets, viewport.top, viewport.height);

  function rememberAnchor() {
    const el = scroller.current;
    if (!el || winRef.current.lines.length === 0) return;
    const o = rowOffsets(winRef.current.lines, wrap ? heights.current : new Map(), ROW_HEIGHT);
    const [start] = visibleRows(o, el.scrollTop, el.clientHeight, 0);
    const line = winRef.current.lines[start];
    if (line) pendingScroll.current = { kind: 'anchor', seq: line.seq, offset: o[start]! - el.scrollTop };
  }

  // after the window changed: put the reader where they belong
  useLayoutEffect(() => {
    const el = scroller.current;
    const want = pendingScroll.current;
    if (!el || !want) return;
    pendingScroll.current = null;
    if (want.kind === 'bottom') el.scrollTop = el.scrollHeight;
    else {
      const i = indexOfSeq(win.lines, want.seq);
      const top = offsets[Math.min(i, win.lines.length - 1)] ?? 0;
      el.scrollTop = want.kind === 'line' ? Math.max(0, top - el.clientHeight / 3) : top - want.offset;
    }
    setViewport({ top: el.scrollTop, height: el.clientHeight });
  }, [win, offsets]);

  const loadOlder = useCallback(async () => {
    const w = winRef.current;
    if (loading.current.older || w.atStart || w.lines.length === 0) return;
    loading.current.older = true;
    try {
      const older = await page({ beforeSeq: w.lines[0]!.seq });
      rememberAnchor();
      setWin((current) => prependLines(current, older.items, older.hasMore));
    } catch (e: unknown) {
      setError(e);
    } finally {
      loading.current.older = false;
    }
  }, [page]);

  const loadNewer = useCallback(async () => {
    const w = winRef.current;
    if (loading.current.newer || w.atEnd) return;
    loading.current.newer = true;
    try {
      const newer = await page({ afterSeq: w.lines.at(-1)?.seq ?? 0 });
      rememberAnchor();
      setWin((current) => appendLines(current, newer.items, newer.hasMore));
    } catch (e: unknown) {
      setError(e);
    } finally {
      loading.current.newer = false;
    }
  }, [page]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    setViewport({ top: el.scrollTop, height: el.clientHeight });
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < ROW_HEIGHT * 2;
    if (stickRef.current && !atBottom) setStick(false);
    if (!stickRef.current && atBottom && winRef.current.atEnd && running) {
      setStick(true);
      setNewLines(0);
    }
    if (el.scrollTop < EDGE_PX) void loadOlder();
    if (el.scrollHeight - el.scrollTop - el.clientHeight < EDGE_PX) void loadNewer();
  };

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setViewport({ top: el.scrollTop, height: el.clientHeight }));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const measure = useCallback((seq: number, el: HTMLDivElement | null) => {
    if (!el) return;
    const h = el.offsetHeight;
    if (h > 0 && heights.current.get(seq) !== h) {
      heights.current.set(seq, h);
      setMeasured((m) => m + 1);
    }
  }, []);

  /** Scrolls to a line already in the window, or opens the window around it. */
  function goTo(seq: number) {
    setHighlight(seq);
    highlightRef.current = seq;
    const w = winRef.current;
    const i = indexOfSeq(w.lines, seq);
    if (w.lines[i]?.seq === seq) {
      pendingScroll.current = { kind: 'line', seq };
      setWin({ ...w });
      setStick(false);
    } else openAt(seq).catch(setError);
  }

  /** Highlights a line without moving the page. */
  function mark(seq: number) {
    setHighlight(seq);
    highlightRef.current = seq;
  }

  /** The seq the reader is looking at: the highlighted line if on screen, else the first visible one. */
  function position(): number {
    const w = winRef.current;
    if (highlight !== undefined && w.lines.some((l) => l.seq === highlight)) return highlight;
    return w.lines[visibleRows(offsets, viewport.top, viewport.height, 0)[0]]?.seq ?? 0;
  }

  return {
    summary,
    win,
    error,
    setError,
    highlight,
    stick,
    newLines,
    scroller,
    onScroll,
    offsets,
    total,
    first,
    last,
    measure,
    page,
    openHead,
    openTail,
    goTo,
    mark,
    position,
  };
}
