import { toError } from '../domain/task-failure.ts';
import { listStopRequestsOf, renewLeases } from '../store/task-claim-repository.ts';
import type { EngineDeps } from './engine-deps.ts';
import type { AbortReason } from './task-handler.ts';

/**
 * What a worker's heartbeat asks the store about the runs it holds: which leases it still has (it
 * renews them) and which executions were asked to stop. Each answers the held runs to stop, with why;
 * a store that cannot answer stops nothing (said once per beat on stderr).
 */
type CheckDeps = Pick<EngineDeps, 'db' | 'writer' | 'workerId'>;

/** Renews the leases on `ids`; the runs whose lease was taken away are to stop. */
export async function renewHeldLeases(deps: CheckDeps, ids: readonly string[], leaseMs: number): Promise<Map<string, AbortReason>> {
  const lost = new Map<string, AbortReason>();
  try {
    const now = Date.now();
    const kept = await deps.writer.submit((trx) =>
      renewLeases(trx, deps.workerId, ids, new Date(now).toISOString(), new Date(now + leaseMs).toISOString()),
    );
    for (const id of ids) {
      if (!kept.has(id))
        lost.set(id, { kind: 'cancelled', message: 'the lease on this attempt was lost (expired and ended by another process)' });
    }
  } catch (e: unknown) {
    console.error(`runledger: worker ${deps.workerId} could not renew its leases: ${toError(e).message}`);
  }
  return lost;
}

/** The runs among `ids` whose execution has a stop request (cancel, deadline, record failed). */
export async function stopRequestsOf(deps: CheckDeps, ids: readonly string[]): Promise<Map<string, AbortReason>> {
  const stops = new Map<string, AbortReason>();
  try {
    for (const stop of await listStopRequestsOf(deps.db, ids)) {
      stops.set(stop.runId, { kind: stop.kind === 'timed_out' ? 'timed_out' : 'cancelled', message: stop.reason ?? 'stop requested' });
    }
  } catch (e: unknown) {
    console.error(`runledger: worker ${deps.workerId} could not read stop requests: ${toError(e).message}`);
  }
  return stops;
}
