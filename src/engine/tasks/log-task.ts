import { LOG_LEVELS, LogLevel } from '../../domain/log-line.ts';
import type { TaskContext } from '../task-handler.ts';
import { abortError } from './abort-error.ts';
import { invalidInput } from './task-input.ts';

export interface LogTaskOutput {
  level: LogLevel;
  message: string;
}

/**
 * `type: log` — writes `with.message` at `with.level` (default INFO, any case) as source `task:<id>`.
 * A message that templating turned into a non-string (a number, an object) is logged as its JSON.
 */
export async function logTask(ctx: TaskContext): Promise<LogTaskOutput> {
  const level = toLevel(ctx.input.level);
  const raw = ctx.input.message;
  if (raw === undefined) throw invalidInput('with.message is required');
  const message = typeof raw === 'string' ? raw : JSON.stringify(raw);
  if (ctx.signal.aborted) throw abortError(ctx.signal);
  ctx.log(level, `task:${ctx.taskId}`, message);
  return { level, message };
}

function toLevel(value: unknown): LogLevel {
  if (value === undefined) return LogLevel.info;
  const level = typeof value === 'string' ? LOG_LEVELS.find((l) => l === value.toUpperCase()) : undefined;
  if (!level) throw invalidInput(`with.level must be one of ${LOG_LEVELS.join(', ')}; got ${JSON.stringify(value)}`);
  return level;
}
