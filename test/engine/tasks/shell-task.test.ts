import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TaskExecutionError } from '../../../src/engine/task-handler.ts';
import { CONTINUED_PREFIX, MAX_LINE_BYTES } from '../../../src/engine/tasks/line-splitter.ts';
import { OUTPUT_LIMIT_MESSAGE } from '../../../src/engine/tasks/output-limit.ts';
import { shellTask } from '../../../src/engine/tasks/shell-task.ts';
import { fakeContext, isRunning, waitFor, type LogCall } from './fake-context.ts';

async function failure(promise: Promise<unknown>): Promise<TaskExecutionError> {
  const error = await promise.then(
    () => new Error('expected the task to fail'),
    (e: unknown) => e,
  );
  if (!(error instanceof TaskExecutionError)) throw error;
  return error;
}

/** PIDs the script printed on stdout, one per line. */
function printedPids(logs: LogCall[]): number[] {
  return logs.filter((l) => l.source === 'task:t1:stdout').map((l) => Number(l.message));
}

describe('shell task', () => {
  afterEach(() => {
    delete process.env.RUNLEDGER_SHELL_TEST_SECRET;
    delete process.env.SHELL_TEST_VISIBLE;
  });

  it('runs the command and returns its output; logs stdout lines at INFO', async () => {
    const { ctx, logs } = fakeContext({ command: 'echo hello; echo world' });
    await expect(shellTask(ctx)).resolves.toEqual({ exitCode: 0, stdout: 'hello\nworld', stderr: '' });
    expect(logs).toEqual([
      { level: 'INFO', source: 'task:t1:stdout', message: 'hello' },
      { level: 'INFO', source: 'task:t1:stdout', message: 'world' },
    ]);
  });

  it('captures stderr and logs it at INFO: stderr is not an error by itself', async () => {
    const { ctx, logs } = fakeContext({ command: 'echo progress 50% >&2; echo fine' });
    const output = await shellTask(ctx);
    expect(output).toEqual({ exitCode: 0, stdout: 'fine', stderr: 'progress 50%' });
    expect(logs).toContainEqual({ level: 'INFO', source: 'task:t1:stderr', message: 'progress 50%' });
    expect(logs.filter((l) => l.level === 'ERROR')).toEqual([]);
  });

  it('logs stderr at with.stderrLevel (any case), and refuses an unknown level', async () => {
    const { ctx, logs } = fakeContext({ command: 'echo oops >&2', stderrLevel: 'warn' });
    await shellTask(ctx);
    expect(logs).toContainEqual({ level: 'WARN', source: 'task:t1:stderr', message: 'oops' });
    const bad = await failure(shellTask(fakeContext({ command: 'true', stderrLevel: 'LOUD' }).ctx));
    expect(bad).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('with.stderrLevel must be one of DEBUG, INFO, WARN, ERROR'),
    });
  });

  it('rejects a non-zero exit with EXIT_CODE, keeping the output', async () => {
    const { ctx } = fakeContext({ command: 'echo out; echo err >&2; exit 3' });
    const error = await failure(shellTask(ctx));
    expect(error.code).toBe('EXIT_CODE');
    expect(error.message).toBe('command exited with code 3');
    expect(error.output).toEqual({ exitCode: 3, stdout: 'out', stderr: 'err' });
  });

  it('rejects death by a signal as EXIT_CODE with 128 + the signal number', async () => {
    const { ctx } = fakeContext({ command: 'kill -9 $$' });
    const error = await failure(shellTask(ctx));
    expect(error.code).toBe('EXIT_CODE');
    expect(error.message).toBe('command was killed by signal SIGKILL');
    expect(error.output).toEqual({ exitCode: 137, signal: 'SIGKILL', stdout: '', stderr: '' });
  });

  it('hides RUNLEDGER_* variables and adds with.env', async () => {
    process.env.RUNLEDGER_SHELL_TEST_SECRET = 'hunter2';
    process.env.SHELL_TEST_VISIBLE = 'inherited';
    const { ctx } = fakeContext({
      command: 'echo "[$RUNLEDGER_SHELL_TEST_SECRET][$SHELL_TEST_VISIBLE][$FROM_WITH]"; env | grep -c ^RUNLEDGER_ || true',
      env: { FROM_WITH: 'given' },
    });
    const output = await shellTask(ctx);
    expect(output.stdout).toBe('[][inherited][given]\n0');
  });

  it('joins a line written in two pieces', async () => {
    const { ctx, logs } = fakeContext({ command: "printf 'par'; sleep 0.2; printf 'tial\\nlast'" });
    const output = await shellTask(ctx);
    expect(output.stdout).toBe('partial\nlast');
    expect(logs.map((l) => l.message)).toEqual(['partial', 'last']);
  });

  it('cuts a line longer than 64 KiB into marked pieces', async () => {
    const { ctx, logs } = fakeContext({ command: "head -c 70000 /dev/zero | tr '\\0' x; echo" });
    await shellTask(ctx);
    expect(logs.map((l) => l.message)).toEqual(['x'.repeat(MAX_LINE_BYTES), CONTINUED_PREFIX + 'x'.repeat(70000 - MAX_LINE_BYTES)]);
  });

  it('stops capturing at 10 MB with one WARN line and counts what it dropped', async () => {
    // 11000 lines of 1000 bytes (1001 with the newline); 10 MiB admits 10475 of them.
    const { ctx, logs } = fakeContext({ command: "head -c 11000000 /dev/zero | tr '\\0' x | fold -w 1000" });
    const output = await shellTask(ctx);
    expect(output.droppedBytes).toBe(525 * 1001);
    expect(logs.filter((l) => l.level === 'WARN')).toEqual([{ level: 'WARN', source: 'task:t1', message: OUTPUT_LIMIT_MESSAGE }]);
    expect(logs.filter((l) => l.source === 'task:t1:stdout')).toHaveLength(10475);
    // The output keeps the last 1 MiB: 1047 lines; the other 10475 - 1047 admitted lines are marked as cut.
    expect(output.stdout.startsWith(`[truncated ${(10475 - 1047) * 1001} bytes]\n${'x'.repeat(1000)}\n`)).toBe(true);
    expect(output.stdout.split('\n')).toHaveLength(1 + 1047);
  });

  it('runs in with.cwd and with with.shell', async () => {
    const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'shell-task-')));
    const { ctx } = fakeContext({ command: 'pwd; echo "${BASH_VERSION:+bash}"', cwd: dir, shell: '/bin/bash' });
    await expect(shellTask(ctx)).resolves.toMatchObject({ stdout: `${dir}\nbash` });
  });

  it('refuses bad input', async () => {
    expect((await failure(shellTask(fakeContext({}).ctx))).code).toBe('INVALID_INPUT');
    expect((await failure(shellTask(fakeContext({ command: 'true', env: { A: 1 } }).ctx))).code).toBe('INVALID_INPUT');
    const missingCwd = await failure(shellTask(fakeContext({ command: 'true', cwd: '/no/such/dir' }).ctx));
    expect(missingCwd).toMatchObject({ code: 'INVALID_INPUT', message: 'with.cwd /no/such/dir is not a directory' });
  });

  it('fails with SPAWN_FAILED when the shell does not exist', async () => {
    const error = await failure(shellTask(fakeContext({ command: 'true', shell: '/no/such/shell' }).ctx));
    expect(error.code).toBe('SPAWN_FAILED');
  });

  it('on cancel kills the whole process group, grandchildren included', async () => {
    const { ctx, logs, abort } = fakeContext({
      command: 'sleep 30 & echo $!; (sleep 30; echo never) & echo $!; echo $$; sleep 30; wait',
    });
    const run = shellTask(ctx);
    await waitFor(() => printedPids(logs).length === 3);
    const pids = printedPids(logs);
    expect(pids.every(isRunning)).toBe(true);

    const started = Date.now();
    abort({ kind: 'cancelled', message: 'cancelled by alice' });
    const error = await run.then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TaskExecutionError);
    expect(error?.message).toBe('cancelled by alice');
    expect(error?.name).toBe('AbortError');
    expect(Date.now() - started).toBeLessThan(1500); // SIGTERM sufficed: no wait for the SIGKILL grace
    expect(pids.filter(isRunning)).toEqual([]);
  });

  it('on a timeout abort escalates to SIGKILL for processes that ignore SIGTERM', async () => {
    const { ctx, logs, abort } = fakeContext({ command: "trap '' TERM; sleep 30 & echo $!; echo $$; wait" });
    const run = shellTask(ctx);
    await waitFor(() => printedPids(logs).length === 2);
    const pids = printedPids(logs);

    const started = Date.now();
    abort({ kind: 'timed_out', message: 'task t1 timed out after 5s' });
    await expect(run).rejects.toThrow('task t1 timed out after 5s');
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000); // the grace period was given
    expect(pids.filter(isRunning)).toEqual([]);
  });

  it('rejects at once when the signal is already aborted, starting nothing', async () => {
    const { ctx, logs, abort } = fakeContext({ command: 'echo should-not-run' });
    abort({ kind: 'cancelled', message: 'cancelled before start' });
    await expect(shellTask(ctx)).rejects.toThrow('cancelled before start');
    expect(logs).toEqual([]);
  });

  it('terminates background jobs the command left running when it exits', async () => {
    const { ctx, logs } = fakeContext({ command: 'sleep 30 & echo $!' });
    const started = Date.now();
    await expect(shellTask(ctx)).resolves.toMatchObject({ exitCode: 0 });
    expect(Date.now() - started).toBeLessThan(1500);
    const [pid] = printedPids(logs);
    expect(pid).toBeGreaterThan(0);
    expect(isRunning(pid!)).toBe(false);
  });
});
