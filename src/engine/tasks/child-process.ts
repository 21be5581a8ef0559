import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { readdir, readFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { TaskExecutionError } from '../task-handler.ts';
import { abortError } from './abort-error.ts';
import { LineSplitter } from './line-splitter.ts';

/** Time a process group gets between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 2000;
const POLL_MS = 25;
/** After SIGKILL the kernel still needs a moment to tear the processes down. */
const AFTER_KILL_WAIT_MS = 500;
/** How long to wait for stdout/stderr to close once the group is gone (a process that left the group may hold them). */
const CLOSE_WAIT_MS = 1000;

/** Prefix of the variables that configure Runledger itself; tasks never see them (secrets reach tasks explicitly). */
const HIDDEN_ENV_PREFIX = 'RUNLEDGER_';

export interface ProcessGroupOptions {
  file: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Written to stdin, which is then closed; without it stdin is `/dev/null`. */
  stdin?: string;
  signal: AbortSignal;
  onStdoutLine(line: string): void;
  onStderrLine(line: string): void;
  /** Moves the cut of a too-long line back so that no secret is cut in two (see `LineSplitter`). */
  safeCut?: ((bytes: Buffer, cut: number) => number) | undefined;
}

export interface ProcessExit {
  /** The exit code; when a signal killed the process, 128 + its number (the shell's convention). */
  exitCode: number;
  /** The signal that killed the process, if one did. */
  signal: NodeJS.Signals | null;
}

/** The environment of a task's process: ours without `RUNLEDGER_*`, then `extra` (the task's `with.env`). */
export function taskEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith(HIDDEN_ENV_PREFIX)) env[name] = value;
  }
  return Object.assign(env, extra);
}

/** `exited with code 3` or `was killed by signal SIGSEGV`, for error messages. */
export function describeExit(exit: ProcessExit): string {
  return exit.signal ? `was killed by signal ${exit.signal}` : `exited with code ${exit.exitCode}`;
}

/**
 * Runs an executable as the leader of its own process group and reports its output line by line.
 * Resolves with how it exited (any code: judging it is the caller's business). When it exits, anything
 * it left running in its group is terminated too, and when `signal` aborts the whole group is: SIGTERM,
 * then SIGKILL after `KILL_GRACE_MS`; the promise then rejects with `abortError(signal)`. Either way it
 * settles only once no process of the group is left, so nothing a task started outlives the task.
 * Rejects with `TaskExecutionError('SPAWN_FAILED')` when the executable cannot be started.
 */
