import type { ExecutionDetail, ExecutionListItem, ExecutionShares, TaskRunView } from '../../client/types.ts';
import { colourStatus, formatDuration, formatTimestamp, formatValue, truncate, type Colors } from './format.ts';
import { stepCompletedBy } from '../record-steps.ts';
import { renderFields, renderTable } from './table.ts';
import { neutralise } from './terminal-text.ts';

/** The execution history table of `execution list`: what was run (title, procedure), by whom, how it went, when. */
export function renderExecutionList(items: readonly ExecutionListItem[], c: Colors): string {
  return renderTable(
    ['ID', 'TITLE', 'PROCEDURE', 'EXECUTOR', 'STATUS', 'STARTED'],
    items.map((e) => [
      e.id,
      e.title ? truncate(e.title, 50) : '-',
      `${truncate(e.workflowName ?? e.workflowId, 30)} v${e.workflowVersion}`,
      e.triggeredByUsername ?? (e.triggeredBy ? e.triggeredBy : e.trigger),
      colourStatus(e.status, c),
      formatTimestamp(e.startedAt ?? e.createdAt),
    ]),
    c,
  );
}

/** The compact task table of `workflow run --wait`: one row per task run, in creation order, items under their task. */
export function renderTaskRuns(runs: readonly TaskRunView[], c: Colors): string {
  if (runs.length === 0) return c.dim('(no task runs yet)');
  return renderTable(
    ['TASK', 'TYPE', 'ATTEMPT', 'STATUS', 'DURATION', 'ERROR'],
    groupedTaskRuns(runs).map((r) => [
      taskLabel(r, true),
      r.type,
      String(r.attempt),
      colourStatus(r.status, c),
      formatDuration(r.durationMs),
      r.error ? truncate(r.error.message, 70) : '',
    ]),
    c,
  );
}

/** How `execution inspect` prints. */
export interface InspectOptions {
  /** List every input with its (masked) value, not only the names. */
  showInputs: boolean;
  /** Cut long values to one line; off with `--no-truncate`, which prints them whole. */
  truncate: boolean;
  /** The clock, for how long a running execution and its running tasks have been going. */
  now: number;
}

/** A task still in progress is marked so it stands out in the table and the results. */
const RUNNING_MARK = '▶ ';

function isActive(status: string): boolean {
  return status === 'running' || status === 'waiting' || status === 'pending';
}

/** How long it has been going: the recorded duration once ended, start-to-now while it runs. */
function elapsed(startedAt: string | null, completedAt: string | null, durationMs: number | null, now: number): number | null {
  if (durationMs !== null) return durationMs;
  if (startedAt === null) return null;
  return (completedAt ? Date.parse(completedAt) : now) - Date.parse(startedAt);
}

/**
 * A recorded value, cut to `max` characters on one line, or whole (indented continuation lines) with
 * --no-truncate; either way its control characters are shown as escapes, never sent to the terminal.
 */
function shown(value: string, max: number, o: InspectOptions, indent: string): string {
  return o.truncate ? truncate(value, max) : neutralise(value).replace(/\n/g, `\n${indent}`);
}

/** The overview of `execution inspect`: what ran, who started it, when, how it ended or where it is. */
export function renderExecutionOverview(e: ExecutionDetail, c: Colors, o: InspectOptions): string {
  const active = e.taskRuns.filter((r) => r.status === 'running' || r.status === 'waiting');
  const status = colourStatus(e.status, c);
  const fields: [string, string][] = [
    ['Execution', e.id],
    ['Workflow', `${e.workflowId} (version ${e.workflowVersion})`],
    ['Status', active.length > 0 ? `${status} (now: ${active.map((r) => `${r.taskId} ${r.status}`).join(', ')})` : status],
  ];
  if (e.title) fields.push(['Title', shown(e.title, 120, o, '  ')]);
  const who = e.triggeredByUsername ?? e.triggeredBy;
  const trigger = e.triggerId ? `${e.trigger} ${e.triggerId}` : e.trigger;
  fields.push(['Trigger', who ? `${trigger} by ${who}` : trigger]);
  if (e.correlationId) fields.push(['Correlation', neutralise(e.correlationId)]);
  if (e.parentExecutionId) fields.push(['Parent', `${e.parentExecutionId} (task run ${e.parentTaskRunId ?? '-'})`]);
  fields.push(
    ['Created', formatTimestamp(e.createdAt)],
    ['Started', formatTimestamp(e.startedAt)],
    ['Completed', formatTimestamp(e.completedAt)],
  );
  const duration = formatDuration(elapsed(e.startedAt, e.completedAt, e.durationMs, o.now));
  fields.push(['Duration', e.completedAt || !e.startedAt ? duration : `${duration} so far`]);
  if (e.error) fields.push(['Error', `${shown(e.error.message, 200, o, '  ')} (${e.error.code})`]);
  const names = Object.keys(e.inputs);
  if (!o.showInputs) fields.push(['Inputs', names.length === 0 ? '-' : `${names.join(', ')} (values: --show-inputs)`]);
  if (e.notes) fields.push(['Notes', shown(e.notes, 200, o, '  ')]);
  fields.push(['Log lines', String(e.logEntryCount)]);
  return renderFields(fields, c);
}

