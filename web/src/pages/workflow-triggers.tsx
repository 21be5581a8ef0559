import type { Schemas } from '../api/client.ts';
import { useSchedules } from '../api/queries.ts';
import { ErrorNote, Loading, Time } from '../components/common.tsx';
import { Link } from '../router.tsx';

type Trigger = NonNullable<Schemas['WorkflowDefinition']['triggers']>[number];

/**
 * How a workflow starts on its own (its latest version's `triggers:`): each schedule with its next
 * run times and what became of its last due time, each webhook with the address to sign requests for.
 * Secrets are never shown here (the CLI rotates and shows one once).
 */
export function WorkflowTriggers({ workflowId, triggers }: { workflowId: string; triggers: readonly Trigger[] }) {
  const schedules = useSchedules(workflowId);
  if (triggers.length === 0) return null;
  return (
    <section aria-labelledby="wf-triggers" className="workflow-triggers">
      <h2 id="wf-triggers">Triggers</h2>
      {schedules.isPending && <Loading what="the schedules" />}
      {schedules.error && <ErrorNote error={schedules.error} />}
      <table className="table compact" aria-label="Triggers">
        <thead>
          <tr>
            <th>Trigger</th>
            <th>Starts</th>
            <th>Next</th>
            <th>Last</th>
          </tr>
        </thead>
        <tbody>
          {triggers.map((t) => {
            const schedule = schedules.data?.items.find((s) => s.triggerId === t.id);
            return (
              <tr key={t.id}>
                <td className="mono">{t.id}</td>
                <td>
                  {t.type === 'schedule' ? (
                    <>
                      <span className="mono">{t.cron}</span> ({t.timezone})
                    </>
                  ) : (
                    <>
                      webhook:{' '}
                      <span className="mono">
                        POST /v1/workflows/{workflowId}/webhooks/{t.id}
                      </span>
                    </>
                  )}
                </td>
                <td>{schedule && schedule.nextRuns[0] ? <Time iso={schedule.nextRuns[0]} /> : <span className="muted">-</span>}</td>
                <td>{schedule?.lastFire ? <LastFire fire={schedule.lastFire} /> : <span className="muted">-</span>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

function LastFire({ fire }: { fire: NonNullable<Schemas['Schedule']['lastFire']> }) {
  return (
    <>
      {/* a fire that started an execution reads as a success; skipped and failed as those statuses */}
      <span className={`badge status-${fire.status === 'started' ? 'succeeded' : fire.status}`}>{fire.status}</span>{' '}
      {fire.dueAt && <Time iso={fire.dueAt} />}
      {fire.executionId && (
        <>
          {' '}
          <Link to={`/executions/${fire.executionId}`}>execution</Link>
        </>
      )}
      {fire.reason && <span className="muted"> {fire.reason}</span>}
    </>
  );
}
