import type { Transaction } from 'kysely';
import { parseDurationMs } from '../domain/duration.ts';
import { newId } from '../domain/ids.ts';
import type { Actor, Trigger, WorkflowVersion } from '../domain/records.ts';
import { recordAuditEvent } from '../observe/audit-logger.ts';
import type { Database } from '../store/database-schema.ts';
import { insertExecution } from '../store/execution-repository.ts';
import type { EngineDeps } from './engine-deps.ts';
import { planAndApply } from './execution-planning.ts';
import { maskInputs, sealSecretInputs, secretInputNames } from './execution-secrets.ts';
import { Masker } from './masker.ts';
import { defaultRecordTitle } from './record-editor.ts';
import { SchedulerLog } from './scheduler-log.ts';
import { secretValues } from './secret-values.ts';
import type { TxHooks } from './state-writer.ts';
import { createPendingTaskRuns } from './task-run-transition.ts';

export interface NewExecutionRequest {
  version: WorkflowVersion;
  /** Resolved (defaults applied, types checked), in clear. */
  inputs: Record<string, unknown>;
  title?: string | null | undefined;
  correlationId?: string | null | undefined;
  trigger: Trigger;
  actor: Actor;
  /** Whose execution it is (access): the actor's user, or for a child its parent's owner. */
  triggeredBy: string | null;
  /** A child execution: the execution and the `workflow` task run that start it. */
  parent?: { executionId: string; taskRunId: string } | undefined;
  /** A child's parent's secrets: an input that carries one is masked and sealed like a secret input. */
  inheritedSecrets?: readonly string[] | undefined;
}

/** An execution ready to be written: ids chosen, secrets masked and sealed (outside any transaction). */
export interface PreparedExecution extends NewExecutionRequest {
  id: string;
  masker: Masker;
  maskedInputs: Record<string, unknown>;
  sealedSecrets: string | null;
  maskedCorrelationId: string | null;
}

export function prepareExecution(deps: Pick<EngineDeps, 'env' | 'secrets'>, req: NewExecutionRequest): PreparedExecution {
  const { definition } = req.version;
  const masker = new Masker([...secretValues(definition, req.inputs, deps.env), ...(req.inheritedSecrets ?? [])]);
  const maskedInputs = maskInputs(definition, req.inputs, masker);
  const carriesSecret = Object.keys(req.inputs).filter((name) => JSON.stringify(maskedInputs[name]) !== JSON.stringify(req.inputs[name]));
  return {
    ...req,
    id: newId(),
    masker,
    maskedInputs,
    sealedSecrets: sealSecretInputs(deps.secrets, definition, req.inputs, carriesSecret),
    maskedCorrelationId: req.correlationId === undefined || req.correlationId === null ? null : masker.mask(req.correlationId),
  };
}

/** Records the execution, its pending task runs and its first plan, in the caller's transaction. */
export async function insertPreparedExecution(
  trx: Transaction<Database>,
  tx: TxHooks,
  deps: Pick<EngineDeps, 'caps' | 'signals' | 'versions' | 'workerId' | 'events'>,
  e: PreparedExecution,
  now: string,
): Promise<void> {
  const { definition, workflowId, version } = e.version;
  const timeoutMs = definition.timeout ? parseDurationMs(definition.timeout) : undefined;
  const title = e.title
    ? e.masker.mask(e.title)
    : e.trigger === 'manual'
      ? e.masker.mask(defaultRecordTitle(definition, e.inputs, now))
      : null;
  const correlationId = e.maskedCorrelationId;
  await insertExecution(trx, {
    id: e.id,
    workflowId,
    workflowVersion: version,
    trigger: e.trigger,
    triggeredBy: e.triggeredBy,
    correlationId,
    title,
    inputs: e.maskedInputs,
    unsearchableInputs: secretInputNames(definition),
    createdAt: now,
    sealedSecrets: e.sealedSecrets,
    deadlineAt: timeoutMs === undefined ? null : new Date(Date.parse(now) + timeoutMs).toISOString(),
    parent: e.parent ?? null,
  });
  await createPendingTaskRuns(
    trx,
    definition.tasks.map((t) => ({
      id: newId(),
      executionId: e.id,
      taskId: t.id,
      type: t.type,
      attempt: 1,
      status: 'pending' as const,
      createdAt: now,
    })),
    { reason: 'execution created', workerId: deps.workerId, correlationId: correlationId ?? e.id },
    e.actor,
  );
  await recordAuditEvent(trx, {
    subjectType: 'execution',
    subjectId: e.id,
    executionId: e.id,
    eventType: 'CREATED',
    actor: e.actor,
    metadata: {
      workflowId,
      workflowVersion: version,
      trigger: e.trigger,
      inputs: e.maskedInputs,
      correlationId,
      title,
      ...(e.triggeredBy !== e.actor.userId ? { triggeredBy: e.triggeredBy } : {}),
      ...(e.parent ? { parentExecutionId: e.parent.executionId, parentTaskRunId: e.parent.taskRunId } : {}),
    },
  });
  const by = e.parent ? `task run ${e.parent.taskRunId} of execution ${e.parent.executionId}` : (e.actor.username ?? 'system');
  SchedulerLog.of(tx, deps).add(e.id, 'INFO', `execution created: workflow ${workflowId} v${version}, trigger ${e.trigger}, by ${by}`);
  await planAndApply(trx, tx, deps, e.id, now);
}
