import { useState } from 'react';
import { useWorkflow, useWorkflowVersions } from '../api/queries.ts';
import { ErrorNote, Loading, Time } from '../components/common.tsx';
import { Link } from '../router.tsx';
import { WorkflowTriggers } from './workflow-triggers.tsx';

/** A workflow's definition as it was written (YAML or JSON), version by version. */
export function WorkflowPage({ id }: { id: string }) {
  const workflow = useWorkflow(id);
  const versions = useWorkflowVersions(id);
  const [chosen, setChosen] = useState<number | null>(null);
  if (workflow.isPending || versions.isPending) return <Loading what="the workflow" />;
  if (workflow.error || versions.error) return <ErrorNote error={workflow.error ?? versions.error} />;
  const list = versions.data.items;
  const shown = list.find((v) => v.version === (chosen ?? workflow.data.latestVersion)) ?? list[0];
  return (
    <section aria-labelledby="workflow-title">
      <div className="page-head">
        <div>
          <p className="breadcrumb">
            <Link to="/workflows">Workflows</Link> / {id}
          </p>
          <h1 id="workflow-title">{workflow.data.name}</h1>
          {workflow.data.definition.description && <p>{workflow.data.definition.description}</p>}
        </div>
        <div className="head-actions">
          <Link to={`/workflows/${id}/run`} className="button-link primary">
            Run
          </Link>
          <Link to={`/executions?workflow=${encodeURIComponent(id)}`} className="button-link">
            Executions
          </Link>
        </div>
      </div>
      <WorkflowTriggers workflowId={id} triggers={workflow.data.definition.triggers ?? []} />
      <div className="field">
        <label htmlFor="wf-version">Version</label>
        <select id="wf-version" value={shown?.version ?? ''} onChange={(e) => setChosen(Number(e.target.value))}>
          {list.map((v) => (
            <option key={v.version} value={v.version}>
              v{v.version} — {new Date(v.createdAt).toISOString().slice(0, 16).replace('T', ' ')}
            </option>
          ))}
        </select>
      </div>
      {shown && (
        <>
          <p className="muted">
            Version {shown.version}, created <Time iso={shown.createdAt} />, checksum{' '}
            <span className="mono">{shown.checksum.slice(0, 12)}</span>, {shown.definition.tasks.length} tasks
          </p>
          <pre className="json source" tabIndex={0} aria-label={`Definition of version ${shown.version} (${shown.sourceFormat})`}>
            {shown.source || JSON.stringify(shown.definition, null, 2)}
          </pre>
        </>
      )}
    </section>
  );
}
