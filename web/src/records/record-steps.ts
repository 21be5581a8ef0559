import type { Schemas } from '../api/client.ts';

type TaskRun = Schemas['TaskRun'];
type Definition = Schemas['WorkflowDefinition'];

/** One step of a human-run record as the evidence panel shows it: its latest attempt. */
export interface RecordStep {
  number: number;
  taskId: string;
  run: TaskRun;
  description: string;
  /** Added while the record ran (not in the procedure). */
  extra: boolean;
}

const ENDED = new Set(['succeeded', 'failed', 'cancelled', 'timed_out', 'skipped']);

export function isStepEnded(run: TaskRun): boolean {
  return ENDED.has(run.status);
}

function descriptionOf(run: TaskRun, definition: Definition | undefined): string {
  const input = run.input as { description?: unknown } | null;
  if (input && typeof input.description === 'string') return input.description;
  const task = definition?.tasks.find((t) => t.id === run.taskId) as { with?: { description?: unknown } } | undefined;
  return typeof task?.with?.description === 'string' ? task.with.description : '';
}

/**
 * The steps in order: the procedure's tasks as its definition lists them, then the steps added
 * while it ran, each by its latest attempt. Pure.
 */
export function recordSteps(taskRuns: readonly TaskRun[], definition: Definition | undefined): RecordStep[] {
  const latest = new Map<string, TaskRun>();
  for (const run of taskRuns) {
    const seen = latest.get(run.taskId);
    if (!seen || run.attempt > seen.attempt) latest.set(run.taskId, run);
  }
  const order = definition?.tasks.map((t) => t.id) ?? [];
  const ids = [...order.filter((id) => latest.has(id)), ...[...latest.keys()].filter((id) => !order.includes(id))];
  return ids.map((taskId, i) => {
    const run = latest.get(taskId)!;
    return { number: i + 1, taskId, run, description: descriptionOf(run, definition), extra: !order.includes(taskId) };
  });
}

/** The step a person works on now: the first one waiting for a person. */
export function currentStep(steps: readonly RecordStep[]): RecordStep | undefined {
  return steps.find((s) => s.run.status === 'waiting');
}
