import { useWorkflows } from '../api/queries.ts';
import type { ExecutionFilters } from '../lib/execution-filters.ts';

/**
 * The fields the executions and records search forms share, each bound to one part of
 * {@link ExecutionFilters}; `id` prefixes keep the two forms' ids apart, the labels are each page's
 * words (a workflow is a "document" on the records page, an input a "variable").
 */

export function WorkflowSelect(props: {
  id: string;
  label: string;
  anyLabel: string;
  value: string;
  onChange: (workflow: string) => void;
}) {
  const workflows = useWorkflows();
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">{props.anyLabel}</option>
        {workflows.data?.items.map((w) => (
          <option key={w.id} value={w.id}>
            {w.name}
          </option>
        ))}
      </select>
    </div>
  );
}

export function ExecutorField({ id, value, onChange }: { id: string; value: string; onChange: (executor: string) => void }) {
  return (
    <div className="field">
      <label htmlFor={id}>Executor</label>
      <input id={id} value={value} placeholder="username" onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}

/** From and to dates (inclusive); each bounds the other's picker. */
export function DateRangeFields({
  idPrefix,
  from,
  to,
  onChange,
}: {
  idPrefix: string;
  from: string;
  to: string;
  onChange: (range: { from: string; to: string }) => void;
}) {
  return (
    <fieldset className="field date-range">
      <legend>Started between</legend>
      <label htmlFor={`${idPrefix}-from`} className="visually-hidden">
        From date
      </label>
      <input
        id={`${idPrefix}-from`}
        type="date"
        value={from}
        max={to || undefined}
        onChange={(e) => onChange({ from: e.target.value, to })}
      />
      <span aria-hidden="true">–</span>
      <label htmlFor={`${idPrefix}-to`} className="visually-hidden">
        To date
      </label>
      <input
        id={`${idPrefix}-to`}
        type="date"
        value={to}
        min={from || undefined}
        onChange={(e) => onChange({ from, to: e.target.value })}
      />
    </fieldset>
  );
}

/** The input-value filters in force, each removable: `input.server = db-07`, or `server = db-07` as a variable. */
export function InputFilterChips({
  inputs,
  noun,
  onRemove,
}: {
  inputs: ExecutionFilters['inputs'];
  noun: 'input' | 'variable';
  onRemove: (index: number) => void;
}) {
  if (inputs.length === 0) return null;
  const Noun = noun === 'input' ? 'Input' : 'Variable';
  return (
    <ul className="chips" aria-label={`${Noun} filters`}>
      {inputs.map(([name, value], i) => (
        <li key={`${name}=${value}=${i}`} className="chip">
          {noun === 'input' ? `input.${name}` : name} = {value}
          <button type="button" aria-label={`Remove ${noun} filter ${name}=${value}`} onClick={() => onRemove(i)}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
