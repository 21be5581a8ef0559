import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { keys } from '../api/queries.ts';
import { ErrorNote, JsonDetails, Loading, Time } from '../components/common.tsx';
import { useSession } from '../session.tsx';

type Execution = Schemas['ExecutionDetail'];

function actorName(actor: Record<string, unknown>): string {
  const name = typeof actor.username === 'string' ? actor.username : typeof actor.userId === 'string' ? actor.userId : null;
  const kind = typeof actor.kind === 'string' ? actor.kind : 'unknown';
  if (kind === 'user') return name ?? 'unknown user';
  if (kind === 'token') return `${name ?? 'unknown user'} (token)`;
  if (kind === 'worker') return typeof actor.workerId === 'string' ? `worker ${actor.workerId}` : 'worker';
  return name ? `${kind} ${name}` : kind;
}

/** The first problem names where the chain breaks: "broken at seq N". */
function brokenAt(problems: readonly string[]): string {
  const seq = problems.map((p) => /seq (\d+)/.exec(p)?.[1]).find(Boolean);
  return seq ? `broken at seq ${seq}` : 'broken';
}

/** The execution's audit events with the chain's verification, and its step-result audit. */
export function AuditTab({ execution }: { execution: Execution }) {
  const session = useSession();
  const audit = useQuery({
    queryKey: keys.audit(execution.id),
    queryFn: () => unwrap(api.GET('/v1/executions/{id}/audit', { params: { path: { id: execution.id } } })),
  });
  const steps = useQuery({
    queryKey: keys.stepAudit(execution.id),
    queryFn: () => unwrap(api.GET('/v1/executions/{id}/step-audit', { params: { path: { id: execution.id } } })),
  });
  if (audit.isPending) return <Loading what="the audit trail" />;
  if (audit.error) return <ErrorNote error={audit.error} />;
  const v = audit.data.verification;
  return (
    <div className="audit">
      <div className="audit-head">
        <p className={`verify-badge ${v.ok ? 'ok' : 'broken'}`} role="status">
          {v.ok ? `✓ Verified: ${v.checked} events, every hash and link checked` : `✗ Chain ${brokenAt(v.problems)}`}
        </p>
        <p>
          <a href={`/v1/executions/${execution.id}/audit`} download={`audit-${execution.id}.json`}>
            Export this execution's audit (JSON)
          </a>
          {session.user?.role === 'admin' && (
            <>
              {' · '}
              <a href="/v1/audit/export" download="audit.ndjson">
                Export the whole audit trail (NDJSON)
              </a>
            </>
          )}
        </p>
      </div>
      {!v.ok && (
        <ul className="error" aria-label="Verification problems">
          {v.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <table className="table" aria-label="Audit events">
        <thead>
          <tr>
            <th scope="col">Seq</th>
            <th scope="col">When</th>
            <th scope="col">Event</th>
            <th scope="col">Actor</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {audit.data.items.map((event) => (
            <tr key={event.id}>
              <td>{event.seq}</td>
              <td>
                <Time iso={event.createdAt} />
              </td>
              <td className="mono">{event.eventType}</td>
              <td>{actorName(event.actor)}</td>
              <td>
                <JsonDetails summary="Metadata" value={event.metadata} />
                <span className="hash mono small" title="hash">
                  {event.hash.slice(0, 16)}…
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Step results</h2>
      {steps.isPending ? (
        <Loading what="step results" />
      ) : steps.error ? (
        <ErrorNote error={steps.error} />
      ) : steps.data.items.length === 0 ? (
        <p className="muted">No step has a result yet.</p>
      ) : (
        <table className="table" aria-label="Step results">
          <thead>
            <tr>
              <th scope="col">Recorded</th>
              <th scope="col">Step</th>
              <th scope="col">Attempt</th>
              <th scope="col">Change</th>
              <th scope="col">Success</th>
              <th scope="col">Worker</th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {steps.data.items.map((s) => (
              <tr key={s.id}>
                <td>
                  <Time iso={s.recordedAt} />
                </td>
                <td className="mono">{s.stepName}</td>
                <td>{s.attempt}</td>
                <td>
                  {s.fromState ?? '—'} → {s.toState}
                </td>
                <td>{s.success ? 'yes' : 'no'}</td>
                <td className="mono small">{s.workerId ?? '—'}</td>
                <td>
                  <JsonDetails summary="Result" value={s.result} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
