import { spawn } from 'node:child_process';
import path from 'node:path';

/** The real binary, as `npm install` leaves it: bin/runledger.js running the compiled dist/cli. */
export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'bin', 'runledger.js');

export interface SpawnedCli {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Node options before the script (`--import …`). */
  nodeArgs?: string[];
  /** Close the read end of stdout at once: a reader that stops early (`| head -1`). */
  closeStdout?: boolean;
}

/** Runs `runledger ARGS…` as a subprocess and waits for it to end. */
export function spawnCli(args: string[], options: SpawnOptions): Promise<SpawnedCli> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), BIN, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    if (options.closeStdout) child.stdout.destroy();
    else child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