/** `--show-inputs`: each input and its value as recorded (secret ones were masked before they were stored). */
export function renderInputs(e: ExecutionDetail, c: Colors, o: InspectOptions): string {
  const entries = Object.entries(e.inputs);
  if (entries.length === 0) return `${c.bold('Inputs')}\n${c.dim('(none)')}`;
  return `${c.bold('Inputs')}\n${renderFields(
    entries.map(([k, v]) => [k, shown(formatValue(v), 100, o, '  ')]),
    c,
  )}`;
}

/**
 * Task runs in the order a reader follows them: creation order, with the item runs of a for_each task
 * right under the task's own run (by item, then attempt).
 */
export function groupedTaskRuns(runs: readonly TaskRunView[]): TaskRunView[] {
  const items = runs.filter((r) => r.itemIndex !== null);
  const out: TaskRunView[] = [];
  const placed = new Set<string>();
  for (const r of runs) {
    if (r.itemIndex !== null) continue;
    out.push(r);
    if (placed.has(r.taskId)) continue;
    placed.add(r.taskId);
    out.push(...items.filter((i) => i.taskId === r.taskId).sort((a, b) => a.itemIndex! - b.itemIndex! || a.attempt - b.attempt));
  }
  out.push(...items.filter((i) => !placed.has(i.taskId)));
  return out;
}

/** `build`, `  deploy[2] web-03` for an item of a for_each task, `notify (on_failure)`. */
function taskLabel(r: TaskRunView, indentItems: boolean): string {
  const base =
    r.itemIndex === null ? r.taskId : `${indentItems ? '  ' : ''}${r.taskId}[${r.itemIndex}] ${truncate(formatValue(r.item), 30)}`;
  return r.phase === 'on_failure' ? `${base} (on_failure)` : base;
}

/** One row per task run (creation order, items under their task): what, which attempt, how it went, when; running ones marked. */
export function renderTaskTable(runs: readonly TaskRunView[], c: Colors, o: InspectOptions): string {
  if (runs.length === 0) return c.dim('(no task runs yet)');
  return renderTable(
    ['TASK', 'TYPE', 'ATTEMPT', 'STATUS', 'DURATION', 'STARTED', 'ENDED'],
    groupedTaskRuns(runs).map((r) => [
      isActive(r.status) && r.startedAt ? `${RUNNING_MARK}${taskLabel(r, true)}` : taskLabel(r, true),
      r.type,
      String(r.attempt),
      colourStatus(r.status, c),
      formatDuration(elapsed(r.startedAt, r.completedAt, r.durationMs, o.now)),
      formatTimestamp(r.startedAt),
      formatTimestamp(r.completedAt),
    ]),
    c,
  );
}

/**
 * A task's output: one cut line by default; whole with --no-truncate, an object's fields one per line
 * so a multi-line `stdout` reads as it was printed rather than as an escaped JSON string.
 */
function outputLines(output: unknown, o: InspectOptions): string[] {
  if (o.truncate || output === null || typeof output !== 'object' || Array.isArray(output))
    return [`  output: ${shown(formatValue(output), 160, o, '    ')}`];
  return ['  output:', ...Object.entries(output).map(([k, v]) => `    ${k}: ${shown(formatValue(v), 0, o, '      ')}`)];
}

/** The outputs and errors of the task runs that ended, and the notes a person left on a step. */
export function renderTaskResults(runs: readonly TaskRunView[], c: Colors, o: InspectOptions): string {
  const ended = groupedTaskRuns(runs).filter((r) => r.completedAt !== null);
  if (ended.length === 0) return `${c.bold('Results')}\n${c.dim('(no task has ended yet)')}`;
  const lines = ended.flatMap((r) => {
    const head = `${taskLabel(r, false)} #${r.attempt} ${colourStatus(r.status, c)}`;
    const body: string[] = [];
    if (r.childExecutionId) body.push(`  child execution: ${r.childExecutionId}`);
    if (r.output !== null && r.output !== undefined) body.push(...outputLines(r.output, o));
    if (r.error) body.push(`  ${c.red('error')}: ${shown(r.error.message, 160, o, '    ')} (${r.error.code})`);
    if (r.notes) body.push(`  notes: ${shown(r.notes, 160, o, '    ')}`);
    const by = stepCompletedBy(r);
    if (by) body.push(`  completed by: ${by}`);
    return [head, ...(body.length > 0 ? body : [c.dim('  (no output)')])];
  });
  return `${c.bold('Results')}\n${lines.join('\n')}`;
}

/** The whole `execution inspect` page: overview, inputs when asked, a record's steps, the task table, then the results. */
export function renderInspection(e: ExecutionDetail, c: Colors, o: InspectOptions, steps?: string): string {
  const parts = [renderExecutionOverview(e, c, o)];
  if (o.showInputs) parts.push(renderInputs(e, c, o));
  if (steps) parts.push(steps);
  parts.push(renderTaskTable(e.taskRuns, c, o), renderTaskResults(e.taskRuns, c, o));
  return parts.join('\n\n');
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
