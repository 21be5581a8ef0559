import { usePrefs } from '../prefs.tsx';

/**
 * The second row of log controls: jumps (warnings and errors, start, end, a line number), the wrap
 * and timestamp preferences, and the download links.
 */
export function LogNavigationBar({
  executionId,
  downloadQuery,
  problemLevelsShown,
  onJumpLevel,
  onStart,
  onEnd,
  onGoToLine,
}: {
  executionId: string;
  /** The filters and search as a query string; empty when the whole log shows. */
  downloadQuery: string;
  /** Whether WARN or ERROR lines pass the level filter (else the jumps have nothing to find). */
  problemLevelsShown: boolean;
  onJumpLevel: (direction: 'next' | 'previous') => void;
  onStart: () => void;
  onEnd: () => void;
  onGoToLine: (seq: number) => void;
}) {
  const { prefs, setPrefs } = usePrefs();
  return (
    <div className="toolbar log-toolbar secondary" role="group" aria-label="Log navigation">
      <button type="button" onClick={() => onJumpLevel('previous')} disabled={!problemLevelsShown}>
        ↑ Previous WARN/ERROR
      </button>
      <button type="button" onClick={() => onJumpLevel('next')} disabled={!problemLevelsShown}>
        ↓ Next WARN/ERROR
      </button>
      <button type="button" onClick={onStart}>
        Start
      </button>
      <button type="button" onClick={onEnd}>
        End
      </button>
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          const n = Number(new FormData(e.currentTarget).get('line'));
          if (Number.isInteger(n) && n > 0) onGoToLine(n);
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
      <a href={`/v1/executions/${executionId}/logs/download?format=text`} download>
        Download log
      </a>
      <a href={`/v1/executions/${executionId}/logs/download?format=ndjson`} download>
        NDJSON
      </a>
      {downloadQuery && (
        <a href={`/v1/executions/${executionId}/logs/download?format=text&${downloadQuery}`} download>
          Download filtered
        </a>
      )}
    </div>
  );
}
