import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { keys } from '../api/queries.ts';
import { ErrorNote, Time } from '../components/common.tsx';
import { LevelFilterControl } from './level-filter-control.tsx';
import { LogRow } from './log-row.tsx';
import { useLogSearch } from './use-log-search.ts';
import {
  EMPTY_WINDOW,
  LEVELS,
  appendLines,
  indexOfSeq,
  levelFilterFromParam,
  levelFilterToParam,
  levelsOf,
  lineFromHash,
  prependLines,
  rowOffsets,
  visibleRows,
  type Level,
  type LevelFilter,
  type LogWindow,
  type WindowLine,
} from '../lib/log-window.ts';
import { usePrefs } from '../prefs.tsx';
import { navigate, useLocation } from '../router.tsx';

type Execution = Schemas['ExecutionDetail'];

const ROW_HEIGHT = 20;
const PAGE = 500;
/** Load more when the reader is this close to an edge of the window. */
const EDGE_PX = 600;
/** Past any seq (seq is a 32-bit integer column): `beforeSeq` of it is the tail. */
const FAR = 2_147_483_647;
const RUNNING = new Set(['pending', 'running', 'waiting']);

interface Filters {
  levels: Level[] | undefined;
  task: string | undefined;
}

function filterQuery(f: Filters) {
  return { ...(f.levels ? { level: f.levels.join(',') } : {}), ...(f.task ? { task: f.task } : {}) };
}

/**
 * The log of one execution, for logs of any size: a window of lines loaded by seq (never the whole
 * log) and only the rows on screen in the page; opens at the tail of a running execution and
 * follows it, at a linked line (`#L<seq>`), or at the start.
 */
