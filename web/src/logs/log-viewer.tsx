import { useMemo } from 'react';
import type { Schemas } from '../api/client.ts';
import { ErrorNote, Time } from '../components/common.tsx';
import { LEVELS, levelFilterFromParam, levelFilterToParam, levelsOf, type LevelFilter } from '../lib/log-window.ts';
import { usePrefs } from '../prefs.tsx';
import { navigate, useLocation } from '../router.tsx';
import { LevelFilterControl } from './level-filter-control.tsx';
import { LogNavigationBar } from './log-navigation-bar.tsx';
import { LogRow } from './log-row.tsx';
import { LogSearchForm } from './log-search-form.tsx';
import { useLogSearch } from './use-log-search.ts';
import { filterQuery, useLogWindow, type LogFilters } from './use-log-window.ts';

type Execution = Schemas['ExecutionDetail'];

const RUNNING = new Set(['pending', 'running', 'waiting']);

/**
 * The log of one execution, for logs of any size: a window of lines loaded by seq (never the whole
 * log) and only the rows on screen in the page; opens at the tail of a running execution and
 * follows it, at a linked line (`#L<seq>`), or at the start. Its filters and the linked line live
 * in the URL.
 */
export function LogViewer({ execution }: { execution: Execution }) {
  const { prefs } = usePrefs();
  const { search, hash, pathname } = useLocation();
  const params = new URLSearchParams(search);
  const levelFilter = levelFilterFromParam(params.get('level'));
  const task = params.get('task') ?? undefined;
  const filters = useMemo<LogFilters>(() => ({ levels: levelsOf(levelFilter), task }), [levelFilterToParam(levelFilter), task]);
  const running = RUNNING.has(execution.status);
  const log = useLogWindow({ executionId: execution.id, running, filters, wrap: prefs.logWrap, hash });
  const { win, offsets, first, last, setError } = log;

  /** Goes to a line (loading the window around it if needed) and puts its link in the address bar. */
  function linkTo(seq: number) {
    log.goTo(seq);
    navigate(`${pathname}${search}#L${seq}`, { replace: true });
  }

  /** A click on a line's number: highlights it and links it, without moving the page. */
  function markLine(seq: number) {
    log.mark(seq);
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

  async function jumpLevel(direction: 'next' | 'previous') {
    const problems = LEVELS.filter((l) => (l === 'WARN' || l === 'ERROR') && (!filters.levels || filters.levels.includes(l)));
    if (problems.length === 0) return;
    const at = log.position();
    const found = await log.page(
      direction === 'next' ? { afterSeq: at, limit: 1, level: problems.join(',') } : { beforeSeq: at, limit: 1, level: problems.join(',') },
    );
    const seq = found.items[0]?.seq;
    if (seq !== undefined) linkTo(seq);
  }

  const logSearch = useLogSearch(execution.id, filterQuery(filters), linkTo);
  const { needle } = logSearch;

  const tasks = [...new Set(execution.taskRuns.map((r) => r.taskId))];
  const s = log.summary.data;
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
        <LogSearchForm search={logSearch} onError={setError} />
      </div>
      <LogNavigationBar
        executionId={execution.id}
        downloadQuery={downloadQuery}
        problemLevelsShown={problemLevelsShown}
        onJumpLevel={(direction) => void jumpLevel(direction).catch(setError)}
        onStart={() => void log.openHead().catch(setError)}
        onEnd={() => void log.openTail().catch(setError)}
        onGoToLine={linkTo}
      />
      <ErrorNote error={log.error ?? log.summary.error} />
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
          ref={log.scroller}
          className={`log-scroll${prefs.logWrap ? ' wrap' : ''}`}
          onScroll={log.onScroll}
          role="log"
          aria-label={`Log of ${execution.title ?? execution.id}`}
          tabIndex={0}
        >
          <div className="log-inner" style={{ height: log.total }}>
            {win.lines.slice(first, last).map((line, i) => (
              <LogRow
                key={line.seq}
                line={line}
                top={offsets[first + i]!}
                highlighted={line.seq === log.highlight}
                needle={needle}
                showTime={prefs.logTimestamps}
                zone={prefs.timeZone}
                measure={prefs.logWrap ? log.measure : undefined}
                onLink={markLine}
              />
            ))}
          </div>
          {win.lines.length === 0 && !s?.deleted && (
            <p className="muted empty-log">{running ? 'Waiting for the first line…' : 'No log line matches.'}</p>
          )}
        </div>
        {running && !log.stick && (
          <button type="button" className="jump-latest primary" onClick={() => void log.openTail().catch(setError)}>
            Jump to latest{log.newLines > 0 ? ` (${log.newLines} new)` : ''}
          </button>
        )}
      </div>
      <p className="muted small log-status" aria-live="off">
        {firstLine !== undefined ? `Lines ${firstLine.toLocaleString('en')}–${lastLine!.toLocaleString('en')} loaded` : 'No line loaded'}
        {s ? ` · ${s.written.toLocaleString('en')} written` : ''}
        {running ? (log.stick ? ' · following' : ' · paused') : ''}
      </p>
    </div>
  );
}
