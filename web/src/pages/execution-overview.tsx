import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { Duration, JsonBlock, StatusBadge, Time } from '../components/common.tsx';
import { formatJson } from '../lib/format.ts';

type Execution = Schemas['ExecutionDetail'];

/** The last stderr lines of the task run that failed, when its error has no stack. */
function StderrTail({ execution, run }: { execution: Execution; run: Schemas['TaskRun'] }) {
  const taskId = run.taskId;
  const tail = useQuery({
    queryKey: ['execution', execution.id, 'stderr', run.id],
    queryFn: () =>
      unwrap(
        api.GET('/v1/executions/{id}/logs', {
          params: { path: { id: execution.id }, query: { task: taskId, beforeSeq: execution.logEntryCount + 1, limit: 500 } },
        }),
      ),
  });
  const lines = (tail.data?.items ?? []).filter((l) => l.taskRunId === run.id && l.source.endsWith(':stderr')).slice(-20);
  if (lines.length === 0) return null;
  return (
    <>
      <h3>
        stderr of {taskId}, attempt {run.attempt} (last {lines.length} lines)
      </h3>
      <pre className="json stderr" tabIndex={0} aria-label={`stderr of ${taskId}`}>
        {lines.map((l) => l.message).join('\n')}
      </pre>
    </>
  );
}

export function OverviewTab({ execution: e }: { execution: Execution }) {
  const failedRun = [...e.taskRuns].reverse().find((r) => r.status === 'failed' || r.status === 'timed_out');
  const inputs = Object.entries(e.inputs);
  return (
    <div className="overview">
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={e.status} />
        </dd>
        <dt>Trigger</dt>
        <dd>
          {e.trigger}
          {e.triggeredByUsername ? ` by ${e.triggeredByUsername}` : ''}
        </dd>
        <dt>Workflow</dt>
        <dd>
          {e.workflowId} (version {e.workflowVersion})
        </dd>
        <dt>Correlation id</dt>
        <dd className="mono">{e.correlationId ?? <span className="muted">none</span>}</dd>
        <dt>Created</dt>
        <dd>
          <Time iso={e.createdAt} />
        </dd>
        <dt>Started</dt>
        <dd>
          <Time iso={e.startedAt} />
        </dd>
        <dt>Ended</dt>
        <dd>
          <Time iso={e.completedAt} />
        </dd>
        <dt>Duration</dt>
        <dd>
          <Duration ms={e.durationMs ?? (e.startedAt ? Date.now() - Date.parse(e.startedAt) : null)} />
        </dd>
        <dt>Log lines</dt>
        <dd>{e.logEntryCount}</dd>
        <dt>Task runs</dt>
        <dd>{e.taskRuns.length}</dd>
      </dl>
      <h2>Inputs</h2>
      {inputs.length === 0 ? (
        <p className="muted">No inputs.</p>
      ) : (
        <table className="table compact" aria-label="Inputs">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Value (secrets are ***)</th>
            </tr>
          </thead>
          <tbody>
            {inputs.map(([name, value]) => (
              <tr key={name}>
                <th scope="row" className="mono">
                  {name}
                </th>
                <td className="mono pre-wrap">{formatJson(value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {e.notes && (
        <>
          <h2>Notes</h2>
          <p className="pre-wrap">{e.notes}</p>
        </>
      )}
      {e.error && (
        <section className="error-panel" aria-labelledby="error-title">
          <h2 id="error-title">Error</h2>
          <p>
            <strong className="mono">{e.error.code}</strong> ({e.error.type}): {e.error.message}
          </p>
          {e.error.stack && <JsonBlock value={e.error.stack} label="Stack" />}
          {failedRun?.error?.stack && failedRun.error.stack !== e.error.stack && (
            <JsonBlock value={failedRun.error.stack} label="Stack of the failed task" />
          )}
          {failedRun && !failedRun.error?.stack && <StderrTail execution={e} run={failedRun} />}
        </section>
      )}
    </div>
  );
}
