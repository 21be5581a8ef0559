import { z } from 'zod';
import { TASK_RUN_PHASES, TRIGGERS, type Trigger } from '../records.ts';
import { TASK_RUN_STATUSES, type TaskRunStatus } from '../task-run-status.ts';
import { instantWire, jsonWire, taskFailureWire } from './common-wire.ts';
import { executionStatusWire, taskTypeWire } from './workflow-wire.ts';

export const triggerWire = z.enum(TRIGGERS as unknown as [Trigger, ...Trigger[]]);
export const taskRunStatusWire = z.enum(TASK_RUN_STATUSES as [TaskRunStatus, ...TaskRunStatus[]]).meta({ id: 'TaskRunStatus' });

/** One row of the execution history. */
export const executionSummaryWire = z
  .object({
    id: z.string(),
    workflowId: z.string(),
    workflowVersion: z.number().int(),
    status: executionStatusWire,
    trigger: triggerWire,
    triggerId: z.string().nullable().meta({ description: "The definition's trigger that started it (schedule, webhook)" }),
    triggeredBy: z.string().nullable(),
    correlationId: z.string().nullable(),
    title: z.string().nullable(),
    createdAt: instantWire,
    startedAt: instantWire.nullable(),
    completedAt: instantWire.nullable(),
    durationMs: z.number().nullable(),
    error: taskFailureWire.nullable(),
  })
  .meta({ id: 'ExecutionSummary' });

/** `GET /v1/executions` items: a summary that also names the procedure (workflow) and the executor. */
export const executionListItemWire = executionSummaryWire
  .extend({
    workflowName: z.string().nullable().meta({ description: "The workflow's name; null when the workflow was deleted" }),
    triggeredByUsername: z.string().nullable(),
  })
  .meta({ id: 'ExecutionListItem' });

/** A keyset page of history: pass `nextCursor` back as `cursor`; null on the last page. */
export const executionPageWire = z
  .object({ items: z.array(executionListItemWire), nextCursor: z.string().nullable() })
  .meta({ id: 'ExecutionPage' });

export const executionCountWire = z.object({ count: z.number().int() }).meta({ id: 'ExecutionCount' });

/** One attempt of one task. */
export const taskRunWire = z
  .object({
    id: z.string(),
    taskId: z.string(),
    type: taskTypeWire,
    attempt: z.number().int(),
    status: taskRunStatusWire,
    input: jsonWire,
    output: jsonWire,
    error: taskFailureWire.nullable(),
    workerId: z.string().nullable(),
    notes: z.string().nullable(),
    completedBy: z.string().nullable(),
    createdAt: instantWire,
    startedAt: instantWire.nullable(),
    completedAt: instantWire.nullable(),
    durationMs: z.number().nullable(),
    phase: z.enum(TASK_RUN_PHASES).meta({ description: 'main, or on_failure for a task run after the execution failed' }),
    itemIndex: z.number().int().nullable().meta({ description: "One item of a for_each task: the item's position, from 0" }),
    item: jsonWire.meta({ description: 'That item, masked' }),
    childExecutionId: z.string().nullable().meta({ description: "A workflow task's child execution" }),
  })
  .meta({ id: 'TaskRun' });

export const executionContextWire = z
  .object({
    inputs: z.record(z.string(), jsonWire),
    tasks: z.record(z.string(), z.object({ status: taskRunStatusWire, attempt: z.number().int(), output: jsonWire })),
  })
  .meta({ id: 'ExecutionContext' });

/** `GET /v1/executions/:id`: the whole execution with every task run. */
export const executionDetailWire = executionSummaryWire
  .extend({
    triggeredByUsername: z.string().nullable(),
    notes: z.string().nullable(),
    inputs: z.record(z.string(), jsonWire).meta({ description: 'Masked: secret inputs read ***' }),
    context: executionContextWire.nullable(),
    logEntryCount: z.number().int().meta({ description: 'Lines ever written, including any retention deleted' }),
    accessScope: z.string(),
    updatedAt: instantWire,
    parentExecutionId: z.string().nullable().meta({ description: 'A child execution: the execution whose workflow task started it' }),
    parentTaskRunId: z.string().nullable(),
    taskRuns: z.array(taskRunWire),
  })
  .meta({ id: 'ExecutionDetail' });

export const userRefWire = z.object({ id: z.string(), username: z.string() }).meta({ id: 'UserRef' });
export const groupRefWire = z.object({ id: z.string(), name: z.string() }).meta({ id: 'GroupRef' });

/** `GET /v1/directory`: the users and groups whose name contains the text, to share with. */
export const directoryWire = z.object({ users: z.array(userRefWire), groups: z.array(groupRefWire) }).meta({ id: 'Directory' });

/** Who may read an execution besides its owner and admins. */
export const executionSharesWire = z
  .object({
    scope: z.string().meta({ description: 'private (the owner and admins) or shared (also the users and groups listed)' }),
    users: z.array(userRefWire),
    groups: z.array(groupRefWire),
  })
  .meta({ id: 'ExecutionShares' });

/** `DELETE /v1/executions/:id`, `DELETE /v1/attachments/:id`: the soft delete. */
export const deletedWire = z.object({ id: z.string(), deletedAt: instantWire }).meta({ id: 'Deleted' });

/** `GET /v1/executions/:id/document`: the procedure document with this execution's values (secrets masked). */
export const executionDocumentWire = z
  .object({
    workflowId: z.string(),
    workflowVersion: z.number().int(),
    markdown: z.string(),
    html: z.string().meta({ description: 'Sanitised HTML: no script, no event handlers, no javascript: links' }),
  })
  .meta({ id: 'ExecutionDocument' });
