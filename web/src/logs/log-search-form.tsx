import type { useLogSearch } from './use-log-search.ts';

/** The field that searches the whole log, with its previous/next buttons and the match count. */
export function LogSearchForm({ search, onError }: { search: ReturnType<typeof useLogSearch>; onError: (error: unknown) => void }) {
  const { searchText, setSearchText, matches, runSearch, stepSearch, searchBox } = search;
  return (
    <form className="field grow log-search" onSubmit={(e) => void runSearch(e).catch(onError)} role="search">
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
              void stepSearch(-1).catch(onError);
            }
          }}
          placeholder="Find in every line"
          title="Enter: next match · Shift+Enter: previous match"
        />
        <button
          type="button"
          onClick={() => void stepSearch(-1).catch(onError)}
          disabled={!matches?.seqs.length}
          aria-label="Previous match"
        >
          ↑
        </button>
        <button type="button" onClick={() => void stepSearch(1).catch(onError)} disabled={!matches?.seqs.length} aria-label="Next match">
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
  );
}
