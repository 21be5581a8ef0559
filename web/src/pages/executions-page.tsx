import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { useExecutionCount, useExecutions, useWorkflows } from '../api/queries.ts';
import { ConfirmDialog, Duration, ErrorNote, Loading, StatusBadge, Time } from '../components/common.tsx';
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
  const workflows = useWorkflows();
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
      <div className="field">
        <label htmlFor="f-workflow">Workflow</label>
        <select id="f-workflow" value={draft.workflow} onChange={(e) => go({ ...filters, workflow: e.target.value, cursor: '' })}>
          <option value="">Any</option>
          {workflows.data?.items.map((w) => (
            <option key={w.id} value={w.id}>
              {w.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="f-executor">Executor</label>
        <input
          id="f-executor"
          value={draft.executor}
          placeholder="username"
          onChange={(e) => setDraft({ ...draft, executor: e.target.value })}
        />
      </div>
      <fieldset className="field date-range">
        <legend>Started between</legend>
        <label htmlFor="f-from" className="visually-hidden">
          From date
        </label>
        <input
          id="f-from"
          type="date"
          value={draft.from}
          max={draft.to || undefined}
          onChange={(e) => setDraft({ ...draft, from: e.target.value })}
        />
        <span aria-hidden="true">–</span>
        <label htmlFor="f-to" className="visually-hidden">
          To date
        </label>
        <input
          id="f-to"
          type="date"
          value={draft.to}
          min={draft.from || undefined}
          onChange={(e) => setDraft({ ...draft, to: e.target.value })}
        />
      </fieldset>
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
      {filters.inputs.length > 0 && (
        <ul className="chips" aria-label="Input filters">
          {filters.inputs.map(([name, value], i) => (
            <li key={`${name}=${value}=${i}`} className="chip">
              input.{name} = {value}
              <button
                type="button"
                aria-label={`Remove input filter ${name}=${value}`}
                onClick={() => go({ ...filters, inputs: filters.inputs.filter((_, j) => j !== i), cursor: '' })}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}

export function ExecutionsPage() {
  const { search } = useLocation();
  const { prefs } = usePrefs();
  const filters = filtersFromSearch(search);
  const list = useExecutions(filtersToQuery(filters, prefs.timeZone));
  const [deleting, setDeleting] = useState<Schemas['ExecutionListItem'] | null>(null);
  const queries = useQueryClient();
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/executions/{id}', { params: { path: { id } } })),
    onSuccess: async () => {
      setDeleting(null);
      await queries.invalidateQueries({ queryKey: ['executions'] });
    },
  });
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
        <table className="table" ref={tableRef} aria-label="Executions">
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Procedure</th>
              <th scope="col">Executor</th>
              <th scope="col">Status</th>
              <th scope="col">Started</th>
              <th scope="col">Duration</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {items.length === 0 && (
              <tr>
                <td colSpan={7} className="muted">
                  No execution matches.
                </td>
              </tr>
            )}
            {items.map((e) => (
              <tr key={e.id}>
                <td>
                  <Link to={`/executions/${e.id}`}>{e.title ?? e.id}</Link>
                </td>
                <td>{e.workflowName ?? e.workflowId}</td>
                <td>{e.triggeredByUsername ?? <span className="muted">{e.trigger}</span>}</td>
                <td>
                  <StatusBadge status={e.status} />
                </td>
                <td>
                  <Time iso={e.startedAt ?? e.createdAt} />
                </td>
                <td>
                  <Duration ms={e.durationMs} />
                </td>
                <td className="row-actions">
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
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav className="pager" aria-label="Pages">
        {filters.cursor && (
          <button type="button" onClick={() => go({ ...filters, cursor: '' })}>
            First page
          </button>
        )}
        {list.data?.nextCursor && (
          <button type="button" onClick={() => go({ ...filters, cursor: list.data.nextCursor! })}>
            Next page
          </button>
        )}
      </nav>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete this execution?"
        confirmLabel="Delete"
        danger
        busy={remove.isPending}
        onConfirm={() => deleting && remove.mutate(deleting.id)}
        onCancel={() => setDeleting(null)}
      >
        <p>
          “{deleting?.title ?? deleting?.id}” will be hidden from everyone but administrators, who can restore it during the grace period.
          The deletion is audited.
        </p>
        <ErrorNote error={remove.error} />
      </ConfirmDialog>
    </section>
  );
}
