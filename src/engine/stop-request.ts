import type { Transaction } from 'kysely';
import type { StopKind } from '../domain/execution-plan-model.ts';
import { isTerminalExecutionStatus } from '../domain/execution-status.ts';
import type { Actor } from '../domain/records.ts';
import { auditActor, recordAuditEvent } from '../observe/audit-logger.ts';
import type { Database } from '../store/database-schema.ts';
import { requestStop } from '../store/execution-schedule-repository.ts';
import type { EngineDeps } from './engine-deps.ts';
import { planAndApply } from './execution-planning.ts';
import { lockExecution } from './planning-reads.ts';
import { SchedulerLog } from './scheduler-log.ts';
import type { TxHooks } from './state-writer.ts';

export interface StopRequestInput {
  kind: StopKind;
  /** Masked by the caller; null for the deadline (the message names the timeout). */
  reason: string | null;
  actor: Actor | null;
}

const WHAT: Record<StopKind, string> = {
  cancelled: 'cancellation requested',
  timed_out: 'timed out',
  failed_record: 'marked failed',
  completed_record: 'completed',
};

/**
 * Records a stop request on the execution (a row, not a message to some process): the plan cancels
 * what has not started, and the workers holding its running attempts hear of it (a `commands` signal,
 * else their next heartbeat) and stop them; their reports end the execution. Returns false when the
 * execution has ended or is already stopping.
 */
export async function requestExecutionStop(
  trx: Transaction<Database>,
  tx: TxHooks,
  deps: Pick<EngineDeps, 'caps' | 'signals' | 'versions' | 'workerId' | 'events'>,
  executionId: string,
  input: StopRequestInput,
  now: string,
): Promise<boolean> {
  const schedule = await lockExecution(trx, deps.caps, executionId);
  if (!schedule || isTerminalExecutionStatus(schedule.status) || schedule.stop) return false;
  let reason = input.reason;
  if (reason === null) {
    const version = await deps.versions.get(trx, schedule.workflowId, schedule.workflowVersion);
    reason = input.kind === 'timed_out' ? `execution timed out after ${version?.definition.timeout ?? 'its timeout'}` : WHAT[input.kind];
  }
  await requestStop(trx, executionId, { kind: input.kind, reason, actor: input.actor ? auditActor(input.actor) : null, now });
  await recordAuditEvent(trx, {
    subjectType: 'execution',
    subjectId: executionId,
    executionId,
    eventType: 'STOP_REQUESTED',
    actor: input.actor,
    metadata: { kind: input.kind, reason },
  });
  const log = SchedulerLog.of(tx, deps);
  const who = input.actor ? ` by ${input.actor.username ?? input.actor.userId ?? 'system'}` : '';
  const why = input.kind === 'completed_record' ? '' : `: ${reason}`;
  log.add(
    executionId,
    input.kind === 'timed_out' ? 'ERROR' : input.kind === 'completed_record' ? 'INFO' : 'WARN',
    `${WHAT[input.kind]}${who}${why}`,
  );
  deps.signals.send(tx, 'commands', [executionId]);
  await planAndApply(trx, tx, deps, executionId, now);
  return true;
}
