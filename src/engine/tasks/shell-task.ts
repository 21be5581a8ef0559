import { stat } from 'node:fs/promises';
import { TaskExecutionError, type TaskContext } from '../task-handler.ts';
import { describeExit, runProcessGroup, taskEnv } from './child-process.ts';
import { OUTPUT_LIMIT_MESSAGE, OutputLimit, OutputTail } from './output-limit.ts';
import { DEFAULT_STDERR_LEVEL, invalidInput, optionalLevel, optionalString, optionalStringRecord, requireString } from './task-input.ts';

const DEFAULT_SHELL = '/bin/sh';

/**
 * What a shell task returns, and what its `EXIT_CODE` failure carries. `stdout`/`stderr` are the last
 * 1 MiB of each stream (the whole of it went to the log); `droppedBytes` appears only when the task hit
 * its 10 MB output limit, `signal` only when a signal killed the command.
 */
export interface ShellTaskOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
  signal?: string;
  droppedBytes?: number;
}

/**
 * `type: shell` — runs `with.command` through `/bin/sh -c` (or `with.shell`) in its own process group,
 * with `with.env` on top of the server's environment minus `RUNLEDGER_*` (plus `TRACEPARENT` when traces are on), in `with.cwd`. Every stdout line
 * is logged at INFO as `task:<id>:stdout`, every stderr line at `with.stderrLevel` (default INFO) as `task:<id>:stderr`. A non-zero
 * exit rejects with `TaskExecutionError('EXIT_CODE')`; an abort kills the whole group (see `runProcessGroup`).
 */
export async function shellTask(ctx: TaskContext): Promise<ShellTaskOutput> {
  const command = requireString(ctx.input, 'command');
  const shell = optionalString(ctx.input, 'shell') ?? DEFAULT_SHELL;
  const cwd = optionalString(ctx.input, 'cwd');
  // The attempt's span (when traces are on) as W3C's TRACEPARENT: what the command calls joins the trace.
  const traced: Record<string, string> = ctx.traceparent === undefined ? {} : { TRACEPARENT: ctx.traceparent };
  const env = taskEnv({ ...traced, ...optionalStringRecord(ctx.input, 'env') });
  // spawn reports a missing cwd as "spawn /bin/sh ENOENT", which blames the shell; say what is wrong.
  if (cwd !== undefined && !(await stat(cwd).catch(() => null))?.isDirectory()) {
    throw invalidInput(`with.cwd ${cwd} is not a directory`);
  }

  const stderrLevel = optionalLevel(ctx.input, 'stderrLevel', DEFAULT_STDERR_LEVEL);
  const limit = new OutputLimit(() => ctx.log('WARN', `task:${ctx.taskId}`, OUTPUT_LIMIT_MESSAGE));
  const stdout = new OutputTail();
  const stderr = new OutputTail();
  const exit = await runProcessGroup({
    file: shell,
    args: ['-c', command],
    env,
    cwd,
    signal: ctx.signal,
    safeCut: ctx.secretSafeCut,
    onStdoutLine: (line) => {
      if (!limit.admit(line)) return;
      stdout.add(line);
      ctx.log('INFO', `task:${ctx.taskId}:stdout`, line);
    },
    onStderrLine: (line) => {
      if (!limit.admit(line)) return;
      stderr.add(line);
      ctx.log(stderrLevel, `task:${ctx.taskId}:stderr`, line);
    },
  });

  const output: ShellTaskOutput = { exitCode: exit.exitCode, stdout: stdout.text(), stderr: stderr.text() };
  if (exit.signal) output.signal = exit.signal;
  if (limit.droppedBytes > 0) output.droppedBytes = limit.droppedBytes;
  if (exit.exitCode !== 0 || exit.signal) {
    throw new TaskExecutionError('EXIT_CODE', `command ${describeExit(exit)}`, output);
  }
  return output;
}