export async function runProcessGroup(options: ProcessGroupOptions): Promise<ProcessExit> {
  const { signal } = options;
  if (signal.aborted) throw abortError(signal);

  const child = spawn(options.file, options.args, {
    cwd: options.cwd,
    env: options.env,
    detached: true, // its own process group, so one kill(-pgid) reaches every descendant that stayed in it
    stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  const pgid = child.pid;
  if (pgid === undefined) {
    const error = await new Promise<Error>((resolve) => child.once('error', resolve));
    throw new TaskExecutionError('SPAWN_FAILED', `could not start ${options.file}: ${error.message}`);
  }

  const guard = spawnGroupGuard(pgid);
  const stdout = new LineSplitter((line) => options.onStdoutLine(line), undefined, options.safeCut);
  const stderr = new LineSplitter((line) => options.onStderrLine(line), undefined, options.safeCut);
  // Both are pipes (stdio above), so Node always creates these streams.
  const stdoutPipe = child.stdout!;
  const stderrPipe = child.stderr!;
  stdoutPipe.on('data', (chunk: Buffer) => stdout.push(chunk));
  stderrPipe.on('data', (chunk: Buffer) => stderr.push(chunk));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const exited = new Promise<ProcessExit>((resolve, reject) => {
    child.once('exit', (code, killSignal) => resolve(toExit(code, killSignal)));
    child.once('error', reject);
  });
  if (child.stdin) {
    // A process that exits without reading its stdin makes the write fail with EPIPE; its exit code says more.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin);
  }

  let stopping: Promise<void> | undefined;
  const stopGroup = (): Promise<void> => (stopping ??= terminateGroup(pgid));
  const onAbort = (): void => void stopGroup();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const exit = await exited;
    const stoppedByAbort = signal.aborted;
    // The leader is done; background jobs it did not wait for would otherwise outlive the task.
    await stopGroup();
    await closedWithin(closed, CLOSE_WAIT_MS, () => {
      stdoutPipe.destroy();
      stderrPipe.destroy();
    });
    stdout.end();
    stderr.end();
    if (stoppedByAbort) throw abortError(signal);
    return exit;
  } catch (e: unknown) {
    await stopGroup(); // whatever went wrong, leave no process behind
    throw e;
  } finally {
    signal.removeEventListener('abort', onAbort);
    guard.kill('SIGKILL'); // the group is gone; the guard is no longer needed
  }
}

/**
 * A guard beside each task's process group: a shell that waits for its stdin to close, then kills the
 * group. This process holds the only other end of that pipe, so when it dies — SIGKILL included — the
 * kernel closes the pipe and the guard takes the task's processes with it: nothing a task started
 * outlives the worker that claimed it (and so its lease).
 */
function spawnGroupGuard(pgid: number): ChildProcess {
  const guard = spawn('/bin/sh', ['-c', 'while read -r _; do :; done; kill -KILL "-$0" 2>/dev/null', String(pgid)], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  guard.on('error', () => undefined);
  guard.stdin?.on('error', () => undefined);
  // Neither the guard nor its pipe may keep this process alive.
  guard.unref();
  (guard.stdin as Socket | null)?.unref();
  return guard;
}

function toExit(code: number | null, killSignal: NodeJS.Signals | null): ProcessExit {
  if (code !== null) return { exitCode: code, signal: null };
  const number = killSignal ? (constants.signals[killSignal] ?? 0) : 0;
  return { exitCode: 128 + number, signal: killSignal };
}

async function closedWithin(closed: Promise<void>, ms: number, onTimeout: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      onTimeout();
      resolve();
    }, ms);
  });
  await Promise.race([closed, timedOut]);
  clearTimeout(timer);
}

/** SIGTERM to the group, SIGKILL after the grace period if any member is still alive; settles when none is. */
async function terminateGroup(pgid: number): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return;
  const deadline = Date.now() + KILL_GRACE_MS;
  while (await groupAlive(pgid)) {
    if (Date.now() >= deadline) {
      signalGroup(pgid, 'SIGKILL');
      const killDeadline = Date.now() + AFTER_KILL_WAIT_MS;
      while (Date.now() < killDeadline && (await groupAlive(pgid))) await delay(POLL_MS);
      return;
    }
    await delay(POLL_MS);
  }
}

/** Signals every process of the group; false when the group no longer exists. */
function signalGroup(pgid: number, killSignal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, killSignal);
    return true;
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    return true; // EPERM: a member exists that we may not signal; it is alive all the same
  }
}

/**
 * Whether any process of the group still runs. `kill(-pgid, 0)` alone also counts zombies: orphans are
 * reparented to init, and an init that reaps lazily (containers, VMs) leaves dead members in the group
 * for a while. On Linux, /proc tells the dead from the living.
 */
async function groupAlive(pgid: number): Promise<boolean> {
  if (!signalGroup(pgid, 0)) return false;
  if (process.platform !== 'linux') return true;
  const entries = await readdir('/proc').catch(() => null);
  if (entries === null) return true;
  const states = await Promise.all(
    entries.filter((name) => /^\d+$/.test(name)).map((pid) => readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')),
  );
  return states.some((stat) => {
    // "pid (comm) state ppid pgrp …"; comm may hold spaces and parentheses, so read after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X';
  });
}
