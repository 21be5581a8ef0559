import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { keys } from '../api/queries.ts';
import { ConfirmDialog, ErrorNote, StatusBadge, Time } from '../components/common.tsx';
import { EvidenceList } from './evidence-list.tsx';
import { EvidenceUpload } from './evidence-upload.tsx';
import { isStepEnded, type RecordStep } from './record-steps.ts';

/** Who ended a step: the person's name the engine wrote into its output. */
function completedByOf(run: Schemas['TaskRun']): string | null {
  const output = run.output as { completedBy?: unknown } | null;
  return output && typeof output.completedBy === 'string' ? output.completedBy : null;
}

/**
 * One step of the evidence panel: number, description, status, who and when; its notes (a draft
 * saved with "Save draft", kept on the server), its evidence, and "Complete step" while it waits.
 */
export function StepCard(props: {
  executionId: string;
  step: RecordStep<Schemas['TaskRun']>;
  current: boolean;
  canEdit: boolean;
  attachments: Schemas['Attachment'][];
}) {
  const { executionId, step, current, canEdit } = props;
  const run = step.run;
  const queries = useQueryClient();
  const [draft, setDraft] = useState(run.notes ?? '');
  const [dirty, setDirty] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  // notes saved elsewhere (another browser) appear unless this person is typing
  useEffect(() => {
    if (!dirty) setDraft(run.notes ?? '');
  }, [run.notes, dirty]);

  const refresh = () => queries.invalidateQueries({ queryKey: keys.execution(executionId) });
  const saveNotes = useMutation({
    mutationFn: () =>
      unwrap(
        api.PATCH('/v1/executions/{id}/tasks/{taskRunId}', {
          params: { path: { id: executionId, taskRunId: run.id } },
          body: { notes: draft },
        }),
      ),
    onSuccess: async () => {
      setDirty(false);
      setSaved(`Draft saved at ${new Date().toLocaleTimeString()}`);
      await refresh();
    },
  });
  const complete = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/v1/executions/{id}/tasks/{taskRunId}/complete', {
          params: { path: { id: executionId, taskRunId: run.id } },
          body: { status: 'succeeded', ...(draft.trim() ? { notes: draft } : {}) },
        }),
      ),
    onSuccess: async () => {
      setConfirming(false);
      setDirty(false);
      await refresh();
    },
  });
  const label = `step ${step.number} (${step.taskId})`;
  const by = completedByOf(run);
  const notesId = `notes-${run.id}`;
  const editable = canEdit && run.type === 'manual';

  return (
    <li
      data-task-id={step.taskId}
      className={`step-card${current ? ' current' : ''}`}
      aria-current={current ? 'step' : undefined}
      aria-labelledby={`step-${run.id}`}
    >
      <div className="step-head">
        <span className="step-number" aria-hidden="true">
          {step.number}
        </span>
        <div className="step-title">
          <h3 id={`step-${run.id}`}>
            <span className="visually-hidden">Step {step.number}: </span>
            {step.description || step.taskId}
          </h3>
          <p className="muted small">
            <span className="mono">{step.taskId}</span>
            {step.extra ? ' · added while running' : ''}
            {run.type !== 'manual' ? ` · ${run.type}, automated` : ''}
          </p>
        </div>
        <StatusBadge status={run.status} />
      </div>
      {isStepEnded(run) && (
        <p className="muted small">
          {by ? `${run.status === 'failed' ? 'Failed' : 'Completed'} by ${by}` : run.status} · <Time iso={run.completedAt} />
        </p>
      )}
      {editable ? (
        <div className="field">
          <label htmlFor={notesId}>Notes</label>
          <textarea
            id={notesId}
            rows={3}
            value={draft}
            onChange={(e) => {
              setDraft(e.target.value);
              setDirty(true);
              setSaved(null);
            }}
          />
          <div className="inline">
            <button type="button" onClick={() => saveNotes.mutate()} disabled={!dirty || saveNotes.isPending}>
              Save draft
            </button>
            {run.status === 'waiting' && (
              <button type="button" className="primary" onClick={() => setConfirming(true)}>
                Complete step
              </button>
            )}
            {dirty && <span className="muted small">Unsaved changes</span>}
            {saved && !dirty && (
              <span className="muted small" role="status">
                {saved}
              </span>
            )}
          </div>
          <ErrorNote error={saveNotes.error} />
        </div>
      ) : (
        run.notes && <p className="pre-wrap step-notes">{run.notes}</p>
      )}
      <EvidenceList executionId={executionId} items={props.attachments} canEdit={canEdit} />
      {canEdit && <EvidenceUpload executionId={executionId} taskRunId={run.id} label={label} />}
      <ConfirmDialog
        open={confirming}
        title={`Complete step ${step.number}?`}
        confirmLabel="Complete step"
        busy={complete.isPending}
        onConfirm={() => complete.mutate()}
        onCancel={() => setConfirming(false)}
      >
        <p>
          <strong>{step.description || step.taskId}</strong> is marked succeeded by you, with the notes as they are now. This is audited and
          cannot be undone.
        </p>
        <ErrorNote error={complete.error} />
      </ConfirmDialog>
    </li>
  );
}
