import { z } from 'zod';
import { INPUT_TYPES, TASK_TYPES, type InputType, type TaskType } from '../workflow-definition.ts';
import { EXECUTION_STATUSES, type ExecutionStatus } from '../execution-status.ts';
import { instantWire, jsonWire } from './common-wire.ts';

export const inputTypeWire = z.enum(INPUT_TYPES as unknown as [InputType, ...InputType[]]);
export const taskTypeWire = z.enum(TASK_TYPES as unknown as [TaskType, ...TaskType[]]);
export const executionStatusWire = z.enum(EXECUTION_STATUSES as [ExecutionStatus, ...ExecutionStatus[]]).meta({ id: 'ExecutionStatus' });

/** One of a definition's `triggers:`: a schedule (`cron:`) or a webhook. */
export const triggerDefinitionWire = z
  .discriminatedUnion('type', [
    z.object({
      id: z.string(),
      type: z.literal('schedule'),
      cron: z.string(),
      timezone: z.string(),
      inputs: z.record(z.string(), jsonWire),
      catchUp: z.boolean(),
    }),
    z.object({ id: z.string(), type: z.literal('webhook'), inputs: z.record(z.string(), jsonWire) }),
  ])
  .meta({ id: 'TriggerDefinition' });
const taskDefinitionWire = z.object({
  id: z.string(),
  type: taskTypeWire,
  name: z.string().optional(),
  needs: z.array(z.string()),
  with: z.record(z.string(), jsonWire),
  retry: z.object({ max: z.number().int(), backoff: z.string() }).optional(),
  timeout: z.string().optional(),
  if: z.string().optional(),
  for_each: z.string().optional(),
  concurrency: z.number().int().optional(),
  continue_on_failure: z.boolean().optional(),
});

/** A workflow definition after validation (DESIGN "Definition format"). */
export const workflowDefinitionWire = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().optional(),
    inputs: z.record(
      z.string(),
      z.object({
        type: inputTypeWire,
        description: z.string().optional(),
        default: jsonWire.optional(),
        required: z.boolean(),
        secret: z.boolean(),
      }),
    ),
    doc: z.string().optional(),
    timeout: z.string().optional(),
    tasks: z.array(taskDefinitionWire),
    on_failure: z.array(taskDefinitionWire).optional(),
    triggers: z.array(triggerDefinitionWire).optional(),
  })
  .meta({ id: 'WorkflowDefinition' });

/** `GET /v1/workflows` items. */
export const workflowSummaryWire = z
  .object({
    id: z.string(),
    name: z.string(),
    latestVersion: z.number().int(),
    createdBy: z.string().nullable(),
    createdAt: instantWire,
    updatedAt: instantWire,
  })
  .meta({ id: 'WorkflowSummary' });

/** `GET /v1/procedures`: a workflow a person follows (it has a document or manual steps), at its latest version. */
export const procedureSummaryWire = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    latestVersion: z.number().int(),
    hasDocument: z.boolean(),
    manualSteps: z.number().int().meta({ description: 'How many of its tasks are manual steps' }),
    steps: z.number().int().meta({ description: 'How many tasks it has in all' }),
    inputs: z.number().int().meta({ description: 'How many variables its form asks for' }),
    updatedAt: instantWire,
  })
  .meta({ id: 'ProcedureSummary' });

/** `GET /v1/workflows/:id`: the workflow and its latest definition. */
export const workflowDetailWire = workflowSummaryWire.extend({ definition: workflowDefinitionWire }).meta({ id: 'WorkflowDetail' });

/** `POST /v1/workflows` (201). */
export const createdWorkflowWire = workflowDetailWire
  .extend({
    version: z.number().int(),
    webhookSecrets: z.record(z.string(), z.string()).optional().meta({
      description: 'The signing secret of each webhook trigger this version added, by trigger id: shown this once, never again',
    }),
  })
  .meta({ id: 'CreatedWorkflow' });

/** `PUT /v1/workflows/:id`: `changed` is false when the definition was identical (no new version). */
export const appliedWorkflowWire = createdWorkflowWire.extend({ changed: z.boolean() }).meta({ id: 'AppliedWorkflow' });

/** `GET /v1/workflows/:id/versions` items: one immutable version. */
export const workflowVersionWire = z
  .object({
    id: z.string(),
    workflowId: z.string(),
    version: z.number().int(),
    checksum: z.string(),
    createdBy: z.string().nullable(),
    createdAt: instantWire,
    definition: workflowDefinitionWire,
    source: z.string().meta({ description: 'The definition as it was sent (YAML or JSON)' }),
    sourceFormat: z.enum(['yaml', 'json']),
  })
  .meta({ id: 'WorkflowVersion' });

/** One declared input of a workflow: a field of the run form / the procedure's variables form. */
export const workflowInputWire = z
  .object({
    name: z.string(),
    type: inputTypeWire,
    required: z.boolean(),
    secret: z.boolean(),
    default: jsonWire.meta({ description: 'null for a secret input: its default is never sent' }),
    description: z.string().nullable(),
  })
  .meta({ id: 'WorkflowInput' });

/** `GET /v1/workflows/:id/versions/:version`: the version, its procedure document and its inputs form. */
export const workflowVersionDetailWire = workflowVersionWire
  .extend({
    name: z.string(),
    doc: z.string().nullable(),
    inputs: z.array(workflowInputWire),
  })
  .meta({ id: 'WorkflowVersionDetail' });

/** `POST /v1/workflows/:id/run` (202): the execution started; a human-run record is `running` at once. */
export const runStartedWire = z
  .object({
    executionId: z.string(),
    status: executionStatusWire,
    title: z.string().nullable(),
  })
  .meta({ id: 'RunStarted' });

/** `POST /v1/workflows/:id/runs` (202): the executions started, in the order of the input sets. */
export const runsStartedWire = z.object({ items: z.array(runStartedWire) }).meta({ id: 'RunsStarted' });
