import crypto from 'node:crypto';
import type { Attachment, Execution, TaskRun, TaskRunTransition } from '../domain/records.ts';
import type { StepResultAuditRow } from '../store/step-result-audit-repository.ts';
import type { StoredAuditEvent } from '../store/audit-event-repository.ts';
import { storableValue } from '../store/storable-text.ts';
import { canonicalJson } from './audit-chain.ts';

/**
 * The record's facts checked against its audit chain. The chain is authenticated (hashes, MACs,
 * checkpoints); the rows beside it (`executions`, `task_runs`, `task_run_transitions`,
 * `step_result_audit`, `attachments`) are not, so each fact a row holds is either written into the
 * event that records its change (statuses, who, inputs) or as the hash of its stored form (outputs,
 * transitions), and verification compares the rows with the chain. A row changed after the fact no
 * longer matches the authenticated event that describes it.
 */

/** The hash of a value as the store holds it (text made storable, keys in canonical order). */
export function factHash(value: unknown): string {
  return crypto
    .createHash('sha256')
    .update(canonicalJson(storableValue(value ?? null)))
    .digest('hex');
}

/** The hash of a transition row, recorded in the STATE_CHANGE event that commits with it. */
export function transitionHash(t: Pick<TaskRunTransition, 'taskRunId' | 'fromState' | 'toState' | 'metadata' | 'createdAt'>): string {
  return factHash({ taskRunId: t.taskRunId, from: t.fromState, to: t.toState, metadata: t.metadata, at: Date.parse(t.createdAt) });
}

/** What a STATE_CHANGE event records about the transition it commits with. */
export function transitionFacts(t: Pick<TaskRunTransition, 'id' | 'taskRunId' | 'fromState' | 'toState' | 'metadata' | 'createdAt'>) {
  return { transitionId: t.id, transition: transitionHash(t) };
}

/** An execution's record as stored, with everything that hangs off it. */
export interface RecordRows {
  execution: Execution & { deletedAt: string | null };
  runs: readonly TaskRun[];
  transitions: readonly TaskRunTransition[];
  stepResults: readonly StepResultAuditRow[];
  attachments: readonly Attachment[];
}

const EXECUTION_STATUS_EVENTS = new Set(['STARTED', 'STATE_CHANGE', 'COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT']);
const RESULT_STATES = new Set(['succeeded', 'failed', 'cancelled', 'timed_out']);

const same = (a: unknown, b: unknown): boolean => canonicalJson(storableValue(a ?? null)) === canonicalJson(storableValue(b ?? null));

/**
 * Compares an execution's rows with its (already verified) chain; answers one line per fact that
 * differs, naming the row and what the chain says.
 */
export function checkRecordFacts(rows: RecordRows, events: readonly StoredAuditEvent[]): string[] {
  return [
    ...checkExecution(rows.execution, events),
    ...checkTaskRuns(rows.runs, events),
    ...checkTransitions(rows.transitions, events),
    ...checkStepResults(rows.stepResults, rows.transitions),
    ...checkAttachments(rows.attachments, events),
    ...checkFlowFacts(rows.runs, events),
  ];
}

/**
 * The facts flow control adds to task runs, against the events that created them: the item runs of a
 * for_each task and their items (FOR_EACH_EXPANDED), the runs of the on_failure phase
 * (ON_FAILURE_STARTED), a workflow task's child (CHILD_STARTED).
 */
