import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/server.ts';
import { RunledgerClient } from '../../src/client/runledger-client.ts';

/**
 * `runledger execution export ID` and `runledger audit verify --archive FILE`: the real binary, the
 * first against a real server, the second offline (no server is reachable from its environment).
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'runledger.js');
const SPAWN_TIMEOUT = 60_000;

const PROCEDURE = {
  id: 'rotate_cert',
  name: 'Rotate a certificate',
  inputs: { host: { type: 'string', required: true } },
  doc: '# Rotate the certificate of {{ inputs.host }}',
  tasks: [{ id: 'rotate', type: 'manual', with: { description: 'Rotate it and attach the new fingerprint.' } }],
};

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

let tmp: string;
let dataDir: string;
let workDir: string;
let server: RunningServer;
let client: RunledgerClient;
let executionId: string;

function cli(args: string[], env: NodeJS.ProcessEnv = { RUNLEDGER_DATA_DIR: dataDir }): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: workDir,
        env: { PATH: process.env.PATH, HOME: tmp, XDG_CONFIG_HOME: path.join(tmp, 'config'), NO_COLOR: '1', ...env },
        timeout: SPAWN_TIMEOUT,
      },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runledger-export-cli-'));
  dataDir = path.join(tmp, 'data');
  workDir = path.join(tmp, 'work');
  fs.mkdirSync(workDir);
  const { loadConfig } = await import('../../src/config.ts');
  server = await startServer(
    loadConfig(
      { RUNLEDGER_ADMIN_PASSWORD: 'correct horse battery', RUNLEDGER_LOG_LEVEL: 'silent' },
      { dataDir, port: 0, host: '127.0.0.1' },
    ),
    { print: () => {} },
  );
  client = new RunledgerClient({ server: server.url, token: fs.readFileSync(path.join(dataDir, 'local-token'), 'utf8').trim() });
  await client.applyWorkflow(JSON.stringify(PROCEDURE), 'json');
  executionId = (await client.records.startProcedure('rotate_cert', { inputs: { host: 'mail-01' } })).executionId;
  const step = (await client.getExecution(executionId)).taskRuns[0]!;
  await client.attachments.upload(executionId, step.id, {
    file: new Blob(['SHA256 Fingerprint=4F:2A:19\n'], { type: 'text/plain' }),
    fileName: 'fingerprint.txt',
  });
  await client.records.update(executionId, { notes: 'rotated' });
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('runledger execution export and audit verify --archive', () => {
  it('saves the archive under its name, refuses to overwrite it, and verifies it offline', { timeout: SPAWN_TIMEOUT }, async () => {
    const exported = await cli(['execution', 'export', executionId]);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    const name = `runledger-execution-${executionId}.tar.gz`;
    expect(exported.stdout).toMatch(new RegExp(`^saved ${name} \\(.+, sha256 [0-9a-f]{64}\\)\\n$`));
    expect(fs.existsSync(path.join(workDir, name))).toBe(true);

    const again = await cli(['execution', 'export', executionId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`runledger: ${name}: file exists; pass --force to overwrite it, or -o to save it elsewhere\n`);

    // offline: no server, no credentials
    const offline = { RUNLEDGER_DATA_DIR: path.join(tmp, 'nowhere'), RUNLEDGER_SERVER: 'http://127.0.0.1:9' };
    const verified = await cli(['audit', 'verify', '--archive', name], offline);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(
      new RegExp(
        `^archive verified\\nexecution ${executionId}\\n\\d+ files, 1 evidence files, \\d+ audit events\\ncheckpoint signed by key [0-9a-f]{16}\\n$`,
      ),
    );
    const json = JSON.parse((await cli(['audit', 'verify', '--archive', name, '--json'], offline)).stdout) as {
      ok: boolean;
      executionId: string;
    };
    expect(json).toMatchObject({ ok: true, executionId });
  });

  it(
    'exits 1 naming what changed when the archive was altered, and with one line for a file that is not there',
    { timeout: SPAWN_TIMEOUT },
    async () => {
      const name = `runledger-execution-${executionId}.tar.gz`;
      // flip one byte of the evidence inside the (uncompressed) tar, then compress it again
      const tarBytes = zlib.gunzipSync(fs.readFileSync(path.join(workDir, name)));
      const at = tarBytes.indexOf('SHA256 Fingerprint=4F');
      expect(at).toBeGreaterThan(0);
      tarBytes[at + 20] = 'X'.charCodeAt(0);
      fs.writeFileSync(path.join(workDir, 'altered.tar.gz'), zlib.gzipSync(tarBytes));
      const altered = await cli(['audit', 'verify', '--archive', 'altered.tar.gz']);
      expect(altered.code).toBe(1);
      expect(altered.stdout).toMatch(/^archive verification FAILED\n/);
      expect(altered.stdout).toMatch(/attachments\/[0-9a-f-]{36}: its sha256 differs from the manifest's/);

      const missing = await cli(['audit', 'verify', '--archive', 'missing.tar.gz']);
      expect(missing).toEqual({ code: 1, stdout: '', stderr: 'runledger: missing.tar.gz: no such file\n' });

      const unknown = await cli(['execution', 'export', '01a23acf-02ee-7134-b298-fd21985660a5']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/^runledger: .*01a23acf-02ee-7134-b298-fd21985660a5.*\n$/);
    },
  );
});
