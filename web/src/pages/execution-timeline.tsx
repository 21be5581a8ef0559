import { useEffect, useRef, useState } from 'react';
import type { Schemas } from '../api/client.ts';
import { formatDuration, formatInstant } from '../lib/format.ts';
import { layoutTimeline } from '../lib/timeline-layout.ts';
import { usePrefs } from '../prefs.tsx';

type Execution = Schemas['ExecutionDetail'];

const ROW = 26;
const AXIS = 28;

/** A Gantt of task runs and attempts: waits and retries visible, zoom, idle gaps squeezed. */
export function TimelineTab({ execution: e }: { execution: Execution }) {
  const { prefs } = usePrefs();
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(800);
  const [zoom, setZoom] = useState(1);
  const [compress, setCompress] = useState(true);
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
  });
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
        <ul className="timeline-labels" aria-hidden="true" style={{ paddingTop: AXIS }}>
          {layout.rows.map((row) => (
            <li key={row.run.id} style={{ height: ROW }}>
              {row.run.taskId}
              {row.run.attempt > 1 ? <span className="muted"> #{row.run.attempt}</span> : null}
            </li>
          ))}
        </ul>
        <div className="timeline-plot" ref={box} tabIndex={0} aria-label="Timeline, scroll sideways when zoomed">
          <svg
            width={layout.width + 20}
            height={layout.height + AXIS}
            role="img"
            aria-label={`Timeline of ${layout.rows.length} task runs`}
          >
            <g transform={`translate(10, 0)`}>
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
                <g key={row.run.id} transform={`translate(0, ${AXIS + row.y})`}>
                  {row.wait && (
                    <rect x={row.wait.x} y={8} width={row.wait.width} height={ROW - 16} className="bar wait">
                      <title>{`${row.run.taskId} #${row.run.attempt} waiting ${formatDuration(row.wait.endMs - row.wait.startMs)}`}</title>
                    </rect>
                  )}
                  {row.active && (
                    <rect
                      x={row.active.x}
                      y={4}
                      width={row.active.width}
                      height={ROW - 8}
                      rx={3}
                      className={`bar run status-${row.run.status}`}
                    >
                      <title>{`${row.run.taskId} #${row.run.attempt} ${row.run.status} ${formatDuration(row.active.endMs - row.active.startMs)} from ${formatInstant(new Date(row.active.startMs).toISOString(), prefs.timeZone)}`}</title>
                    </rect>
                  )}
                </g>
              ))}
            </g>
          </svg>
        </div>
      </div>
    </div>
  );
}
