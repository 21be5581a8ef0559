import type { Schemas } from '../api/client.ts';
import { Duration, JsonDetails, StatusBadge, Time } from '../components/common.tsx';

type Execution = Schemas['ExecutionDetail'];

/** Every task run and every attempt, with what it received and returned. */
export function TasksTab({ execution }: { execution: Execution }) {
  const runs = [...execution.taskRuns].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.attempt - b.attempt);
  if (runs.length === 0) return <p className="muted">No task has run yet.</p>;
  return (
    <table className="table tasks" aria-label="Task runs">
      <thead>
        <tr>
          <th scope="col">Task</th>
          <th scope="col">Attempt</th>
          <th scope="col">Type</th>
          <th scope="col">Status</th>
          <th scope="col">Worker</th>
          <th scope="col">Started</th>
          <th scope="col">Duration</th>
          <th scope="col">Details</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id} id={`run-${r.id}`}>
            <th scope="row" className="mono">
              {r.taskId}
            </th>
            <td>{r.attempt}</td>
            <td>{r.type}</td>
            <td>
              <StatusBadge status={r.status} />
            </td>
            <td className="mono small">{r.workerId ?? '—'}</td>
            <td>
              <Time iso={r.startedAt} />
            </td>
            <td>
              <Duration ms={r.durationMs} />
            </td>
            <td className="details-cell">
              {r.error && (
                <p className="error small">
                  {r.error.code}: {r.error.message}
                </p>
              )}
              <JsonDetails summary="Input" value={r.input} />
              <JsonDetails summary="Output" value={r.output} />
              <JsonDetails summary="Error" value={r.error} />
              {r.notes && <JsonDetails summary="Notes" value={r.notes} />}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
