import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { Schemas } from '../api/client.ts';
import { useExecutionCount, useExecutions } from '../api/queries.ts';
import { ErrorNote, Loading } from '../components/common.tsx';
import { DeleteExecutionDialog } from '../executions/delete-execution-dialog.tsx';
import { ExecutionTable, ListPager } from '../executions/execution-table.tsx';
import { DateRangeFields, ExecutorField, InputFilterChips, WorkflowSelect } from '../executions/filter-fields.tsx';
import {
  EMPTY_FILTERS,
  STATUSES,
  filtersFromSearch,
  filtersToQuery,
  filtersToSearch,
  parseInputChip,
  type ExecutionFilters,
  type Status,
} from '../lib/execution-filters.ts';
import { usePrefs } from '../prefs.tsx';
import { Link, navigate, useLocation } from '../router.tsx';

const ENDED = new Set(['completed', 'failed', 'cancelled', 'timed_out']);

function go(filters: ExecutionFilters): void {
  const search = filtersToSearch(filters);
  navigate(`/executions${search ? `?${search}` : ''}`);
}

function StatusCount({ status, filters, active }: { status: Status; filters: ExecutionFilters; active: boolean }) {
  const { prefs } = usePrefs();
  const count = useExecutionCount(filtersToQuery({ ...filters, cursor: '' }, prefs.timeZone, { paging: false, status }));
  const toggle = () => {
    const statuses = active ? filters.statuses.filter((s) => s !== status) : [...filters.statuses, status];
    go({ ...filters, statuses, cursor: '' });
  };
  return (
    <button type="button" className={`chip status-chip status-${status}`} aria-pressed={active} onClick={toggle}>
      {status.replace('_', ' ')} <span className="count">{count.data?.count ?? '…'}</span>
    </button>
  );
}

/** The text fields of the filter form; applied on submit so typing is not a request per key. */
function FilterForm({ filters }: { filters: ExecutionFilters }) {
  const [draft, setDraft] = useState(filters);
  const [chipText, setChipText] = useState('');
  const [chipError, setChipError] = useState<string | null>(null);
  useEffect(() => setDraft(filters), [filters]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    go({ ...draft, statuses: filters.statuses, inputs: filters.inputs, cursor: '' });
  };
  const addChip = () => {
    const parsed = parseInputChip(chipText);
    if ('error' in parsed) return setChipError(parsed.error);
    setChipError(null);
    setChipText('');
    go({ ...filters, inputs: [...filters.inputs, parsed.chip], cursor: '' });
  };
  return (
    <form className="filters" onSubmit={submit} aria-label="Filters">
      <WorkflowSelect
        id="f-workflow"
        label="Workflow"
        anyLabel="Any"
        value={draft.workflow}
        onChange={(workflow) => go({ ...filters, workflow, cursor: '' })}
      />
      <ExecutorField id="f-executor" value={draft.executor} onChange={(executor) => setDraft({ ...draft, executor })} />
      <DateRangeFields idPrefix="f" from={draft.from} to={draft.to} onChange={(range) => setDraft({ ...draft, ...range })} />
      <div className="field grow">
        <label htmlFor="f-keyword">Keyword</label>
        <input
          id="f-keyword"
          type="search"
          value={draft.keyword}
          placeholder="in title or notes"
          onChange={(e) => setDraft({ ...draft, keyword: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor="f-input">Input filter</label>
        <div className="inline">
          <input
            id="f-input"
            value={chipText}
            placeholder="server=db-07"
            aria-describedby={chipError ? 'f-input-error' : undefined}
            onChange={(e) => setChipText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                addChip();
              }
            }}
          />
          <button type="button" onClick={addChip}>
            Add
          </button>
        </div>
        {chipError && (
          <span id="f-input-error" className="error" role="alert">
            {chipError}
          </span>
        )}
      </div>
      <div className="field actions">
        <button type="submit" className="primary">
          Apply
        </button>
        <button type="button" onClick={() => go(EMPTY_FILTERS)}>
          Clear
        </button>
      </div>
      <InputFilterChips
        inputs={filters.inputs}
        noun="input"
        onRemove={(i) => go({ ...filters, inputs: filters.inputs.filter((_, j) => j !== i), cursor: '' })}
      />
    </form>
  );
}

export function ExecutionsPage() {
  const { search } = useLocation();
  const { prefs } = usePrefs();
  const filters = filtersFromSearch(search);
  const list = useExecutions(filtersToQuery(filters, prefs.timeZone));
  const [deleting, setDeleting] = useState<Schemas['ExecutionListItem'] | null>(null);
  const tableRef = useRef<HTMLTableElement>(null);

  // j / k move through the rows (focus on the row's View link, so Enter opens it)
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'j' && e.key !== 'k') return;
      const target = e.target as HTMLElement;
      if (e.metaKey || e.ctrlKey || e.altKey || target.closest('input, select, textarea, dialog[open]')) return;
      const links = [...(tableRef.current?.querySelectorAll<HTMLAnchorElement>('a.row-open') ?? [])];
      if (links.length === 0) return;
      const at = links.indexOf(document.activeElement as HTMLAnchorElement);
      const next = e.key === 'j' ? Math.min(links.length - 1, at + 1) : Math.max(0, at < 0 ? 0 : at - 1);
      links[next]!.focus();
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const items = list.data?.items ?? [];
  return (
    <section aria-labelledby="executions-title">
      <div className="page-head">
        <h1 id="executions-title">Executions</h1>
        <p className="muted hint">
          <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>Enter</kbd> opens
        </p>
      </div>
      <div className="status-chips" role="group" aria-label="Status (counts match the other filters)">
        {STATUSES.map((s) => (
          <StatusCount key={s} status={s} filters={filters} active={filters.statuses.includes(s)} />
        ))}
      </div>
      <FilterForm filters={filters} />
      <ErrorNote error={list.error} />
      {list.isPending ? (
        <Loading what="executions" />
      ) : (
        <ExecutionTable
          label="Executions"
          items={items}
          showDuration
          empty="No execution matches."
          tableRef={tableRef}
          noExecutor={(e) => <span className="muted">{e.trigger}</span>}
          actions={(e) => (
            <>
              <Link to={`/executions/${e.id}`} className="row-open button-link" aria-label={`View ${e.title ?? e.id}`}>
                View
              </Link>
              <button
                type="button"
                className="danger-outline"
                disabled={!ENDED.has(e.status)}
                title={ENDED.has(e.status) ? undefined : 'Only ended executions can be deleted'}
                onClick={() => setDeleting(e)}
                aria-label={`Delete ${e.title ?? e.id}`}
              >
                Delete
              </button>
            </>
          )}
        />
      )}
      <ListPager cursor={filters.cursor} nextCursor={list.data?.nextCursor} onGo={(cursor) => go({ ...filters, cursor })} />
      <DeleteExecutionDialog item={deleting} noun="execution" onClose={() => setDeleting(null)} />
    </section>
  );
}
