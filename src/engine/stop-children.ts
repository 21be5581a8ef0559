import { nowIso } from '../domain/time.ts';
import { listOrphanedChildren, listRunningChildren } from '../store/execution-schedule-repository.ts';
import type { EngineDeps } from './engine-deps.ts';
import { requestExecutionStop } from './stop-request.ts';

type StopDeps = Pick<EngineDeps, 'db' | 'writer' | 'caps' | 'signals' | 'versions' | 'workerId' | 'events'>;

/**
 * A stop cascades down: every running child (and its children) of a stopping execution gets a
 * cancel request of its own, each in its own transaction — a child is locked before its parent when
 * it ends, so a transaction holding the parent never waits for a child. The child's end then ends
 * the parent's `workflow` task run.
 */
export async function stopChildren(deps: StopDeps, executionId: string): Promise<number> {
  let stopped = 0;
  const queue = [executionId];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const child of await listRunningChildren(deps.db, id)) {
      if (await stopChild(deps, child, `parent execution ${id} is being stopped`)) stopped += 1;
      queue.push(child);
    }
  }
  return stopped;
}

/** The sweeper's half: children left running under a parent that is stopping or has ended (a cascade cut short). */
export async function stopOrphanedChildren(deps: StopDeps, limit: number): Promise<number> {
  let stopped = 0;
  for (const orphan of await listOrphanedChildren(deps.db, limit)) {
    if (await stopChild(deps, orphan.id, `parent execution ${orphan.parentId} is being stopped: ${orphan.reason}`)) stopped += 1;
  }
  return stopped;
}

function stopChild(deps: StopDeps, childId: string, reason: string): Promise<boolean> {
  return deps.writer.submit((trx, tx) =>
    requestExecutionStop(trx, tx, deps, childId, { kind: 'cancelled', reason, actor: null }, nowIso()),
  );
}
