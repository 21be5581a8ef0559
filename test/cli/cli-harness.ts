import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../../src/api/server.ts';
import { RunledgerClient } from '../../src/client/runledger-client.ts';
import { main } from '../../src/cli/main.ts';
import { loadConfig } from '../../src/config.ts';
import { localToken } from '../support/processes.ts';

/**
 * `main()` called in this process against a real server, with its own environment and captured
 * output: the many output paths at a fraction of a subprocess's cost (cli.test.ts covers the binary,
 * its exit codes and its stdio). Nothing is mocked; only process.env/cwd/stdout are not used.
 */
export const ADMIN_PASSWORD = 'correct horse battery';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  tty?: boolean;
}

export interface CliHarness {
  /** The working directory of every run; removed by `close`. */
  tmp: string;
  /** The server's data directory. */
  dataDir: string;
  server: RunningServer;
  /** The first administrator, through the local token. */
  client: RunledgerClient;
  /**
   * `runledger ARGS…` in process. By default it finds the server and the admin's token as a CLI on
   * the server's machine does (`<data dir>/server.json`, `local-token`); `env` overrides that.
   */
  run(args: string[], options?: RunOptions): Promise<CliRun>;
  close(): Promise<void>;
}

/** `serverEnv`: more settings of the server (e.g. ATTACHMENT_STORAGE_TYPE=s3), as environment variables. */
export async function startCliHarness(prefix: string, options: { serverEnv?: Record<string, string> } = {}): Promise<CliHarness> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const dataDir = path.join(tmp, 'data');
  const homeDir = path.join(tmp, 'home');
  const server = await startServer(
    loadConfig(
      { RUNLEDGER_ADMIN_PASSWORD: ADMIN_PASSWORD, RUNLEDGER_LOG_LEVEL: 'silent', ...options.serverEnv },
      { dataDir, port: 0, host: '127.0.0.1' },
    ),
    { print: () => {} },
  );
  const client = new RunledgerClient({ server: server.url, token: localToken(dataDir) });

  async function run(args: string[], options: RunOptions = {}): Promise<CliRun> {
    let stdout = '';
    let stderr = '';
    const env = {
      HOME: homeDir,
      XDG_CONFIG_HOME: path.join(homeDir, '.config'),
      RUNLEDGER_DATA_DIR: dataDir,
      NO_COLOR: '1',
      ...options.env,
    };
    const code = await main(['node', 'runledger', ...args], {
      env,
      cwd: tmp,
      stdout: { write: (t: string) => (stdout += t), isTTY: options.tty ?? false },
      stderr: { write: (t: string) => (stderr += t) },
    });
    return { code, stdout, stderr };
  }

  return {
    tmp,
    dataDir,
    server,
    client,
    run,
    async close() {
      await server.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}
