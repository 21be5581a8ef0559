import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiProblem, unwrap, type Schemas } from '../api/client.ts';
import { useWorkflow, useWorkflowVersion } from '../api/queries.ts';
import { ErrorNote, Loading } from '../components/common.tsx';
import { Link, navigate } from '../router.tsx';

type Input = Schemas['WorkflowInput'];

/** A field's text as the input's type, or the reason it is not one. */
export function inputValue(input: Input, raw: string | boolean): { value?: unknown; error?: string } {
  if (input.type === 'boolean') return { value: raw === true };
  const text = String(raw);
  if (text === '') return input.required ? { error: `${input.name} is required` } : {};
  switch (input.type) {
    case 'string':
      return { value: text };
    case 'number':
    case 'integer': {
      const n = Number(text);
      if (!Number.isFinite(n) || (input.type === 'integer' && !Number.isInteger(n)))
        return { error: `${input.name} must be ${input.type === 'integer' ? 'a whole number' : 'a number'}` };
      return { value: n };
    }
    default:
      try {
        const parsed: unknown = JSON.parse(text);
        if (input.type === 'array' ? !Array.isArray(parsed) : parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
          return { error: `${input.name} must be a JSON ${input.type}` };
        return { value: parsed };
      } catch {
        return { error: `${input.name} must be JSON` };
      }
  }
}

function initial(input: Input): string | boolean {
  if (input.type === 'boolean') return input.default === true;
  if (input.secret || input.default === null || input.default === undefined) return '';
  return typeof input.default === 'string' ? input.default : JSON.stringify(input.default);
}

function Field({ input, value, onChange }: { input: Input; value: string | boolean; onChange: (v: string | boolean) => void }) {
  const id = `in-${input.name}`;
  const help = input.description ? `${id}-help` : undefined;
  const label = (
    <>
      <span className="mono">{input.name}</span>{' '}
      <span className="muted">
        ({input.type}
        {input.secret ? ', secret' : ''})
      </span>
      {input.required && <span className="required"> required</span>}
    </>
  );
  if (input.type === 'boolean')
    return (
      <div className="field">
        <label className="check" htmlFor={id}>
          <input id={id} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} aria-describedby={help} />{' '}
          {label}
        </label>
        {help && (
          <p id={help} className="muted small">
            {input.description}
          </p>
        )}
      </div>
    );
  const common = {
    id,
    value: String(value),
    required: input.required,
    'aria-describedby': help,
    onChange: (e: { target: { value: string } }) => onChange(e.target.value),
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {input.type === 'object' || input.type === 'array' ? (
        <textarea {...common} rows={4} className="mono" placeholder={input.type === 'array' ? '[ ]' : '{ }'} />
      ) : input.secret ? (
        <input {...common} type="password" autoComplete="new-password" />
      ) : (
        <input {...common} type={input.type === 'string' ? 'text' : 'number'} step={input.type === 'integer' ? 1 : 'any'} />
      )}
      {help && (
        <p id={help} className="muted small">
          {input.description}
        </p>
      )}
    </div>
  );
}

/**
 * The Run form, generated from the workflow's declared inputs; for a procedure (`procedure`), the
 * variables form that starts a human-run record and opens it in the run view.
 */
export function RunPage({ id, procedure = false }: { id: string; procedure?: boolean }) {
  const workflow = useWorkflow(id);
  const version = useWorkflowVersion(id, workflow.data?.latestVersion);
  const [values, setValues] = useState<Record<string, string | boolean>>({});
  const [title, setTitle] = useState('');
  const [correlationId, setCorrelationId] = useState('');
  const [problems, setProblems] = useState<string[]>([]);
  const run = useMutation({
    mutationFn: (body: { inputs: Record<string, unknown>; title?: string; correlationId?: string; version: number }) =>
      unwrap(api.POST('/v1/workflows/{id}/run', { params: { path: { id } }, body: { ...body, procedure } })),
    onSuccess: (started) => navigate(`/executions/${started.executionId}${procedure ? '' : '/logs'}`),
  });
  if (workflow.isPending || version.isPending) return <Loading what="the workflow" />;
  if (workflow.error || version.error) return <ErrorNote error={workflow.error ?? version.error} />;
  const inputs = version.data.inputs;
  const valueOf = (input: Input) => values[input.name] ?? initial(input);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const collected: Record<string, unknown> = {};
    const errors: string[] = [];
    for (const input of inputs) {
      const { value, error } = inputValue(input, valueOf(input));
      if (error) errors.push(error);
      else if (value !== undefined) collected[input.name] = value;
    }
    setProblems(errors);
    if (errors.length > 0) return;
    // secrets are sent once and never kept in the page
    setValues((v) => Object.fromEntries(Object.entries(v).filter(([name]) => !inputs.find((i) => i.name === name)?.secret)));
    run.mutate({
      inputs: collected,
      version: version.data.version,
      ...(title.trim() ? { title: title.trim() } : {}),
      ...(correlationId.trim() ? { correlationId: correlationId.trim() } : {}),
    });
  };

  return (
    <section aria-labelledby="run-title">
      {procedure ? (
        <p className="breadcrumb">
          <Link to="/procedures">Procedures</Link> / {id} / start
        </p>
      ) : (
        <p className="breadcrumb">
          <Link to="/workflows">Workflows</Link> / <Link to={`/workflows/${id}`}>{id}</Link> / run
        </p>
      )}
      <h1 id="run-title">
        {procedure ? 'Start' : 'Run'} {workflow.data.name}
      </h1>
      <p className="muted">
        Version {version.data.version}
        {procedure ? ' · the record stays open until you complete it or mark it failed' : ''}
      </p>
      <form className="run-form" onSubmit={submit} noValidate>
        {inputs.length === 0 && <p className="muted">This {procedure ? 'procedure' : 'workflow'} takes no variables.</p>}
        {inputs.map((input) => (
          <Field
            key={input.name}
            input={input}
            value={valueOf(input)}
            onChange={(v) => setValues((current) => ({ ...current, [input.name]: v }))}
          />
        ))}
        <div className="field">
          <label htmlFor="run-title-input">Title (optional)</label>
          <input
            id="run-title-input"
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            maxLength={500}
            placeholder={procedure ? `${workflow.data.name} · today's date · the required variables` : undefined}
          />
        </div>
        {!procedure && (
          <div className="field">
            <label htmlFor="run-correlation">Correlation id (optional)</label>
            <input id="run-correlation" value={correlationId} onChange={(e) => setCorrelationId(e.target.value)} maxLength={200} />
          </div>
        )}
        {problems.length > 0 && (
          <div role="alert">
            <ul className="error">
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </div>
        )}
        {run.error instanceof ApiProblem && run.error.problems.length > 0 ? (
          <div role="alert">
            <ul className="error">
              {run.error.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </div>
        ) : (
          <ErrorNote error={run.error} />
        )}
        <button type="submit" className="primary" disabled={run.isPending}>
          {run.isPending ? 'Starting…' : procedure ? 'Start execution' : 'Run'}
        </button>
      </form>
    </section>
  );
}
