import type { Execution, TaskRun, Workflow, WorkflowVersion } from '../domain/records.ts';
import { hideSecretDefaults } from '../engine/secret-defaults.ts';

/** Response shapes: what the API promises, separate from the store's rows. */
export function presentWorkflow(workflow: Workflow) {
  return {
    id: workflow.id,
    name: workflow.name,
    latestVersion: workflow.latestVersion,
    createdBy: workflow.createdBy,
    createdAt: workflow.createdAt,
    updatedAt: workflow.updatedAt,
  };
}

/** A workflow with the definition of one of its versions (the latest, or the one just applied). */
export function presentWorkflowDetail(workflow: Workflow, version: WorkflowVersion) {
  return { ...presentWorkflow(workflow), definition: hideSecretDefaults(version).definition };
}

export function presentVersion(stored: WorkflowVersion) {
  const version = hideSecretDefaults(stored);
  return {
    id: version.id,
    workflowId: version.workflowId,
    version: version.version,
    checksum: version.checksum,
    createdBy: version.createdBy,
    createdAt: version.createdAt,
    definition: version.definition,
    source: version.source,
    sourceFormat: version.sourceFormat,
  };
}

/**
 * A version as a procedure: its document and the variables form its inputs drive (defaults to
 * pre-fill, which are required, which are secret and must be typed in a password field).
 */
export function presentProcedureVersion(name: string, version: WorkflowVersion) {
  const { definition } = version;
  return {
    ...presentVersion(version),
    name,
    doc: definition.doc ?? null,
    inputs: Object.entries(definition.inputs).map(([inputName, input]) => ({
      name: inputName,
      type: input.type,
      required: input.required,
      secret: input.secret,
      default: input.secret ? null : (input.default ?? null),
      description: input.description ?? null,
    })),
  };
}

function durationMs(startedAt: string | null, completedAt: string | null): number | null {
  return startedAt && completedAt ? Date.parse(completedAt) - Date.parse(startedAt) : null;
}

export function presentExecutionSummary(e: Execution) {
  return {
    id: e.id,
    workflowId: e.workflowId,
    workflowVersion: e.workflowVersion,
    status: e.status,
    trigger: e.trigger,
    triggerId: e.triggerId,
    triggeredBy: e.triggeredBy,
    correlationId: e.correlationId,
    title: e.title,
    createdAt: e.createdAt,
    startedAt: e.startedAt,
    completedAt: e.completedAt,
    durationMs: durationMs(e.startedAt, e.completedAt),
    error: e.error,
  };
}

export function presentTaskRun(r: TaskRun) {
  return {
    id: r.id,
    taskId: r.taskId,
    type: r.type,
    attempt: r.attempt,
    status: r.status,
    input: r.input,
    output: r.output,
    error: r.error,
    workerId: r.workerId,
    notes: r.notes,
    completedBy: r.completedBy,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    completedAt: r.completedAt,
    durationMs: r.durationMs,
    phase: r.phase,
    itemIndex: r.itemIndex,
    item: r.item,
    childExecutionId: r.childExecutionId,
  };
}

export function presentExecution(e: Execution, runs: readonly TaskRun[], triggeredByUsername: string | null) {
  return {
    ...presentExecutionSummary(e),
    triggeredByUsername,
    notes: e.notes,
    inputs: e.inputs,
    context: e.context,
    logEntryCount: e.logEntryCount,
    accessScope: e.accessScope,
    updatedAt: e.updatedAt,
    parentExecutionId: e.parentExecutionId,
    parentTaskRunId: e.parentTaskRunId,
    taskRuns: runs.map(presentTaskRun),
  };
}
