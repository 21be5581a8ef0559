import type { AttachmentView } from '../client/record-types.ts';
import type { TaskRunView, WorkflowDefinition } from '../client/types.ts';

/** One step of a human-run record as `execution inspect` shows it (and prints with --json). */
export interface RecordStep {
  /** 1, 2, …: the definition's order, then the steps a person added, in the order they were added. */
  number: number;
  taskId: string;
  type: string;
  description: string;
  /** The step's latest attempt; null for a task that has no run yet. */
  taskRunId: string | null;
  status: string;
  /** Who completed it: the person for a manual step (the name recorded with the result). */
  completedBy: string | null;
  completedAt: string | null;
  notes: string | null;
  attachments: Pick<AttachmentView, 'id' | 'fileName' | 'sizeBytes' | 'mediaType'>[];
}

function describe(task: WorkflowDefinition['tasks'][number] | undefined, run: TaskRunView | undefined): string {
  const fromTask = task?.with.description;
  if (typeof fromTask === 'string') return fromTask;
  const input = run?.input;
  const added = input && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>).description : undefined;
  return typeof added === 'string' ? added : (task?.name ?? '');
}

/** The person's name a manual step recorded in its result, else the user id. */
export function stepCompletedBy(run: TaskRunView): string | null {
  const output = run.output;
  const name = output && typeof output === 'object' && !Array.isArray(output) ? (output as Record<string, unknown>).completedBy : undefined;
  return typeof name === 'string' ? name : run.completedBy;
}

/** The whole record, step by step: each step's latest attempt, what was said about it and the evidence attached to it. */
export function recordSteps(
  definition: WorkflowDefinition,
  runs: readonly TaskRunView[],
  attachments: readonly AttachmentView[],
): RecordStep[] {
  const latest = new Map<string, TaskRunView>();
  for (const run of runs) {
    const seen = latest.get(run.taskId);
    if (!seen || run.attempt > seen.attempt) latest.set(run.taskId, run);
  }
  const declared = new Set(definition.tasks.map((t) => t.id));
  const added = [...latest.values()].filter((r) => !declared.has(r.taskId)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const evidenceOf = (taskId: string) => {
    const ids = new Set(runs.filter((r) => r.taskId === taskId).map((r) => r.id));
    return attachments
      .filter((a) => ids.has(a.taskRunId))
      .map((a) => ({ id: a.id, fileName: a.fileName, sizeBytes: a.sizeBytes, mediaType: a.mediaType }));
  };
  const order = [...definition.tasks.map((t) => ({ taskId: t.id, task: t })), ...added.map((r) => ({ taskId: r.taskId, task: undefined }))];
  return order.map(({ taskId, task }, i) => {
    const run = latest.get(taskId);
    return {
      number: i + 1,
      taskId,
      type: task?.type ?? run?.type ?? 'manual',
      description: describe(task, run),
      taskRunId: run?.id ?? null,
      status: run?.status ?? 'pending',
      completedBy: run ? stepCompletedBy(run) : null,
      completedAt: run?.completedAt ?? null,
      notes: run?.notes ?? null,
      attachments: evidenceOf(taskId),
    };
  });
}
