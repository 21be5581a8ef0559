import type { ExecutionDetail, ExecutionShares, ExecutionSummary, TaskRunView } from '../../client/types.ts';
import { colourStatus, formatDuration, formatTimestamp, formatValue, truncate, type Colors } from './format.ts';
import { renderFields, renderTable } from './table.ts';

/** The execution history table of `execution list`. */
export function renderExecutionList(items: readonly ExecutionSummary[], c: Colors): string {
  return renderTable(
    ['ID', 'WORKFLOW', 'STATUS', 'STARTED', 'DURATION', 'TRIGGER'],
    items.map((e) => [
      e.id,
      `${e.workflowId} v${e.workflowVersion}`,
      colourStatus(e.status, c),
      formatTimestamp(e.startedAt ?? e.createdAt),
      formatDuration(e.durationMs),
      e.trigger,
    ]),
    c,
  );
}

/** One row per task run, in the order the server gives (creation order). */
export function renderTaskRuns(runs: readonly TaskRunView[], c: Colors): string {
  if (runs.length === 0) return c.dim('(no task runs yet)');
  return renderTable(
    ['TASK', 'TYPE', 'ATTEMPT', 'STATUS', 'DURATION', 'ERROR'],
    runs.map((r) => [
      r.taskId,
      r.type,
      String(r.attempt),
      colourStatus(r.status, c),
      formatDuration(r.durationMs),
      r.error ? truncate(r.error.message, 70) : '',
    ]),
    c,
  );
}

/** The overview of `execution show`: who, what, when, outcome, inputs. */
export function renderExecutionOverview(e: ExecutionDetail, c: Colors): string {
  const fields: [string, string][] = [
    ['Execution', e.id],
    ['Workflow', `${e.workflowId} (version ${e.workflowVersion})`],
    ['Status', colourStatus(e.status, c)],
  ];
  if (e.title) fields.push(['Title', e.title]);
  const who = e.triggeredByUsername ?? e.triggeredBy;
  fields.push(['Trigger', who ? `${e.trigger} by ${who}` : e.trigger]);
  if (e.correlationId) fields.push(['Correlation', e.correlationId]);
  fields.push(
    ['Created', formatTimestamp(e.createdAt)],
    ['Started', formatTimestamp(e.startedAt)],
    ['Completed', formatTimestamp(e.completedAt)],
  );
  fields.push(['Duration', formatDuration(e.durationMs)]);
  if (e.error) fields.push(['Error', `${truncate(e.error.message, 200)} (${e.error.code})`]);
  const inputs = Object.entries(e.inputs);
  fields.push(['Inputs', inputs.length === 0 ? '-' : inputs.map(([k, v]) => `${k}=${truncate(formatValue(v), 80)}`).join(', ')]);
  if (e.notes) fields.push(['Notes', truncate(e.notes, 200)]);
  fields.push(['Log lines', String(e.logEntryCount)]);
  return renderFields(fields, c);
}

/** The whole `execution show` page: overview, a blank line, the task table. */
export function renderExecution(e: ExecutionDetail, c: Colors): string {
  return `${renderExecutionOverview(e, c)}\n\n${renderTaskRuns(e.taskRuns, c)}`;
}

/** `execution shares` and `execution share`: the scope, then who it is shared with. */
export function renderShares(shares: ExecutionShares, c: Colors): string {
  const names = (list: readonly string[]): string => (list.length === 0 ? '-' : list.join(', '));
  return renderFields(
    [
      ['Scope', shares.scope === 'private' ? 'private (its owner and admins only)' : 'shared (read only)'],
      ['Users', names(shares.users.map((u) => u.username))],
      ['Groups', names(shares.groups.map((g) => g.name))],
    ],
    c,
  );
}
