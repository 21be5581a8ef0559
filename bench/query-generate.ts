import { BULK_TABLES, type BulkWriter } from './query-bulk.ts';
import { logLines, type DatasetPlan, type PlannedExecution, type PlannedTaskRun } from './query-dataset.ts';

const EXECUTIONS_PER_TRANSACTION = 10_000;
const LINES_PER_INSERT = 10_000;
const LINES_PER_TRANSACTION = 250_000;

const failure = (message: string) => JSON.stringify({ type: 'task', code: 'exit_code', message, retryable: false });
const duration = (from: string | null, to: string | null) => (from && to ? Date.parse(to) - Date.parse(from) : null);

function executionRow(e: PlannedExecution, adminId: string): unknown[] {
  const failed = e.status === 'failed' || e.status === 'timed_out';
  return [
    e.id,
    e.workflowId,
    1,
    e.status,
    e.trigger,
    e.trigger === 'schedule' ? null : adminId,
    `${e.workflowId} on ${e.inputs.server}`,
    JSON.stringify(e.inputs),
    null,
    failed ? failure(`${e.taskRuns.at(-1)!.taskId} exited with 1`) : null,
    e.lines,
    e.startedAt ? 'worker-1' : null,
    e.createdAt,
    e.startedAt,
    e.completedAt,
    e.completedAt ?? e.startedAt ?? e.createdAt,
  ];
}

function taskRunRow(e: PlannedExecution, r: PlannedTaskRun): unknown[] {
  const ok = r.status === 'succeeded';
  return [
    r.id,
    e.id,
    r.taskId,
    'shell',
    1,
    r.status,
    JSON.stringify({ command: `./${r.taskId}.sh --host ${e.inputs.server}`, timeout: '10m' }),
    ok ? JSON.stringify({ exitCode: 0, stdout: `${r.taskId} done on ${e.inputs.server}`, changed: r.taskId.length % 2 === 0 }) : null,
    r.status === 'failed' || r.status === 'timed_out' ? failure(`${r.taskId} exited with 1`) : null,
    r.startedAt ? 'worker-1' : null,
    r.createdAt,
    r.startedAt,
    r.completedAt,
    duration(r.startedAt, r.completedAt),
    r.completedAt ?? r.startedAt ?? r.createdAt,
  ];
}

/**
 * Writes the plan: executions (each with its `execution_inputs` rows and task runs), then the log
 * lines, in large transactions. Returns the rows written per table.
 */
export async function generateStore(bulk: BulkWriter, plan: DatasetPlan, adminId: string): Promise<Record<string, number>> {
  const counts = { executions: 0, execution_inputs: 0, task_runs: 0, execution_logs: 0 };
  for (let start = 0; start < plan.executions.length; start += EXECUTIONS_PER_TRANSACTION) {
    const chunk = plan.executions.slice(start, start + EXECUTIONS_PER_TRANSACTION);
    const inputs = chunk.flatMap((e) => Object.entries(e.inputs).map(([key, value]) => [e.id, key, value]));
    const runs = chunk.flatMap((e) => e.taskRuns.map((r) => taskRunRow(e, r)));
    await bulk.insert(
      BULK_TABLES.executions,
      chunk.map((e) => executionRow(e, adminId)),
    );
    await bulk.insert(BULK_TABLES.executionInputs, inputs);
    await bulk.insert(BULK_TABLES.taskRuns, runs);
    await bulk.commit();
    counts.executions += chunk.length;
    counts.execution_inputs += inputs.length;
    counts.task_runs += runs.length;
  }
  let batch: unknown[][] = [];
  for (const l of logLines(plan.executions)) {
    batch.push([l.executionId, l.seq, l.taskRunId, l.ts, l.level, l.source, l.message]);
    if (batch.length < LINES_PER_INSERT) continue;
    await bulk.insert(BULK_TABLES.executionLogs, batch);
    counts.execution_logs += batch.length;
    batch = [];
    if (counts.execution_logs % LINES_PER_TRANSACTION === 0) await bulk.commit();
  }
  await bulk.insert(BULK_TABLES.executionLogs, batch);
  counts.execution_logs += batch.length;
  await bulk.close();
  return counts;
}
