import { useEffect, useRef, useState } from 'react';
import type { Schemas } from '../api/client.ts';
import { formatDuration, formatInstant } from '../lib/format.ts';
import { layoutTimeline, type GroupRow, type RunRow, type TimelineRow } from '../lib/timeline-layout.ts';
import { countsLabel, itemLabel } from '../lib/timeline-rows.ts';
import { usePrefs } from '../prefs.tsx';

type Execution = Schemas['ExecutionDetail'];

const ROW = 26;
/** An item label's horizontal padding (styles.css, `.timeline-labels li.item`), beside its characters. */
const ITEM_LABEL_INSET = '3.1rem';
const AXIS = 28;

/**
 * A Gantt of task runs and attempts: waits and retries visible, zoom, idle gaps squeezed. The items
 * of a for_each task sit under one group row, closed when there are many; on_failure runs follow a
 * separator.
 */
export function TimelineTab({ execution: e }: { execution: Execution }) {
  const { prefs } = usePrefs();
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  const [zoom, setZoom] = useState(1);
  const [compress, setCompress] = useState(true);
  const [groupOpen, setGroupOpen] = useState<Record<string, boolean>>({});
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setWidth(Math.max(300, el.clientWidth - 20)));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  if (e.taskRuns.length === 0) return <p className="muted">No task has run yet.</p>;
  const now = Date.now();
  const start = Math.min(Date.parse(e.startedAt ?? e.createdAt), ...e.taskRuns.map((r) => Date.parse(r.createdAt)));
  const end = e.completedAt ? Date.parse(e.completedAt) : now;
  const layout = layoutTimeline(e.taskRuns, {
    startMs: start,
    endMs: Math.max(end, ...e.taskRuns.map((r) => (r.completedAt ? Date.parse(r.completedAt) : start))),
    width,
    zoom,
    rowHeight: ROW,
    nowMs: now,
    gapThresholdMs: compress ? 5000 : Number.POSITIVE_INFINITY,
    groupOpen,
  });
  const toggle = (group: GroupRow) => setGroupOpen((open) => ({ ...open, [group.key]: !group.open }));
  // Wide enough for every item row, shown or folded: opening a group does not move the plot sideways.
  const itemChars = Math.max(
    0,
    ...e.taskRuns.map((r) =>
      r.itemIndex === null ? 0 : itemLabel(r.itemIndex, r.item).length + (r.attempt > 1 ? ` #${r.attempt}`.length : 0),
    ),
  );
  const instant = (ms: number) => formatInstant(new Date(ms).toISOString(), prefs.timeZone);
  return (
    <div className="timeline">
      <div className="toolbar" role="group" aria-label="Timeline controls">
        <label htmlFor="tl-zoom">Zoom</label>
        <input id="tl-zoom" type="range" min={1} max={20} step={1} value={zoom} onChange={(ev) => setZoom(Number(ev.target.value))} />
        <span>{zoom}×</span>
        <label className="check">
          <input type="checkbox" checked={compress} onChange={(ev) => setCompress(ev.target.checked)} /> Compress idle gaps
        </label>
        <span className="legend">
          <span className="swatch wait" /> waiting <span className="swatch run" /> running
        </span>
      </div>
      <div className="timeline-grid">
        <ul
          className="timeline-labels"
          aria-label="Timeline rows"
          style={{ paddingTop: AXIS, ...(itemChars > 0 ? { minWidth: `calc(${itemChars}ch + ${ITEM_LABEL_INSET})` } : {}) }}
        >
          {layout.rows.map((row) => (
            <RowLabel key={rowKey(row)} row={row} onToggle={toggle} />
          ))}
        </ul>
        <div className="timeline-plot" ref={box} tabIndex={0} aria-label="Timeline, scroll sideways when zoomed">
          <svg width={layout.width + 20} height={layout.height + AXIS} role="img" aria-label={`Timeline of ${e.taskRuns.length} task runs`}>
            <g transform={`translate(10, 0)`}>
              {layout.rows.map((row) =>
                row.kind === 'run' && row.depth === 1 ? (
                  <rect key={`band-${row.run.id}`} x={-10} y={AXIS + row.y} width={layout.width + 20} height={ROW} className="item-band" />
                ) : null,
              )}
              {layout.ticks.map((t) => (
                <g key={`${t.x}-${t.label}`}>
                  <line x1={t.x} x2={t.x} y1={AXIS - 6} y2={AXIS + layout.height} className="tick" />
                  <text x={t.x + 3} y={AXIS - 10} className="tick-label">
                    {t.label}
                  </text>
                </g>
              ))}
              {layout.gaps.map((g) => (
                <g key={g.startMs} className="gap">
                  <rect x={g.x} y={AXIS - 6} width={g.width} height={layout.height + 6} />
                  <text x={g.x + g.width / 2} y={AXIS - 10} textAnchor="middle" className="tick-label">
                    ≈
                  </text>
                  <title>{`idle ${formatDuration(g.endMs - g.startMs)} (compressed)`}</title>
                </g>
              ))}
              {layout.rows.map((row) => (
                <g key={rowKey(row)} transform={`translate(0, ${AXIS + row.y})`}>
                  {row.kind === 'run' && <RunBars row={row} instant={instant} />}
                  {row.kind === 'group' && <GroupBars row={row} instant={instant} />}
                  {row.kind === 'phase' && <line x1={-10} x2={layout.width + 10} y1={ROW / 2} y2={ROW / 2} className="phase-rule" />}
                </g>
              ))}
            </g>
          </svg>
        </div>
      </div>
    </div>
  );
}

