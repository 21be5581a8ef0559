import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { keys, useAttachments, useWorkflowVersion } from '../api/queries.ts';
import { ConfirmDialog, ErrorNote } from '../components/common.tsx';
import { useSession } from '../session.tsx';
import { ProcedureDocument } from './procedure-document.tsx';
import { RecordMetadata } from './record-metadata.tsx';
import { currentStep, isStepEnded, recordSteps } from './record-steps.ts';
import { StepCard } from './step-card.tsx';

type Execution = Schemas['ExecutionDetail'];

const OPEN = new Set(['pending', 'running', 'waiting']);

/** The owner of a record and admins change it, while it is open; everyone else reads it. */
export function useCanEdit(execution: Execution): boolean {
  const { user } = useSession();
  return OPEN.has(execution.status) && !!user && (user.role === 'admin' || user.id === execution.triggeredBy);
}

function AddStep({ executionId }: { executionId: string }) {
  const [description, setDescription] = useState('');
  const queries = useQueryClient();
  const add = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/executions/{id}/steps', { params: { path: { id: executionId } }, body: { description } })),
    onSuccess: async () => {
      setDescription('');
      await queries.invalidateQueries({ queryKey: keys.execution(executionId) });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (description.trim()) add.mutate();
  };
  return (
    <form className="add-step" onSubmit={submit}>
      <div className="field grow">
        <label htmlFor="add-step">Add an extra step</label>
        <input
          id="add-step"
          value={description}
          maxLength={2000}
          onChange={(e) => setDescription(e.target.value)}
          placeholder="What to do"
        />
      </div>
      <button type="submit" disabled={!description.trim() || add.isPending}>
        Add step
      </button>
      <ErrorNote error={add.error} />
    </form>
  );
}

/** Complete the record, or mark it failed with a reason; both confirmed, both audited. */
function RecordActions({ execution, openSteps }: { execution: Execution; openSteps: string[] }) {
  const queries = useQueryClient();
  const [dialog, setDialog] = useState<'complete' | 'fail' | null>(null);
  const [reason, setReason] = useState('');
  const end = useMutation({
    mutationFn: (body: { status: 'completed' } | { status: 'failed'; notes: string }) =>
      unwrap(api.PATCH('/v1/executions/{id}', { params: { path: { id: execution.id } }, body })),
    onSuccess: (data) => {
      setDialog(null);
      queries.setQueryData(keys.execution(execution.id), data);
    },
  });
  const close = () => {
    setDialog(null);
    end.reset();
  };
  return (
    <>
      <button type="button" className="primary" onClick={() => setDialog('complete')}>
        Complete
      </button>
      <button type="button" className="danger-outline" onClick={() => setDialog('fail')}>
        Mark as failed
      </button>
      <ConfirmDialog
        open={dialog === 'complete'}
        title="Complete this record?"
        confirmLabel="Complete record"
        busy={end.isPending}
        onConfirm={() => end.mutate({ status: 'completed' })}
        onCancel={close}
      >
        {openSteps.length > 0 ? (
          <p>
            Steps not ended yet: <strong>{openSteps.join(', ')}</strong>. Complete them first, or mark the record failed.
          </p>
        ) : (
          <p>The record ends as completed. Its notes, steps and evidence can no longer change. This is audited.</p>
        )}
        <ErrorNote error={end.error} />
      </ConfirmDialog>
      <ConfirmDialog
        open={dialog === 'fail'}
        title="Mark this record as failed?"
        confirmLabel="Mark as failed"
        danger
        busy={end.isPending || !reason.trim()}
        onConfirm={() => reason.trim() && end.mutate({ status: 'failed', notes: reason.trim() })}
        onCancel={close}
      >
        <div className="field">
          <label htmlFor="fail-reason">Reason (required)</label>
          <textarea id="fail-reason" rows={3} value={reason} onChange={(e) => setReason(e.target.value)} required />
        </div>
        <p className="muted small">Open steps are cancelled; the reason becomes the record's notes. This is audited.</p>
        <ErrorNote error={end.error} />
      </ConfirmDialog>
    </>
  );
}

/**
 * The three-pane view of a human-run record: variables and metadata | the procedure document |
 * the evidence panel. Follows the record (the execution query polls while it is open), so what
 * another browser does appears here too.
 */
export function RunView({ execution: e, actions }: { execution: Execution; actions?: ReactNode }) {
  const version = useWorkflowVersion(e.workflowId, e.workflowVersion);
  const attachments = useAttachments(e.id, e.status);
  const canEdit = useCanEdit(e);
  const steps = recordSteps(e.taskRuns, version.data?.definition);
  const current = currentStep(steps);
  const definedCount = steps.filter((s) => !s.extra).length;
  const currentIndex = current && !current.extra && current.number <= definedCount ? current.number - 1 : null;
  const openSteps = steps.filter((s) => !isStepEnded(s.run)).map((s) => s.taskId);
  const byRun = new Map<string, Schemas['Attachment'][]>();
  for (const a of attachments.data?.items ?? []) byRun.set(a.taskRunId, [...(byRun.get(a.taskRunId) ?? []), a]);
  const done = steps.length - openSteps.length;
  return (
    <div className="run-view-wrap">
      <div className="run-actions" role="toolbar" aria-label="Record actions">
        <span className="muted">
          {done} of {steps.length} steps ended
          {!canEdit && OPEN.has(e.status) ? ' · read only' : ''}
        </span>
        <span className="spacer" />
        {canEdit && <RecordActions execution={e} openSteps={openSteps} />}
        {actions}
      </div>
      <div className="run-view">
        <aside className="pane pane-meta" aria-label="Variables and metadata">
          <RecordMetadata execution={e} canEdit={canEdit} />
        </aside>
        <section className="pane pane-doc" aria-labelledby="doc-title">
          <h2 id="doc-title">Procedure</h2>
          <ProcedureDocument executionId={e.id} currentIndex={currentIndex} />
        </section>
        <section className="pane pane-evidence" aria-labelledby="evidence-title">
          <h2 id="evidence-title">Steps and evidence</h2>
          <ol className="steps">
            {steps.map((s) => (
              <StepCard
                key={s.run.id}
                executionId={e.id}
                step={s}
                current={current?.run.id === s.run.id}
                canEdit={canEdit}
                attachments={byRun.get(s.run.id) ?? []}
              />
            ))}
          </ol>
          <ErrorNote error={attachments.error} />
          {canEdit && <AddStep executionId={e.id} />}
        </section>
      </div>
    </div>
  );
}
