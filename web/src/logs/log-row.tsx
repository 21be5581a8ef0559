import { ansiChunks } from '../lib/ansi.ts';
import { formatClock } from '../lib/format.ts';
import { highlightParts, type WindowLine } from '../lib/log-window.ts';

/** One line: the gutter (a link to the line, drawn by CSS so copying skips it), time, level, source, message. */
export function LogRow(props: {
  line: WindowLine;
  top: number;
  highlighted: boolean;
  needle: string;
  showTime: boolean;
  zone: 'local' | 'utc';
  measure?: (seq: number, el: HTMLDivElement | null) => void;
  onLink: (seq: number) => void;
}) {
  const { line } = props;
  return (
    <div
      ref={props.measure ? (el) => props.measure!(line.seq, el) : undefined}
      className={`log-row level-${line.level.toLowerCase()}${props.highlighted ? ' highlighted' : ''}`}
      style={{ transform: `translateY(${props.top}px)` }}
      data-seq={line.seq}
    >
      <a
        className="gutter"
        href={`#L${line.seq}`}
        data-n={line.seq}
        aria-label={`Line ${line.seq}`}
        onClick={(e) => {
          e.preventDefault();
          props.onLink(line.seq);
        }}
      />
      {props.showTime && <span className="log-ts">{formatClock(line.ts, props.zone)} </span>}
      <span className="log-level">{line.level.padEnd(5)} </span>
      <span className="log-source">[{line.source}] </span>
      <span className="log-message">
        {ansiChunks(line.message).map((chunk, i) => (
          <span
            key={i}
            className={chunk.classes.join(' ') || undefined}
            style={chunk.color || chunk.background ? { color: chunk.color, background: chunk.background } : undefined}
          >
            {highlightParts(chunk.text, props.needle).map((part, j) => (part.match ? <mark key={j}>{part.text}</mark> : part.text))}
          </span>
        ))}
      </span>
    </div>
  );
}