function rowKey(row: TimelineRow): string {
  if (row.kind === 'run') return row.run.id;
  if (row.kind === 'group') return `group-${row.key}`;
  return `phase-${row.phase}`;
}

function RowLabel({ row, onToggle }: { row: TimelineRow; onToggle: (group: GroupRow) => void }) {
  if (row.kind === 'phase') {
    return (
      <li className="phase" style={{ height: ROW }} title="Runs after the execution failed">
        {row.label}
      </li>
    );
  }
  if (row.kind === 'group') {
    return (
      <li className="group" style={{ height: ROW }}>
        <button type="button" className="group-toggle" aria-expanded={row.open} onClick={() => onToggle(row)}>
          <span aria-hidden="true" className="caret">
            {row.open ? '▾' : '▸'}
          </span>
          {row.taskId} ×{row.items}
        </button>
        <span className="group-counts">
          {row.counts.map((c, i) => (
            <span key={c.status}>
              {i > 0 && ' · '}
              <span className={`count status-${c.status}`}>{countsLabel([c])}</span>
            </span>
          ))}
        </span>
      </li>
    );
  }
  return (
    <li className={row.depth === 1 ? 'item' : undefined} style={{ height: ROW }} title={row.depth === 1 ? row.label : undefined}>
      {row.label}
      {row.run.attempt > 1 ? <span className="muted"> #{row.run.attempt}</span> : null}
    </li>
  );
}

function RunBars({ row, instant }: { row: RunRow; instant: (ms: number) => string }) {
  const name = row.depth === 1 ? `${row.run.taskId} ${row.label}` : row.run.taskId;
  return (
    <>
      {row.wait && (
        <rect x={row.wait.x} y={8} width={row.wait.width} height={ROW - 16} className="bar wait">
          <title>{`${name} #${row.run.attempt} waiting ${formatDuration(row.wait.endMs - row.wait.startMs)}`}</title>
        </rect>
      )}
      {row.active && (
        <rect x={row.active.x} y={4} width={row.active.width} height={ROW - 8} rx={3} className={`bar run status-${row.run.status}`}>
          <title>{`${name} #${row.run.attempt} ${row.run.status} ${formatDuration(row.active.endMs - row.active.startMs)} from ${instant(row.active.startMs)}`}</title>
        </rect>
      )}
    </>
  );
}

/** The span of all items, and each item's run inside it, in lanes when they overlap. */
function GroupBars({ row, instant }: { row: GroupRow; instant: (ms: number) => string }) {
  if (!row.span) return null;
  const top = 4;
  const lane = (ROW - 2 * top) / Math.max(1, row.lanes);
  const status = row.parents.at(-1)?.status ?? 'running';
  return (
    <>
      <rect x={row.span.x} y={top} width={row.span.width} height={ROW - 2 * top} rx={3} className={`bar group-span status-${status}`}>
        <title>{`${row.taskId}: ${row.items} items, ${countsLabel(row.counts)}; ${formatDuration(row.span.endMs - row.span.startMs)} from ${instant(row.span.startMs)}`}</title>
      </rect>
      {row.spans.map((s) => (
        <rect
          key={`${s.itemIndex}-${s.attempt}`}
          x={s.x}
          y={top + s.lane * lane + 0.5}
          width={s.width}
          height={Math.max(1, lane - 1)}
          className={`bar item status-${s.status}`}
        >
          <title>{`${row.taskId} [${s.itemIndex}] #${s.attempt} ${s.status} ${formatDuration(s.endMs - s.startMs)}`}</title>
        </rect>
      ))}
    </>
  );
}
