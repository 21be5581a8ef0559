/** What of a task run the steps need (the wire's TaskRun has it). */
interface TaskRun {
  taskId: string;
  attempt: number;
  status: string;
  input: unknown;
}

/** What of a definition the steps need: its tasks in order, with their `with`. */
interface Definition {
  tasks: { id: string; with: Record<string, unknown> }[];
}

/** One step of a human-run record as the evidence panel shows it: its latest attempt. */
export interface RecordStep<R extends TaskRun = TaskRun> {
  number: number;
  taskId: string;
  run: R;
  description: string;
  /** Added while the record ran (not in the procedure). */
  extra: boolean;
}

const ENDED = new Set(['succeeded', 'failed', 'cancelled', 'timed_out', 'skipped']);

export function isStepEnded(run: Pick<TaskRun, 'status'>): boolean {
  return ENDED.has(run.status);
}

function descriptionOf(run: TaskRun, definition: Definition | undefined): string {
  const input = run.input as { description?: unknown } | null;
  if (input && typeof input.description === 'string') return input.description;
  const description = definition?.tasks.find((t) => t.id === run.taskId)?.with.description;
  return typeof description === 'string' ? description : '';
}

/**
 * The steps in order: the procedure's tasks as its definition lists them, then the steps added
 * while it ran, each by its latest attempt. Pure.
 */
export function recordSteps<R extends TaskRun>(taskRuns: readonly R[], definition: Definition | undefined): RecordStep<R>[] {
  const latest = new Map<string, R>();
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
export function currentStep<R extends TaskRun>(steps: readonly RecordStep<R>[]): RecordStep<R> | undefined {
  return steps.find((s) => s.run.status === 'waiting');
}
