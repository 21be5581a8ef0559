import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { useExecutions } from '../api/queries.ts';
import { ErrorNote, Loading, StatusBadge, Time } from '../components/common.tsx';
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
import { useSession } from '../session.tsx';

type Item = Schemas['ExecutionListItem'];

const OPEN = new Set(['pending', 'running', 'waiting']);

/** What the records page adds to the executions' filters: the result view and the admins' deleted view. */
interface RecordView {
  filters: ExecutionFilters;
  cards: boolean;
  deleted: boolean;
}

function viewFromSearch(search: string): RecordView {
  const params = new URLSearchParams(search);
  return { filters: filtersFromSearch(search), cards: params.get('view') === 'cards', deleted: params.get('deleted') === 'true' };
}

function go(view: RecordView): void {
  const params = new URLSearchParams(filtersToSearch(view.filters));
  if (view.cards) params.set('view', 'cards');
  if (view.deleted) params.set('deleted', 'true');
  const search = params.toString();
  navigate(`/records${search ? `?${search}` : ''}`);
}

function SearchForm({ view }: { view: RecordView }) {
  const { filters } = view;
  const [draft, setDraft] = useState(filters);
  const [chip, setChip] = useState('');
  const [chipError, setChipError] = useState<string | null>(null);
  useEffect(() => setDraft(filters), [filters]);
  const apply = (next: Partial<ExecutionFilters>) => go({ ...view, filters: { ...filters, ...next, cursor: '' } });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = chip.trim() ? parseInputChip(chip) : null;
    if (parsed && 'error' in parsed) return setChipError(parsed.error);
    setChipError(null);
    setChip('');
    go({ ...view, filters: { ...draft, inputs: parsed ? [...filters.inputs, parsed.chip] : filters.inputs, cursor: '' } });
  };
  return (
    <form className="record-search" onSubmit={submit} role="search" aria-label="Search records">
      <div className="search-bar">
        <label htmlFor="r-keyword" className="visually-hidden">
          Keywords
        </label>
        <input
          id="r-keyword"
          type="search"
          value={draft.keyword}
          placeholder="Search titles and notes"
          onChange={(e) => setDraft({ ...draft, keyword: e.target.value })}
        />
        <button type="submit" className="primary">
          Search
        </button>
      </div>
      <div className="toolbar">
        <WorkflowSelect
          id="r-document"
          label="Document"
          anyLabel="Any procedure"
          value={filters.workflow}
          onChange={(workflow) => apply({ workflow })}
        />
        <ExecutorField id="r-executor" value={draft.executor} onChange={(executor) => setDraft({ ...draft, executor })} />
        <div className="field">
          <label htmlFor="r-status">Status</label>
          <select
            id="r-status"
            value={filters.statuses[0] ?? ''}
            onChange={(e) => apply({ statuses: e.target.value ? [e.target.value as Status] : [] })}
          >
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.replace('_', ' ')}
              </option>
            ))}
          </select>
        </div>
        <DateRangeFields idPrefix="r" from={draft.from} to={draft.to} onChange={(range) => setDraft({ ...draft, ...range })} />
        <div className="field">
          <label htmlFor="r-variable">Variable value</label>
          <input
            id="r-variable"
            value={chip}
            placeholder="server = db-07"
            aria-describedby={chipError ? 'r-variable-error' : undefined}
            onChange={(e) => setChip(e.target.value)}
          />
          {chipError && (
            <span id="r-variable-error" className="error small" role="alert">
              {chipError}
            </span>
          )}
        </div>
        <div className="field actions">
          <button type="submit">Apply</button>
          <button type="button" onClick={() => go({ ...view, filters: EMPTY_FILTERS })}>
            Clear
          </button>
        </div>
      </div>
      <InputFilterChips
        inputs={filters.inputs}
        noun="variable"
        onRemove={(i) => apply({ inputs: filters.inputs.filter((_, j) => j !== i) })}
      />
    </form>
  );
}