function checkFlowFacts(runs: readonly TaskRun[], events: readonly StoredAuditEvent[]): string[] {
  const problems: string[] = [];
  const byId = new Map(runs.map((r) => [r.id, r]));
  const label = (r: TaskRun) => `task run ${r.taskId}#${r.attempt} (${r.id})`;
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

  const expandedItems = new Set<string>();
  for (const ev of events.filter((e) => e.eventType === 'FOR_EACH_EXPANDED')) {
    const ids = strings(ev.metadata.itemRuns);
    ids.forEach((id) => expandedItems.add(id));
    const items = ids.map((id) => byId.get(id));
    if (items.some((r) => r === undefined))
      problems.push(`for_each of task run ${String(ev.metadata.taskRunId)}: an item run it recorded is missing`);
    else if (
      items.some((r, i) => r!.itemIndex !== i || r!.phase !== (byId.get(String(ev.metadata.taskRunId))?.phase ?? r!.phase)) ||
      factHash(items.map((r) => r!.item)) !== ev.metadata.items
    )
      problems.push(`for_each of task run ${String(ev.metadata.taskRunId)}: its items are not the ones recorded when it was expanded`);
  }
  const firstItems = new Map<string, TaskRun>();
  for (const r of runs) if (r.itemIndex !== null && r.attempt === 1) firstItems.set(`${r.taskId}[${r.itemIndex}]`, r);
  for (const r of runs.filter((x) => x.itemIndex !== null)) {
    if (r.attempt === 1 && !expandedItems.has(r.id)) problems.push(`${label(r)}: no FOR_EACH_EXPANDED event records this item`);
    const first = firstItems.get(`${r.taskId}[${r.itemIndex}]`);
    if (r.attempt > 1 && (!first || !same(first.item, r.item))) problems.push(`${label(r)}: its item is not the one of its first attempt`);
  }

  const phaseRuns = new Set(
    events
      .filter((e) => e.eventType === 'ON_FAILURE_STARTED')
      .flatMap((e) => (Array.isArray(e.metadata.taskRuns) ? (e.metadata.taskRuns as Array<{ taskRunId?: unknown }>) : []))
      .map((t) => String(t.taskRunId)),
  );
  for (const r of runs) {
    if (r.phase === 'on_failure' && r.attempt === 1 && r.itemIndex === null && !phaseRuns.has(r.id))
      problems.push(`${label(r)}: marked on_failure, but no ON_FAILURE_STARTED event records it`);
    if (r.phase !== 'on_failure' && phaseRuns.has(r.id)) problems.push(`${label(r)}: recorded as an on_failure task, but not marked so`);
  }

  const children = new Map(
    events.filter((e) => e.eventType === 'CHILD_STARTED').map((e) => [String(e.metadata.taskRunId), e.metadata.childExecutionId]),
  );
  for (const r of runs) {
    const recorded = children.get(r.id) ?? null;
    if (recorded !== r.childExecutionId) problems.push(`${label(r)}: its child execution is not the one recorded when it was started`);
  }
  return problems;
}

function checkExecution(e: RecordRows['execution'], events: readonly StoredAuditEvent[]): string[] {
  const problems: string[] = [];
  const created = events.find((ev) => ev.eventType === 'CREATED');
  if (created) {
    const m = created.metadata;
    const recorded: [string, unknown, unknown][] = [
      ['workflow', m.workflowId, e.workflowId],
      ['workflow version', m.workflowVersion, e.workflowVersion],
      ['trigger', m.trigger, e.trigger],
      // A child execution is created by a worker on behalf of its parent's owner, recorded as such.
      ['triggered by', m.triggeredBy !== undefined ? m.triggeredBy : (created.actor.userId ?? null), e.triggeredBy],
      ['inputs', m.inputs, e.inputs],
      ['correlation id', m.correlationId ?? null, e.correlationId],
      ['parent execution', m.parentExecutionId ?? null, e.parentExecutionId],
      ['parent task run', m.parentTaskRunId ?? null, e.parentTaskRunId],
    ];
    for (const [fact, inChain, inRow] of recorded)
      if (!same(inChain, inRow)) problems.push(`record: its ${fact} is not the one recorded when it was created`);
  }
  const statusEvents = events.filter((ev) => EXECUTION_STATUS_EVENTS.has(ev.eventType) && ev.metadata.taskRunId === undefined);
  const lastStatus = statusEvents.at(-1);
  const status = lastStatus ? lastStatus.metadata.to : 'pending';
  if (created && status !== e.status) problems.push(`record: its status is ${e.status}, the audit trail says ${String(status)}`);
  if (
    lastStatus &&
    ['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT'].includes(lastStatus.eventType) &&
    !same(lastStatus.metadata.error, e.error)
  )
    problems.push(`record: its error is not the one recorded when it ended`);
  for (const field of ['title', 'notes'] as const) {
    const change = events.filter((ev) => ev.eventType === 'RECORD_UPDATED' && field in ev.metadata).at(-1);
    const recorded = change
      ? (change.metadata[field] as { after?: unknown }).after
      : created && field in created.metadata
        ? created.metadata[field]
        : undefined;
    if (recorded !== undefined && !same(recorded, e[field])) problems.push(`record: its ${field} is not the one the audit trail records`);
  }
  const deletion = events.filter((ev) => ev.eventType === 'DELETED' || ev.eventType === 'RESTORED').at(-1);
  if ((deletion?.eventType === 'DELETED') !== (e.deletedAt !== null))
    problems.push(
      `record: it is ${e.deletedAt ? 'deleted' : 'not deleted'}, the audit trail says ${deletion?.eventType === 'DELETED' ? 'deleted' : 'not deleted'}`,
    );
  return problems;
}

