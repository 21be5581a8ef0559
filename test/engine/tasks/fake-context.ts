import { readFileSync } from 'node:fs';
import type { LogLevel } from '../../../src/domain/log-line.ts';
import type { AbortReason, TaskContext } from '../../../src/engine/task-handler.ts';

/** One `ctx.log` call, as the handler made it. */
export interface LogCall {
  level: LogLevel;
  source: string;
  message: string;
}

/** Test scaffolding for the handler boundary: a `TaskContext` that records log calls and can be aborted. */
export function fakeContext(
  input: Record<string, unknown>,
  overrides: Partial<Omit<TaskContext, 'log' | 'signal'>> = {},
): { ctx: TaskContext; logs: LogCall[]; abort(reason: AbortReason): void } {
  const logs: LogCall[] = [];
  const controller = new AbortController();
  const ctx: TaskContext = {
    executionId: 'exec-1',
    taskRunId: 'run-1',
    taskId: 't1',
    attempt: 1,
    input,
    signal: controller.signal,
    log: (level, source, message) => logs.push({ level, source, message }),
    pluginDirs: [],
    ...overrides,
  };
  return { ctx, logs, abort: (reason) => controller.abort(reason) };
}

/**
 * Whether a process still runs. `process.kill(pid, 0)` also succeeds for a zombie, and on machines
 * whose init reaps orphans lazily a killed grandchild stays a zombie for a while: dead, but listed.
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw e;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return process.platform === 'linux' ? false : true; // vanished between the two checks, or no /proc
  }
}

/** Resolves once `predicate` holds, polling; fails after `ms`. */
export async function waitFor(predicate: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