/** View / Edit / Delete of one record, or Restore in the deleted view. */
function Actions(props: { item: Item; deleted: boolean; onDelete: () => void; onRestore: () => void; restoring: boolean }) {
  const { item: e } = props;
  const { user } = useSession();
  const name = e.title ?? e.id;
  if (props.deleted)
    return (
      <button type="button" onClick={props.onRestore} disabled={props.restoring} aria-label={`Restore ${name}`}>
        Restore
      </button>
    );
  const mine = !!user && (user.role === 'admin' || user.id === e.triggeredBy);
  const editable = mine && OPEN.has(e.status);
  return (
    <>
      <Link to={`/executions/${e.id}`} className="button-link" aria-label={`View ${name}`}>
        View
      </Link>
      {editable ? (
        <Link to={`/executions/${e.id}`} className="button-link" aria-label={`Edit ${name}`}>
          Edit
        </Link>
      ) : (
        <button
          type="button"
          disabled
          aria-label={`Edit ${name}`}
          title={mine ? 'An ended record no longer changes' : 'Only its executor or an administrator edits it'}
        >
          Edit
        </button>
      )}
      {mine && (
        <button
          type="button"
          className="danger-outline"
          disabled={OPEN.has(e.status)}
          title={OPEN.has(e.status) ? 'Complete it or mark it failed first' : undefined}
          onClick={props.onDelete}
          aria-label={`Delete ${name}`}
        >
          Delete
        </button>
      )}
    </>
  );
}

/**
 * Finding human-run records: keywords, the procedure (document), executor, status, a date range and
 * variable values, all in the URL; results as a table or as cards; admins see deleted records and
 * restore them within the grace period.
 */
export function RecordsPage() {
  const { search } = useLocation();
  const { prefs } = usePrefs();
  const { user } = useSession();
  const view = viewFromSearch(search);
  const deleted = view.deleted && user?.role === 'admin';
  const list = useExecutions({
    ...filtersToQuery(view.filters, prefs.timeZone),
    trigger: 'manual',
    ...(deleted ? { deleted: 'true' } : {}),
  });
  const queries = useQueryClient();
  const [deleting, setDeleting] = useState<Item | null>(null);
  const refresh = () => queries.invalidateQueries({ queryKey: ['executions'] });
  const restore = useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/v1/executions/{id}/restore', { params: { path: { id } } })),
    onSuccess: refresh,
  });
  const items = list.data?.items ?? [];
  const actions = (e: Item) => (
    <Actions
      item={e}
      deleted={deleted}
      onDelete={() => setDeleting(e)}
      onRestore={() => restore.mutate(e.id)}
      restoring={restore.isPending}
    />
  );

  return (
    <section aria-labelledby="records-title">
      <div className="page-head">
        <h1 id="records-title">{deleted ? 'Deleted records' : 'Records'}</h1>
        <div className="head-actions" role="group" aria-label="Show results as">
          <button type="button" aria-pressed={!view.cards} onClick={() => go({ ...view, cards: false })}>
            Table
          </button>
          <button type="button" aria-pressed={view.cards} onClick={() => go({ ...view, cards: true })}>
            Cards
          </button>
          {user?.role === 'admin' && (
            <label className="check">
              <input type="checkbox" checked={deleted} onChange={(e) => go({ ...view, deleted: e.target.checked })} /> Deleted records
            </label>
          )}
        </div>
      </div>
      <SearchForm view={view} />
      <ErrorNote error={list.error ?? restore.error} />
      {list.isPending ? (
        <Loading what="records" />
      ) : items.length === 0 ? (
        <p className="muted">No record matches.</p>
      ) : view.cards ? (
        <ul className="record-cards" aria-label="Records">
          {items.map((e) => (
            <li key={e.id} className="record-card">
              <div className="record-card-head">
                <h2>
                  <Link to={`/executions/${e.id}`}>{e.title ?? e.id}</Link>
                </h2>
                <StatusBadge status={e.status} />
              </div>
              <p className="muted">
                {e.workflowName ?? e.workflowId} · {e.triggeredByUsername ?? 'unknown'} · <Time iso={e.startedAt ?? e.createdAt} />
              </p>
              <div className="row-actions">{actions(e)}</div>
            </li>
          ))}
        </ul>
      ) : (
        <ExecutionTable label="Records" items={items} noExecutor={() => <span className="muted">unknown</span>} actions={actions} />
      )}
      <ListPager
        cursor={view.filters.cursor}
        nextCursor={list.data?.nextCursor}
        onGo={(cursor) => go({ ...view, filters: { ...view.filters, cursor } })}
      />
      <DeleteExecutionDialog item={deleting} noun="record" onClose={() => setDeleting(null)} />
    </section>
  );
}