export function LogViewer({ execution }: { execution: Execution }) {
  const { prefs, setPrefs } = usePrefs();
  const { search, hash, pathname } = useLocation();
  const params = new URLSearchParams(search);
  const levelFilter = levelFilterFromParam(params.get('level'));
  const task = params.get('task') ?? undefined;
  const filters = useMemo<Filters>(() => ({ levels: levelsOf(levelFilter), task }), [levelFilterToParam(levelFilter), task]);
  const filterKey = JSON.stringify(filters);
  const running = RUNNING.has(execution.status);
  const queries = useQueryClient();

  const summary = useQuery({
    queryKey: keys.logSummary(execution.id),
    queryFn: () => unwrap(api.GET('/v1/executions/{id}/logs/summary', { params: { path: { id: execution.id } } })),
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
  const pendingScroll = useRef<{ kind: 'anchor'; seq: number; offset: number } | { kind: 'line'; seq: number } | { kind: 'bottom' } | null>(
    null,
  );

  const page = useCallback(
    (query: { afterSeq?: number; beforeSeq?: number; limit?: number; level?: string }) =>
      unwrap(
        api.GET('/v1/executions/{id}/logs', {
          params: { path: { id: execution.id }, query: { ...filterQuery(filters), limit: PAGE, ...query } },
        }),
      ),
    [execution.id, filterKey],
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
    const source = new EventSource(`/v1/executions/${encodeURIComponent(execution.id)}/logs?${query.toString()}`);
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
      void queries.invalidateQueries({ queryKey: keys.execution(execution.id) });
      void queries.invalidateQueries({ queryKey: keys.logSummary(execution.id) });
    });
    return () => source.close();
  }, [running, filterKey, summary.data === undefined]);

  const offsets = useMemo(
    () => rowOffsets(win.lines, prefs.logWrap ? heights.current : new Map(), ROW_HEIGHT),
    [win, prefs.logWrap, measured],
  );
  const total = offsets[offsets.length - 1] ?? 0;
  const [first, last] = visibleRows(offsets, viewport.top, viewport.height);

  function rememberAnchor() {
    const el = scroller.current;
    if (!el || winRef.current.lines.length === 0) return;
    const o = rowOffsets(winRef.current.lines, prefs.logWrap ? heights.current : new Map(), ROW_HEIGHT);
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

  /** Goes to a line (loading the window around it if needed) and puts its link in the address bar. */
  function linkTo(seq: number) {
    goTo(seq);
    navigate(`${pathname}${search}#L${seq}`, { replace: true });
  }

  /** A click on a line's number: highlights it and links it, without moving the page. */
  function markLine(seq: number) {
    setHighlight(seq);
    highlightRef.current = seq;
    navigate(`${pathname}${search}#L${seq}`, { replace: true });
  }

  function setFilter(change: { level?: LevelFilter; task?: string | undefined }) {
    const next = new URLSearchParams(search);
    const level = levelFilterToParam(change.level ?? levelFilter);
    if (level) next.set('level', level);
    else next.delete('level');
    const t = 'task' in change ? change.task : task;
    if (t) next.set('task', t);
    else next.delete('task');
    const qs = next.toString();
    navigate(`${pathname}${qs ? `?${qs}` : ''}`, { replace: true });
  }

  /** The seq the reader is looking at: the highlighted line if on screen, else the first visible one. */
  function position(): number {
    const w = winRef.current;
    if (highlight !== undefined && w.lines.some((l) => l.seq === highlight)) return highlight;
    return w.lines[visibleRows(offsets, viewport.top, viewport.height, 0)[0]]?.seq ?? 0;
  }

  async function jumpLevel(direction: 'next' | 'previous') {
    const problems = LEVELS.filter((l) => (l === 'WARN' || l === 'ERROR') && (!filters.levels || filters.levels.includes(l)));
    if (problems.length === 0) return;
    const at = position();
    const found = await page(
      direction === 'next' ? { afterSeq: at, limit: 1, level: problems.join(',') } : { beforeSeq: at, limit: 1, level: problems.join(',') },
    );
    const seq = found.items[0]?.seq;
    if (seq !== undefined) linkTo(seq);
  }

  const { searchText, setSearchText, needle, matches, runSearch, stepSearch, searchBox } = useLogSearch(
    execution.id,
    filterQuery(filters),
    linkTo,
  );

  const tasks = [...new Set(execution.taskRuns.map((r) => r.taskId))];
  const s = summary.data;
  const downloadQuery = new URLSearchParams({ ...filterQuery(filters), ...(needle ? { q: needle } : {}) }).toString();
  const firstLine = win.lines[0]?.seq;
  const lastLine = win.lines.at(-1)?.seq;
  const problemLevelsShown = !filters.levels || filters.levels.some((l) => l === 'WARN' || l === 'ERROR');

  return (
    <div className="log-viewer">
      <div className="toolbar log-toolbar" role="group" aria-label="Log controls">
        <LevelFilterControl filter={levelFilter} onChange={(level) => setFilter({ level })} />
        <div className="field">
          <label htmlFor="log-task">Task</label>
          <select id="log-task" value={task ?? ''} onChange={(e) => setFilter({ task: e.target.value || undefined })}>
            <option value="">All tasks</option>
            {tasks.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </div>
        <form className="field grow log-search" onSubmit={(e) => void runSearch(e).catch(setError)} role="search">
          <label htmlFor="log-search">
            Search the whole log <kbd>/</kbd>
          </label>
          <div className="inline">
            <input
              id="log-search"
              ref={searchBox}
              type="search"
              value={searchText}
              onChange={(e) => setSearchText(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && e.shiftKey) {
                  e.preventDefault();
                  void stepSearch(-1).catch(setError);
                }
              }}
              placeholder="Find in every line"
              title="Enter: next match · Shift+Enter: previous match"
            />
            <button
              type="button"
              onClick={() => void stepSearch(-1).catch(setError)}
              disabled={!matches?.seqs.length}
              aria-label="Previous match"
            >
              ↑
            </button>
            <button
              type="button"
              onClick={() => void stepSearch(1).catch(setError)}
              disabled={!matches?.seqs.length}
              aria-label="Next match"
            >
              ↓
            </button>
            <span className="match-count" role="status" aria-live="polite">
              {matches
                ? matches.count === 0
                  ? 'No match'
                  : `${matches.index + 1} of ${matches.count}${matches.count >= 10_000 ? '+' : ''}`
                : ''}
            </span>
          </div>
        </form>
      </div>
      <div className="toolbar log-toolbar secondary" role="group" aria-label="Log navigation">
        <button type="button" onClick={() => void jumpLevel('previous').catch(setError)} disabled={!problemLevelsShown}>
          ↑ Previous WARN/ERROR
        </button>
        <button type="button" onClick={() => void jumpLevel('next').catch(setError)} disabled={!problemLevelsShown}>
          ↓ Next WARN/ERROR
        </button>
        <button type="button" onClick={() => void openHead().catch(setError)}>
          Start
        </button>
        <button type="button" onClick={() => void openTail().catch(setError)}>
          End
        </button>
        <form
          className="inline"
          onSubmit={(e) => {
            e.preventDefault();
            const n = Number(new FormData(e.currentTarget).get('line'));
            if (Number.isInteger(n) && n > 0) linkTo(n);
          }}
        >
          <label htmlFor="log-goto">Go to line</label>
          <input id="log-goto" name="line" type="number" min={1} className="narrow" />
        </form>
        <label className="check">
          <input type="checkbox" checked={prefs.logWrap} onChange={(e) => setPrefs({ logWrap: e.target.checked })} /> Wrap
        </label>
        <label className="check">
          <input type="checkbox" checked={prefs.logTimestamps} onChange={(e) => setPrefs({ logTimestamps: e.target.checked })} /> Timestamps
        </label>
        <span className="spacer" />
        <a href={`/v1/executions/${execution.id}/logs/download?format=text`} download>
          Download log
        </a>
        <a href={`/v1/executions/${execution.id}/logs/download?format=ndjson`} download>
          NDJSON
        </a>
        {downloadQuery && (
          <a href={`/v1/executions/${execution.id}/logs/download?format=text&${downloadQuery}`} download>
            Download filtered
          </a>
        )}
      </div>
      <ErrorNote error={error ?? summary.error} />
      {s?.deleted && (win.atStart || win.lines.length === 0) && (
        <p className="retention-note" role="note">
          Lines {s.deleted.fromSeq.toLocaleString('en')}–{s.deleted.toSeq.toLocaleString('en')} were deleted by the log retention policy
          {s.deleted.retentionDays !== null ? ` (${s.deleted.retentionDays} days)` : ''}
          {s.deleted.deletedAt ? (
            <>
              {' '}
              on <Time iso={s.deleted.deletedAt} />
            </>
          ) : null}
          .
        </p>
      )}
      <div className="log-frame">
        <div
          ref={scroller}
          className={`log-scroll${prefs.logWrap ? ' wrap' : ''}`}
          onScroll={onScroll}
          role="log"
          aria-label={`Log of ${execution.title ?? execution.id}`}
          tabIndex={0}
        >
          <div className="log-inner" style={{ height: total }}>
            {win.lines.slice(first, last).map((line, i) => (
              <LogRow
                key={line.seq}
                line={line}
                top={offsets[first + i]!}
                highlighted={line.seq === highlight}
                needle={needle}
                showTime={prefs.logTimestamps}
                zone={prefs.timeZone}
                measure={prefs.logWrap ? measure : undefined}
                onLink={markLine}
              />
            ))}
          </div>
          {win.lines.length === 0 && !s?.deleted && (
            <p className="muted empty-log">{running ? 'Waiting for the first line…' : 'No log line matches.'}</p>
          )}
        </div>
        {running && !stick && (
          <button type="button" className="jump-latest primary" onClick={() => void openTail().catch(setError)}>
            Jump to latest{newLines > 0 ? ` (${newLines} new)` : ''}
          </button>
        )}
      </div>
      <p className="muted small log-status" aria-live="off">
        {firstLine !== undefined ? `Lines ${firstLine.toLocaleString('en')}–${lastLine!.toLocaleString('en')} loaded` : 'No line loaded'}
        {s ? ` · ${s.written.toLocaleString('en')} written` : ''}
        {running ? (stick ? ' · following' : ' · paused') : ''}
      </p>
    </div>
  );
}
