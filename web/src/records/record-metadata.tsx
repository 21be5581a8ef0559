import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { api, unwrap, type Schemas } from '../api/client.ts';
import { keys } from '../api/queries.ts';
import { ErrorNote, StatusBadge, Time } from '../components/common.tsx';
import { formatJson } from '../lib/format.ts';
import { Link } from '../router.tsx';

type Execution = Schemas['ExecutionDetail'];

/** The title, editable while the record is open (by its owner or an admin). */
function TitleField({ execution, canEdit }: { execution: Execution; canEdit: boolean }) {
  const [title, setTitle] = useState(execution.title ?? '');
  const [dirty, setDirty] = useState(false);
  const queries = useQueryClient();
  useEffect(() => {
    if (!dirty) setTitle(execution.title ?? '');
  }, [execution.title, dirty]);
  const save = useMutation({
    mutationFn: () => unwrap(api.PATCH('/v1/executions/{id}', { params: { path: { id: execution.id } }, body: { title } })),
    onSuccess: (data) => {
      setDirty(false);
      queries.setQueryData(keys.execution(execution.id), data);
    },
  });
  if (!canEdit) return <dd>{execution.title ?? <span className="muted">none</span>}</dd>;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (title.trim()) save.mutate();
  };
  return (
    <dd>
      <form className="title-form" onSubmit={submit}>
        <label htmlFor="record-title" className="visually-hidden">
          Title
        </label>
        <input
          id="record-title"
          value={title}
          maxLength={500}
          onChange={(e) => {
            setTitle(e.target.value);
            setDirty(true);
          }}
        />
        {dirty && (
          <button type="submit" disabled={save.isPending || !title.trim()}>
            Save title
          </button>
        )}
      </form>
      <ErrorNote error={save.error} />
    </dd>
  );
}

/** The left pane: the variables used (secrets `***`) and the record's metadata. */
export function RecordMetadata({ execution: e, canEdit }: { execution: Execution; canEdit: boolean }) {
  const inputs = Object.entries(e.inputs);
  return (
    <>
      <h2 id="meta-title">Record</h2>
      <dl className="facts stacked" aria-labelledby="meta-title">
        <dt>Title</dt>
        <TitleField execution={e} canEdit={canEdit} />
        <dt>Procedure</dt>
        <dd>
          <Link to={`/workflows/${e.workflowId}`}>{e.workflowId}</Link> version {e.workflowVersion}
        </dd>
        <dt>Executor</dt>
        <dd>{e.triggeredByUsername ?? <span className="muted">unknown</span>}</dd>
        <dt>Started</dt>
        <dd>
          <Time iso={e.startedAt} />
        </dd>
        {e.completedAt && (
          <>
            <dt>Ended</dt>
            <dd>
              <Time iso={e.completedAt} />
            </dd>
          </>
        )}
        <dt>Status</dt>
        <dd>
          <StatusBadge status={e.status} />
        </dd>
        <dt>Shared</dt>
        <dd>{e.accessScope === 'shared' ? 'yes (read only)' : 'no (private)'}</dd>
      </dl>
      <h2 id="vars-title">Variables</h2>
      {inputs.length === 0 ? (
        <p className="muted">No variables.</p>
      ) : (
        <dl className="facts stacked" aria-labelledby="vars-title">
          {inputs.map(([name, value]) => (
            <div key={name} className="var">
              <dt className="mono">{name}</dt>
              <dd className="mono pre-wrap">{formatJson(value)}</dd>
            </div>
          ))}
        </dl>
      )}
      {e.notes && (
        <>
          <h2>Record notes</h2>
          <p className="pre-wrap">{e.notes}</p>
        </>
      )}
    </>
  );
}
