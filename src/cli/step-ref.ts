import type { RunledgerClient } from '../client/runledger-client.ts';
import { CliError } from './cli-error.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The task run id a STEP argument names: a task run id is used as it is (the server checks it); a
 * task id means that task's latest attempt, looked up with one request for the execution. A task
 * with no task run, or (with `waiting`) a step not waiting for a person, is a one-line user error.
 */
export async function resolveStep(
  client: RunledgerClient,
  executionId: string,
  ref: string,
  options: { waiting?: boolean } = {},
): Promise<string> {
  if (UUID.test(ref)) return ref;
  const execution = await client.getExecution(executionId);
  const runs = execution.taskRuns.filter((r) => r.taskId === ref);
  if (runs.length === 0) {
    const known = [...new Set(execution.taskRuns.map((r) => r.taskId))];
    throw new CliError(
      `execution ${executionId} has no task run of task "${ref}"${known.length ? ` (tasks run so far: ${known.join(', ')})` : ''}`,
    );
  }
  const latest = runs.reduce((a, b) => (b.attempt > a.attempt ? b : a));
  if (options.waiting && latest.status !== 'waiting')
    throw new CliError(`step "${ref}" of execution ${executionId} is not waiting for a person (it is ${latest.status})`);
  return latest.id;
}
