import type { ReactNode, Ref } from 'react';
import type { Schemas } from '../api/client.ts';
import { Duration, StatusBadge, Time } from '../components/common.tsx';
import { Link } from '../router.tsx';

type Item = Schemas['ExecutionListItem'];

/**
 * Executions as a table: title (a link), procedure, executor, status, start, optionally the
 * duration, and the row's actions. Shared by the executions page and the records page.
 */
export function ExecutionTable({
  label,
  items,
  actions,
  noExecutor,
  showDuration = false,
  empty,
  tableRef,
}: {
  /** The table's accessible name. */
  label: string;
  items: readonly Item[];
  actions: (item: Item) => ReactNode;
  /** What the executor cell shows when no person started it. */
  noExecutor: (item: Item) => ReactNode;
  showDuration?: boolean;
  /** A row saying nothing matches, when there is no item (without it the caller shows its own note). */
  empty?: string;
  tableRef?: Ref<HTMLTableElement>;
}) {
  const columns = showDuration ? 7 : 6;
  return (
    <table className="table" ref={tableRef} aria-label={label}>
      <thead>
        <tr>
          <th scope="col">Title</th>
          <th scope="col">Procedure</th>
          <th scope="col">Executor</th>
          <th scope="col">Status</th>
          <th scope="col">Started</th>
          {showDuration && <th scope="col">Duration</th>}
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {items.length === 0 && empty !== undefined && (
          <tr>
            <td colSpan={columns} className="muted">
              {empty}
            </td>
          </tr>
        )}
        {items.map((e) => (
          <tr key={e.id}>
            <td>
              <Link to={`/executions/${e.id}`}>{e.title ?? e.id}</Link>
            </td>
            <td>{e.workflowName ?? e.workflowId}</td>
            <td>{e.triggeredByUsername ?? noExecutor(e)}</td>
            <td>
              <StatusBadge status={e.status} />
            </td>
            <td>
              <Time iso={e.startedAt ?? e.createdAt} />
            </td>
            {showDuration && (
              <td>
                <Duration ms={e.durationMs} />
              </td>
            )}
            <td className="row-actions">{actions(e)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** First page / Next page of a cursor-paged list. */
export function ListPager({
  cursor,
  nextCursor,
  onGo,
}: {
  cursor: string;
  nextCursor: string | null | undefined;
  onGo: (cursor: string) => void;
}) {
  return (
    <nav className="pager" aria-label="Pages">
      {cursor && (
        <button type="button" onClick={() => onGo('')}>
          First page
        </button>
      )}
      {nextCursor && (
        <button type="button" onClick={() => onGo(nextCursor)}>
          Next page
        </button>
      )}
    </nav>
  );
}
