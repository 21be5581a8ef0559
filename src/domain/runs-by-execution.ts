import type { TaskRun } from './records.ts';

/** Task runs of several executions, each execution's in the order given. */
export function runsByExecution(runs: readonly TaskRun[]): Map<string, TaskRun[]> {
  const byExecution = new Map<string, TaskRun[]>();
  for (const run of runs) {
    const list = byExecution.get(run.executionId);
    if (list) list.push(run);
    else byExecution.set(run.executionId, [run]);
  }
  return byExecution;
}
