import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { waitFor } from './wait-for.ts';

/**
 * Runledger as real processes: the CLI binary started as `serve` or `worker`, waited for, called over
 * HTTP, and ended after the test whatever happened; and what the kernel says about processes (their
 * children, whether they still run, their resident memory).
 */

/** The CLI as users run it (it loads dist/cli, built before the tests). */
export const RUNLEDGER_BIN = path.resolve('bin/runledger.js');

/** The admin password every process started here is given. */
export const ADMIN_PASSWORD = 'correct horse battery';

/** The environment of a Runledger process on `dataDir`: the admin password and silent logs, then `extra`. */
export function runledgerEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    RUNLEDGER_DATA_DIR: dataDir,
    RUNLEDGER_ADMIN_PASSWORD: ADMIN_PASSWORD,
    RUNLEDGER_LOG_LEVEL: 'silent',
    ...extra,
  };
}

/** Runs `runledger <args>` to its end and answers its exit status and output. */
export function runCli(args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number }): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [RUNLEDGER_BIN, ...args], {
    env: options.env,
    encoding: 'utf8',
    ...(options.cwd !== undefined && { cwd: options.cwd }),
    ...(options.timeoutMs !== undefined && { timeout: options.timeoutMs }),
  });
}

/** A server that listens: its process, its URL and the local admin token it wrote. */
export interface ServerProcess {
  child: ChildProcess;
  url: string;
  token: string;
}

/**
 * The child processes a test starts, to be ended after it whatever happened. A process's output is
 * kept and printed when it exits with an error of its own (not by a signal): often the only clue to
 * why the test waited in vain.
 */
export class Processes {
  private readonly children: ChildProcess[] = [];
  private readonly outputs = new Map<ChildProcess, () => string>();

  /** Starts `runledger <args>`. */
  launch(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
    const child = spawn(process.execPath, [RUNLEDGER_BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    child.on('exit', (code, signal) => {
      if (code !== 0 && code !== null && signal === null) console.error(`runledger ${args[0]} exited ${code}: ${output}`);
    });
    this.children.push(child);
    this.outputs.set(child, () => output);
    return child;
  }

  /**
   * Starts `runledger serve --port 0` (then `args`) on the data directory of `env` and waits until it
   * listens (failing with its output when it does not). A server.json left there by an earlier process
   * is removed first: the URL is the new one's.
   */
  async startServer(env: NodeJS.ProcessEnv, options: { args?: string[]; what?: string; timeoutMs?: number } = {}): Promise<ServerProcess> {
    const dataDir = env.RUNLEDGER_DATA_DIR;
    if (dataDir === undefined) throw new Error('startServer needs RUNLEDGER_DATA_DIR in its environment');
    fs.rmSync(path.join(dataDir, 'server.json'), { force: true });
    const child = this.launch(['serve', '--port', '0', ...(options.args ?? [])], env);
    const url = await waitForServerUrl(dataDir, options.what, options.timeoutMs).catch((e: unknown) => {
      throw new Error(`${String(e)}; server output: ${this.outputs.get(child)?.()}`);
    });
    return { child, url, token: localToken(dataDir) };
  }

  /** Kills every process with SIGKILL (continuing a stopped one first) and waits until they are gone. */
  async killAll(): Promise<void> {
    const exits = this.children.filter(isRunning).map(exited);
    for (const child of this.children) {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    }
    await Promise.all(exits);
  }

  /** Stops every process still running with SIGTERM, as an operator would, and waits until they exit. */
  async stopAll(): Promise<void> {
    const running = this.children.filter(isRunning);
    const exits = running.map(exited);
    for (const child of running) child.kill('SIGTERM');
    await Promise.all(exits);
  }
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** The URL the server on `dataDir` writes to server.json once it listens. */
export function waitForServerUrl(dataDir: string, what = 'the server to listen', timeoutMs?: number): Promise<string> {
  const file = path.join(dataDir, 'server.json');
  return waitFor(
    () => (fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { url: string }).url : undefined),
    what,
    timeoutMs,
  );
}

/** The local admin token a server wrote to its data directory. */
export function localToken(dataDir: string): string {
  return fs.readFileSync(path.join(dataDir, 'local-token'), 'utf8').trim();
}

/** A request to the API with a JSON body (when given): its status and its JSON answer. */
export type ApiCall = (method: string, route: string, body?: unknown) => Promise<{ status: number; body: Record<string, unknown> }>;

/** Requests to the server at `serverUrl` (or wherever it is now, for one that restarts) as the bearer of `token`. */
export function apiCaller(serverUrl: string | (() => string), token: string): ApiCall {
  return async (method, route, body) => {
    const res = await fetchApi(serverUrl, token, method, route, body);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
}

/** Like `apiCaller`, but answers the JSON body alone and throws on a status of 300 or more. */
export function okApiCaller(serverUrl: string, token: string): <T>(method: string, route: string, body?: unknown) => Promise<T> {
  return async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    const res = await fetchApi(serverUrl, token, method, route, body);
    if (res.status >= 300) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
}

function fetchApi(serverUrl: string | (() => string), token: string, method: string, route: string, body: unknown): Promise<Response> {
  const base = typeof serverUrl === 'string' ? serverUrl : serverUrl();
  return fetch(`${base}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
}

// --- what the kernel says ---

/** The pids of the children of `pid`, from /proc. */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Whether the process runs (or is stopped): it exists and is neither a zombie nor dead. */
export function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Whether any process of the group `pgid` is left (signal 0 to the group). */
export function processGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The resident set of a process, from the kernel's own accounting. */
export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/**
 * The resident set of `pid` while `action` runs: sampled every 20 ms from a baseline taken after half
 * a second's settling, and once more at the end.
 */
export async function measureRss<T>(
  pid: number,
  action: () => Promise<T>,
): Promise<{ result: T; baselineBytes: number; peakBytes: number }> {
  await new Promise((r) => setTimeout(r, 500));
  const baselineBytes = rssBytes(pid);
  let peakBytes = baselineBytes;
  const sampler = setInterval(() => (peakBytes = Math.max(peakBytes, rssBytes(pid))), 20);
  let result: T;
  try {
    result = await action();
  } finally {
    clearInterval(sampler);
  }
  peakBytes = Math.max(peakBytes, rssBytes(pid));
  return { result, baselineBytes, peakBytes };
}
