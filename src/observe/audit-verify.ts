import type { StoredAuditEvent } from '../store/audit-event-repository.ts';
import { EXECUTION_STATUSES, isTerminalExecutionStatus, type ExecutionStatus } from '../domain/execution-status.ts';
import { TASK_RUN_STATUSES } from '../domain/task-run-status.ts';
import { auditHash, hashedContent } from './audit-chain.ts';

export interface ChainVerification {
  ok: boolean;
  /** Events checked. */
  checked: number;
  /** The first problem, naming the row: a changed, removed, reordered or forged event breaks the chain there. */
  problems: string[];
}

/**
 * Checks one subject's chain: seq runs 1, 2, 3… without gaps, each event names the previous event's
 * hash, and each hash matches the event's content. `events` must be one subject's, ordered by seq as
 * stored (by id for a reordering to show).
 */
export function verifyChain(events: readonly StoredAuditEvent[]): ChainVerification {
  const problems: string[] = [];
  let prev: StoredAuditEvent | undefined;
  for (const [i, e] of events.entries()) {
    const expectedSeq = i + 1;
    if (e.seq !== expectedSeq)
      problems.push(`event ${e.id}: seq ${e.seq} where ${expectedSeq} was expected (an event was removed or reordered)`);
    else if (e.prevHash !== (prev?.hash ?? null)) problems.push(`event ${e.id} (seq ${e.seq}): does not follow the previous event's hash`);
    else {
      if (e.hash !== auditHash(e.prevHash, hashedContent(e)))
        problems.push(`event ${e.id} (seq ${e.seq}): content does not match its hash (changed after it was written)`);
    }
    if (problems.length > 0) break;
    prev = e;
  }
  return { ok: problems.length === 0, checked: events.length, problems };
}

const TERMINAL_EVENTS = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT']);

/**
 * An execution's lifecycle is complete and consistent: it starts with CREATED; every state change
 * (its own and its task runs') records exactly one state it left and one it entered, both real
 * states; the execution's own changes follow on from each other (each leaves the state the previous
 * one entered, the first leaves `pending`) and end in its current status; and, once ended, it has
 * exactly one terminal event.
 */
export function verifyLifecycle(events: readonly StoredAuditEvent[], status: string): string[] {
  const problems: string[] = [];
  if (events[0]?.eventType !== 'CREATED') problems.push('lifecycle: the first event is not CREATED');
  const ended = isTerminalExecutionStatus(status as ExecutionStatus);
  const terminal = events.filter((e) => TERMINAL_EVENTS.has(e.eventType));
  if (ended && terminal.length !== 1)
    problems.push(`lifecycle: the execution is ${status} but ${terminal.length} terminal events are recorded`);
  if (!ended && terminal.length > 0) problems.push(`lifecycle: the execution is ${status} but a terminal event is recorded`);
  let current: string = 'pending';
  for (const e of events) {
    const m = e.metadata;
    if (m.to === undefined && m.from === undefined) continue;
    const forTask = typeof m.taskId === 'string';
    const states: readonly string[] = forTask ? TASK_RUN_STATUSES : EXECUTION_STATUSES;
    const from = m.from;
    const to = m.to;
    if (typeof to !== 'string' || !states.includes(to) || (from !== undefined && (typeof from !== 'string' || !states.includes(from)))) {
      problems.push(
        `lifecycle: event ${e.id} (seq ${e.seq}, ${e.eventType}) records ${JSON.stringify({ from, to })}, not one state left and one entered`,
      );
      continue;
    }
    if (forTask) continue;
    if (from !== current)
      problems.push(`lifecycle: event ${e.id} (seq ${e.seq}, ${e.eventType}) leaves ${String(from)} but the execution was ${current}`);
    current = to;
  }
  if (problems.length === 0 && current !== status)
    problems.push(`lifecycle: the recorded state changes end in ${current} but the execution is ${status}`);
  return problems;
}
