import { RunledgerError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { dueTimesBetween, latestDueAtOrBefore, nextDueAfter } from '../domain/schedule-times.ts';
import { nowIso } from '../domain/time.ts';
import type { ScheduleTrigger } from '../domain/workflow-definition.ts';
import { recordAuditEvent, workerActor } from '../observe/audit-logger.ts';
import { insertFires, type TriggerFire } from '../store/trigger-fire-repository.ts';
import { advanceSchedule, type TriggerScheduleRow } from '../store/trigger-schedule-repository.ts';
import { getWorkflow } from '../store/workflow-repository.ts';
import type { EngineDeps } from './engine-deps.ts';
import type { ExecutionCommands, StartClaim, StartedExecution } from './execution-commands.ts';
import { NEVER_DUE } from './trigger-sync.ts';

/** Missed due times recorded one row each; beyond this an outage's misses are only counted. */
const MAX_RECORDED_MISSES = 1000;

export interface FireOutcome {
  /** False when another process claimed this due time first (nothing was recorded here). */
  claimed: boolean;
  execution: StartedExecution | null;
  /** Due times recorded as skipped (missed while nothing ran, or more than `recorded` of them). */
  skipped: number;
}

/**
 * Claims what is due of one schedule at `now` and acts on it, in one transaction: `next_due_at` moves
 * on past `now` (the claim: one process wins), the latest due time runs if it is on time (at most
 * `graceMs` late) or the trigger has `catch_up: true`, and every other due time since the last claim
 * is recorded as skipped with one audit event — an outage is never made up for in a burst.
 */
export async function fireDueSchedule(
  deps: EngineDeps,
  commands: ExecutionCommands,
  row: TriggerScheduleRow,
  now: Date,
  graceMs: number,
): Promise<FireOutcome> {
  const schedule = { cron: row.cron, timezone: row.timezone };
  const next = nextDueAfter(schedule, now)?.toISOString() ?? NEVER_DUE;
  const trigger = await currentTrigger(deps, row);
  const latest = latestDueAtOrBefore(schedule, now);
  const { times, more } = dueTimesBetween(schedule, new Date(row.nextDueAt), now, MAX_RECORDED_MISSES);
  const onTime = latest !== null && now.getTime() - latest.getTime() <= graceMs;
  const run = trigger && latest && Date.parse(row.nextDueAt) <= latest.getTime() && (onTime || trigger.catchUp) ? latest : null;
  const missed = times.filter((t) => run === null || t.getTime() !== run.getTime());
  const fire = (dueAt: Date, status: TriggerFire['status'], reason: string | null, executionId: string | null): TriggerFire => ({
    id: newId(),
    workflowId: row.workflowId,
    triggerId: row.triggerId,
    kind: 'schedule',
    fireKey: dueAt.toISOString(),
    dueAt: dueAt.toISOString(),
    status,
    reason,
    executionId,
    firedBy: deps.workerId,
    createdAt: nowIso(),
  });
  const recordMisses = async (trx: Parameters<StartClaim>[0], executionId: string | null, at: string): Promise<boolean> => {
    if (!(await advanceSchedule(trx, deps.caps, row, row.nextDueAt, next, at))) return false;
    // The fire row is unique per due time: a due time that already started an execution never starts another.
    if (run && executionId) {
      const started = fire(run, 'started', onTime ? null : 'catch_up: the latest missed due time', executionId);
      if ((await insertFires(trx, [started])) === 0) return false;
    }
    const missReason = trigger ? 'missed: nothing was running to start it on time' : 'the trigger is no longer in the workflow';
    await insertFires(
      trx,
      missed.map((t) => fire(t, 'skipped', missReason, null)),
    );
    if (missed.length > 0) {
      await recordAuditEvent(trx, {
        subjectType: 'workflow',
        subjectId: row.workflowId,
        eventType: 'SCHEDULE_MISSED',
        actor: workerActor(deps.workerId),
        metadata: {
          triggerId: row.triggerId,
          skipped: missed.length,
          ...(more ? { moreNotRecorded: true } : {}),
          first: missed[0]!.toISOString(),
          last: missed.at(-1)!.toISOString(),
          caughtUp: run && !onTime ? run.toISOString() : null,
        },
      });
    }
    return true;
  };
  if (!run || !trigger) {
    const claimed = await deps.writer.submit((trx) => recordMisses(trx, null, nowIso()));
    return { claimed, execution: null, skipped: claimed ? missed.length : 0 };
  }
  try {
    const execution = await commands.startClaimed(
      {
        workflowId: row.workflowId,
        inputs: trigger.inputs,
        trigger: 'schedule',
        triggerId: trigger.id,
        actor: workerActor(deps.workerId),
        auditDetails: { dueAt: run.toISOString(), ...(onTime ? {} : { catchUp: true }) },
      },
      recordMisses,
    );
    return { claimed: execution !== null, execution, skipped: execution ? missed.length : 0 };
  } catch (e: unknown) {
    // The definition cannot start as the trigger says (its inputs no longer fit): the due time is
    // recorded as failed, with the reason, instead of being tried again at every look.
    if (!(e instanceof RunledgerError)) throw e;
    const claimed = await deps.writer.submit(async (trx) => {
      if (!(await recordMisses(trx, null, nowIso()))) return false;
      await insertFires(trx, [fire(run, 'failed', `${e.code}: ${e.message}`, null)]);
      await recordAuditEvent(trx, {
        subjectType: 'workflow',
        subjectId: row.workflowId,
        eventType: 'SCHEDULE_FAILED',
        actor: workerActor(deps.workerId),
        metadata: { triggerId: row.triggerId, dueAt: run.toISOString(), code: e.code, message: e.message },
      });
      return true;
    });
    return { claimed, execution: null, skipped: claimed ? missed.length : 0 };
  }
}

/** The schedule trigger as the workflow's latest version has it; undefined when it is gone. */
async function currentTrigger(deps: EngineDeps, row: TriggerScheduleRow): Promise<ScheduleTrigger | undefined> {
  const workflow = await getWorkflow(deps.db, row.workflowId);
  const version = workflow && (await deps.versions.get(deps.db, workflow.id, workflow.latestVersion));
  const trigger = version?.definition.triggers?.find((t) => t.id === row.triggerId);
  return trigger?.type === 'schedule' ? trigger : undefined;
}