function checkTaskRuns(runs: readonly TaskRun[], events: readonly StoredAuditEvent[]): string[] {
  const problems: string[] = [];
  const byRun = new Map<string, StoredAuditEvent[]>();
  for (const ev of events) {
    const runId = ev.metadata.taskRunId;
    if (typeof runId === 'string' && ev.metadata.to !== undefined) byRun.set(runId, [...(byRun.get(runId) ?? []), ev]);
  }
  for (const run of runs) {
    const label = `task run ${run.taskId}#${run.attempt} (${run.id})`;
    const changes = byRun.get(run.id) ?? [];
    const last = changes.at(-1);
    const status = last ? last.metadata.to : 'pending';
    if (status !== run.status) problems.push(`${label}: its status is ${run.status}, the audit trail says ${String(status)}`);
    const output = changes.filter((ev) => typeof ev.metadata.output === 'string').at(-1);
    if (output ? output.metadata.output !== factHash(run.output) : run.output !== null)
      problems.push(`${label}: its output is not the one recorded when it ended`);
    const code = changes.filter((ev) => ev.metadata.to === 'failed' || ev.metadata.to === 'timed_out').at(-1)?.metadata.code;
    if (code !== undefined && run.error?.code !== code) problems.push(`${label}: its error is not the one recorded when it ended`);
  }
  return problems;
}

function checkTransitions(transitions: readonly TaskRunTransition[], events: readonly StoredAuditEvent[]): string[] {
  const problems: string[] = [];
  const recorded = new Map<string, unknown>();
  for (const ev of events) if (typeof ev.metadata.transitionId === 'string') recorded.set(ev.metadata.transitionId, ev.metadata.transition);
  const stored = new Set<string>();
  for (const t of transitions) {
    stored.add(t.id);
    // A run's first transition (none → pending) is written with the event that creates the run.
    if (t.fromState === null) continue;
    const hash = recorded.get(t.id);
    if (hash === undefined) problems.push(`transition ${t.id} (${t.fromState} → ${t.toState}): no audit event records it`);
    else if (hash !== transitionHash(t))
      problems.push(`transition ${t.id} (${t.fromState} → ${t.toState}): it differs from what the audit trail recorded`);
  }
  for (const id of recorded.keys())
    if (!stored.has(id)) problems.push(`transition ${id}: recorded in the audit trail, missing from the record`);
  return problems;
}

/** A step-result row is what the store's trigger derives from its transition; nothing else may say otherwise. */
function checkStepResults(results: readonly StepResultAuditRow[], transitions: readonly TaskRunTransition[]): string[] {
  const problems: string[] = [];
  const byTransition = new Map(results.map((r) => [r.transitionId, r]));
  for (const t of transitions) {
    if (!RESULT_STATES.has(t.toState)) continue;
    const row = byTransition.get(t.id);
    byTransition.delete(t.id);
    if (!row) {
      problems.push(`step result of transition ${t.id}: missing`);
      continue;
    }
    const m = t.metadata;
    const expected = {
      taskRunId: t.taskRunId,
      recordedAt: Date.parse(t.createdAt),
      workerId: m.workerId ?? null,
      correlationId: m.correlationId ?? null,
      success: typeof m.success === 'boolean' ? m.success : t.toState === 'succeeded',
      // Whole milliseconds, as the integer column holds them.
      executionTimeMs: typeof m.executionTimeMs === 'number' ? Math.round(m.executionTimeMs) : null,
    };
    const actual = {
      ...row,
      recordedAt: Date.parse(row.recordedAt),
      executionTimeMs: row.executionTimeMs === null ? null : Math.round(row.executionTimeMs),
    };
    for (const key of Object.keys(expected) as (keyof typeof expected)[])
      if (!same(expected[key], actual[key]))
        problems.push(`step result of transition ${t.id}: its ${key} differs from the transition it records`);
  }
  for (const row of byTransition.values()) problems.push(`step result ${row.id}: it records no transition of the record`);
  return problems;
}

function checkAttachments(attachments: readonly Attachment[], events: readonly StoredAuditEvent[]): string[] {
  const problems: string[] = [];
  const added = new Map<string, Record<string, unknown>>();
  for (const ev of events) if (ev.eventType === 'ATTACHMENT_ADDED') added.set(String(ev.metadata.attachmentId), ev.metadata);
  for (const a of attachments) {
    const m = added.get(a.id);
    if (!m) problems.push(`attachment ${a.id} (${a.fileName}): no ATTACHMENT_ADDED event records it`);
    else if (m.sha256 !== a.sha256 || m.sizeBytes !== a.sizeBytes || m.taskRunId !== a.taskRunId)
      problems.push(`attachment ${a.id} (${a.fileName}): its sha256, size or step is not what was recorded when it was added`);
  }
  return problems;
}
