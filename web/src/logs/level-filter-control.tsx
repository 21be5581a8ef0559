import { LEVELS, type Level, type LevelFilter } from '../lib/log-window.ts';

/** The level filter: all, at or above a level, exactly one, or a chosen set. */
export function LevelFilterControl({ filter: levelFilter, onChange }: { filter: LevelFilter; onChange: (filter: LevelFilter) => void }) {
  return (
    <div className="field">
      <label htmlFor="log-level-mode">Levels</label>
      <div className="inline">
        <select
          id="log-level-mode"
          value={levelFilter.kind}
          onChange={(e) => {
            const kind = e.target.value as LevelFilter['kind'];
            const level: Level = levelFilter.kind === 'atLeast' || levelFilter.kind === 'exact' ? levelFilter.level : 'WARN';
            onChange(kind === 'all' ? { kind } : kind === 'set' ? { kind, levels: ['WARN', 'ERROR'] } : { kind, level });
          }}
        >
          <option value="all">All</option>
          <option value="atLeast">At or above</option>
          <option value="exact">Exactly</option>
          <option value="set">Chosen levels</option>
        </select>
        {(levelFilter.kind === 'atLeast' || levelFilter.kind === 'exact') && (
          <>
            <label htmlFor="log-level" className="visually-hidden">
              Level
            </label>
            <select
              id="log-level"
              value={levelFilter.level}
              onChange={(e) => onChange({ kind: levelFilter.kind, level: e.target.value as Level })}
            >
              {LEVELS.map((l) => (
                <option key={l}>{l}</option>
              ))}
            </select>
          </>
        )}
        {levelFilter.kind === 'set' && (
          <fieldset className="level-set">
            <legend className="visually-hidden">Levels shown</legend>
            {LEVELS.map((l) => (
              <label key={l} className="check">
                <input
                  type="checkbox"
                  checked={levelFilter.levels.includes(l)}
                  onChange={(e) => {
                    const levels = e.target.checked ? [...levelFilter.levels, l] : levelFilter.levels.filter((x) => x !== l);
                    onChange(levels.length ? { kind: 'set', levels } : { kind: 'all' });
                  }}
                />
                {l}
              </label>
            ))}
          </fieldset>
        )}
      </div>
    </div>
  );
}
