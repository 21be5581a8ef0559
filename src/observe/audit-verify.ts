import type { StoredAuditEvent } from '../store/audit-event-repository.ts';
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

/** An execution's lifecycle is complete when it starts with CREATED and, once ended, has its end recorded. */
export function verifyLifecycle(events: readonly StoredAuditEvent[], status: string): string[] {
  const problems: string[] = [];
  if (events[0]?.eventType !== 'CREATED') problems.push('lifecycle: the first event is not CREATED');
  const ended = ['completed', 'failed', 'cancelled', 'timed_out'].includes(status);
  const terminal = events.filter((e) => TERMINAL_EVENTS.has(e.eventType));
  if (ended && terminal.length !== 1)
    problems.push(`lifecycle: the execution is ${status} but ${terminal.length} terminal events are recorded`);
  if (!ended && terminal.length > 0) problems.push(`lifecycle: the execution is ${status} but a terminal event is recorded`);
  return problems;
}
