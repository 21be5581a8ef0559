import type { TaskRun } from '../domain/records.ts';

/** A task run as log lines name it: `build`, or `deploy[2]` for an item of a for_each task. */
export function label(run: TaskRun): string {
  return run.itemIndex === null ? run.taskId : `${run.taskId}[${run.itemIndex}]`;
}

/** A value for a log line: JSON, cut at 2 KiB (the record keeps it whole). */
export function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.length > 2048 ? `${text.slice(0, 2048)}… [${text.length} chars]` : text;
}
