import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../api/client.ts';
import { keys, useExecution } from '../api/queries.ts';
import { ConfirmDialog, ErrorNote, Loading, StatusBadge } from '../components/common.tsx';
import { LogViewer } from '../logs/log-viewer.tsx';
import { RunView } from '../records/run-view.tsx';
import { ShareButton } from '../records/share-dialog.tsx';
import { useSession } from '../session.tsx';
import { Link } from '../router.tsx';
import { AuditTab } from './execution-audit.tsx';
import { GraphTab } from './execution-graph.tsx';
import { OverviewTab } from './execution-overview.tsx';
import { TasksTab } from './execution-tasks.tsx';
import { TimelineTab } from './execution-timeline.tsx';
import { EXECUTION_TABS as TABS, type ExecutionTab as Tab } from '../lib/routes.ts';

const RUNNING = new Set(['pending', 'running', 'waiting']);

/** One execution; each tab has its own URL (`/executions/<id>/<tab>`). */
export function ExecutionPage({ id, tab }: { id: string; tab: Tab }) {
  const execution = useExecution(id);
  const { user } = useSession();
  const queries = useQueryClient();
  const [cancelling, setCancelling] = useState(false);
  const cancel = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/executions/{id}/cancel', { params: { path: { id } }, body: {} })),
    onSuccess: (data) => {
      setCancelling(false);
      queries.setQueryData(keys.execution(id), data);
    },
  });
  if (execution.isPending) return <Loading what="the execution" />;
  if (execution.error) return <ErrorNote error={execution.error} />;
  const e = execution.data;
  // a human-run record opens in the three-pane run view; it ends by Complete or Mark as failed
  const record = e.trigger === 'manual';
  return (
    <article aria-labelledby="execution-title">
      <div className="page-head">
        <div>
          <p className="breadcrumb">
            <Link to="/executions">Executions</Link> / {e.workflowId} v{e.workflowVersion}
          </p>
          <h1 id="execution-title">{e.title ?? `${e.workflowId} execution`}</h1>
          <p className="muted mono">{e.id}</p>
        </div>
        <div className="head-actions">
          <StatusBadge status={e.status} />
          {user && (user.role === 'admin' || user.id === e.triggeredBy) && <ShareButton executionId={id} owner={e.triggeredByUsername} />}
          <a
            className="button-link"
            href={`/v1/executions/${id}/export`}
            download
            title="One archive: the record, its logs, its audit events with the signed checkpoint, its evidence files"
          >
            Download record
          </a>
          {RUNNING.has(e.status) && !record && (
            <button type="button" className="danger" onClick={() => setCancelling(true)}>
              Cancel
            </button>
          )}
        </div>
      </div>
      <nav className="tabs" aria-label="Execution views">
        {TABS.map((t) => (
          <Link key={t} to={`/executions/${id}${t === 'overview' ? '' : `/${t}`}`} aria-current={t === tab ? 'page' : undefined}>
            {t === 'overview' && record ? 'Record' : t[0]!.toUpperCase() + t.slice(1)}
          </Link>
        ))}
      </nav>
      <div className="tab-body">
        {tab === 'overview' && (record ? <RunView execution={e} /> : <OverviewTab execution={e} />)}
        {tab === 'tasks' && <TasksTab execution={e} />}
        {tab === 'timeline' && <TimelineTab execution={e} />}
        {tab === 'graph' && <GraphTab execution={e} />}
        {tab === 'logs' && <LogViewer execution={e} />}
        {tab === 'audit' && <AuditTab execution={e} />}
      </div>
      <ConfirmDialog
        open={cancelling}
        title="Cancel this execution?"
        confirmLabel="Cancel execution"
        danger
        busy={cancel.isPending}
        onConfirm={() => cancel.mutate()}
        onCancel={() => setCancelling(false)}
      >
        <p>Running tasks are stopped and the execution ends as cancelled. This is audited.</p>
        <ErrorNote error={cancel.error} />
      </ConfirmDialog>
    </article>
  );
}
