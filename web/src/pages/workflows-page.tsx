import { useWorkflows } from '../api/queries.ts';
import { ErrorNote, Loading, Time } from '../components/common.tsx';
import { Link } from '../router.tsx';

export function WorkflowsPage() {
  const workflows = useWorkflows();
  return (
    <section aria-labelledby="workflows-title">
      <div className="page-head">
        <h1 id="workflows-title">Workflows</h1>
      </div>
      <ErrorNote error={workflows.error} />
      {workflows.isPending ? (
        <Loading what="workflows" />
      ) : (
        <table className="table" aria-label="Workflows">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Id</th>
              <th scope="col">Latest version</th>
              <th scope="col">Updated</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {workflows.data?.items.length === 0 && (
              <tr>
                <td colSpan={5} className="muted">
                  No workflow yet: apply one with <code>runledger workflow apply FILE</code>.
                </td>
              </tr>
            )}
            {workflows.data?.items.map((w) => (
              <tr key={w.id}>
                <td>
                  <Link to={`/workflows/${w.id}`}>{w.name}</Link>
                </td>
                <td className="mono">{w.id}</td>
                <td>{w.latestVersion}</td>
                <td>
                  <Time iso={w.updatedAt} />
                </td>
                <td className="row-actions">
                  <Link to={`/workflows/${w.id}/run`} className="button-link primary" aria-label={`Run ${w.name}`}>
                    Run
                  </Link>
                  <Link
                    to={`/executions?workflow=${encodeURIComponent(w.id)}`}
                    className="button-link"
                    aria-label={`Executions of ${w.name}`}
                  >
                    Executions
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
