import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/server.ts';
import { RunledgerClient } from '../../src/client/runledger-client.ts';
import type { ExecutionDetail } from '../../src/client/types.ts';
import { loadConfig } from '../../src/config.ts';

/**
 * The real binary against a real server: `node bin/runledger.js …` as a subprocess, talking to a
 * server started in this process. The subprocess gets no RUNLEDGER_SERVER/RUNLEDGER_TOKEN: it finds
 * the server through `<data dir>/server.json` and `<data dir>/local-token`, as on a developer's machine.
 * The tests share one server and run in order: later ones use the workflows applied by earlier ones.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'runledger.js');
const HELLO = path.join(ROOT, 'examples', 'hello.yaml');
const ADMIN_PASSWORD = 'correct horse battery';
const MEMBER_PASSWORD = 'member password 1';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SPAWN_TIMEOUT = 60_000;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

let tmp: string;
let dataDir: string;
let workDir: string;
let homeDir: string;
let server: RunningServer;
let client: RunledgerClient;

function baseEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: homeDir,
    XDG_CONFIG_HOME: path.join(homeDir, '.config'),
    RUNLEDGER_DATA_DIR: dataDir,
    NO_COLOR: '1',
  };
}

/** Runs the binary in the work directory (where the test's definition files are). */
function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: workDir, env: { ...baseEnv(), ...env }, timeout: SPAWN_TIMEOUT },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A user error: exit 1 and exactly one line on stderr, `runledger: …`, never a stack trace. */
function expectOneLineError(result: CliResult, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(1);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^runledger: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

async function waitForStatus(id: string, wanted: ExecutionDetail['status']): Promise<ExecutionDetail> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const execution = await client.getExecution(id);
    if (execution.status === wanted) return execution;
    if (Date.now() > deadline) throw new Error(`execution ${id} is ${execution.status}, not ${wanted}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const FAILING_YAML = `id: failing
name: Fails on purpose
tasks:
  - id: boom
    type: shell
    with: { command: "exit 3" }
  - id: after
    type: log
    needs: [boom]
    with: { message: "never logged" }
`;

const SLEEPY_JSON = JSON.stringify({ id: 'sleepy', name: 'Sleeps', tasks: [{ id: 'nap', type: 'sleep', with: { duration: '30s' } }] });

const MANUAL_YAML = `id: manual_check
name: Manual check
tasks:
  - id: confirm
    type: manual
    with: { description: "Confirm the dashboard is green." }
  - id: done
    type: log
    needs: [confirm]
    with: { message: "confirmed" }
`;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runledger-cli-'));
  dataDir = path.join(tmp, 'data');
  workDir = path.join(tmp, 'work');
  homeDir = path.join(tmp, 'home');
  fs.mkdirSync(workDir);
  fs.mkdirSync(homeDir);
  fs.writeFileSync(path.join(workDir, 'failing.yaml'), FAILING_YAML);
  fs.writeFileSync(path.join(workDir, 'sleepy.json'), SLEEPY_JSON);
  // no extension: the format is detected from the content
  fs.writeFileSync(path.join(workDir, 'manual-check'), MANUAL_YAML);
  fs.writeFileSync(path.join(workDir, 'inputs.yaml'), 'name: Grace\n');

  const config = loadConfig(
    { RUNLEDGER_ADMIN_PASSWORD: ADMIN_PASSWORD, RUNLEDGER_LOG_LEVEL: 'silent' },
    { dataDir, port: 0, host: '127.0.0.1' },
  );
  server = await startServer(config, { print: () => {} });
  client = new RunledgerClient({ server: server.url, token: fs.readFileSync(path.join(dataDir, 'local-token'), 'utf8').trim() });
});

afterAll(async () => {
  await server?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('runledger CLI against a real server', () => {
  it('applies YAML and JSON definitions, idempotently, and lists them', { timeout: SPAWN_TIMEOUT }, async () => {
    const [hello, failing, sleepy, manual] = await Promise.all([
      cli(['workflow', 'apply', HELLO]),
      cli(['workflow', 'apply', 'failing.yaml']),
      cli(['workflow', 'apply', 'sleepy.json']),
      cli(['workflow', 'apply', 'manual-check']),
    ]);
    expect(hello).toEqual({ code: 0, stdout: 'workflow hello: created version 1\n', stderr: '' });
    expect(failing.stdout).toBe('workflow failing: created version 1\n');
    expect(sleepy.stdout).toBe('workflow sleepy: created version 1\n');
    expect(manual.stdout).toBe('workflow manual_check: created version 1\n');

    fs.writeFileSync(path.join(workDir, 'failing-v2.yaml'), FAILING_YAML.replace('Fails on purpose', 'Fails, version two'));
    const [again, changed, list] = await Promise.all([
      cli(['workflow', 'apply', HELLO]),
      cli(['workflow', 'apply', 'failing-v2.yaml']),
      cli(['workflow', 'list']),
    ]);
    expect(again.stdout).toBe('workflow hello: unchanged (version 1)\n');
    expect(changed.stdout).toBe('workflow failing: new version 2\n');
    expect(list.code).toBe(0);
    const rows = list.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^ID\s+NAME\s+LATEST VERSION\s+UPDATED$/);
    expect(rows.find((r) => r.startsWith('hello '))).toMatch(/^hello\s+Hello, world\s+1\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    expect(rows.map((r) => r.split(/\s+/)[0])).toEqual(expect.arrayContaining(['failing', 'sleepy', 'manual_check']));
  });

  let helloExecutionId: string;

  it(
    'run --wait exits 0 when the execution completes and 1 when it fails; --json prints the start',
    { timeout: SPAWN_TIMEOUT },
    async () => {
      const [ok, failed, json] = await Promise.all([
        cli(['workflow', 'run', 'hello', '--input', 'name=Ada', '--wait', '--poll-interval', '100']),
        cli(['workflow', 'run', 'failing', '--wait', '--poll-interval', '100']),
        cli(['workflow', 'run', 'hello', '--inputs-file', 'inputs.yaml', '--title', 'from a file', '--json']),
      ]);

      expect(ok.code, ok.stderr).toBe(0);
      const okLines = ok.stdout.trimEnd().split('\n');
      helloExecutionId = okLines[0]!;
      expect(helloExecutionId).toMatch(UUID);
      expect(okLines[1]).toMatch(/^completed in \d+(ms|\.\ds)$/);
      expect(okLines[2]).toMatch(/^TASK\s+TYPE\s+ATTEMPT\s+STATUS\s+DURATION\s+ERROR$/);
      expect(okLines[3]).toMatch(/^greet\s+shell\s+1\s+succeeded\s+\d+m?s$/);
      expect(okLines[4]).toMatch(/^announce\s+log\s+1\s+succeeded/);

      expect(failed.code).toBe(1);
      expect(failed.stderr).toBe('');
      expect(failed.stdout).toMatch(/^failed in .*code 3/m);
      expect(failed.stdout).toMatch(/^boom\s+shell\s+1\s+failed\s+\S+\s+command exited with code 3$/m);
      expect(failed.stdout).toMatch(/^after\s+log\s+1\s+skipped/m);

      expect(json.code, json.stderr).toBe(0);
      const started = JSON.parse(json.stdout) as { executionId: string; status: string };
      expect(started.executionId).toMatch(UUID);
      const fromFile = await client.waitForExecution(started.executionId, { pollMs: 100, timeoutMs: 20_000 });
      expect(fromFile).toMatchObject({ status: 'completed', title: 'from a file', trigger: 'cli', inputs: { name: 'Grace' } });
    },
  );

  it('lists, shows and cancels executions', { timeout: SPAWN_TIMEOUT }, async () => {
    const run = await cli(['workflow', 'run', 'sleepy', '--title', 'a long nap']);
    expect(run.code, run.stderr).toBe(0);
    const sleepyId = run.stdout.trim();
    expect(sleepyId).toMatch(UUID);
    await waitForStatus(sleepyId, 'running');

    const [cancel, list, page, show, showJson, inspect] = await Promise.all([
      cli(['execution', 'cancel', sleepyId, '--reason', 'no time to sleep']),
      cli(['execution', 'list', '--workflow', 'hello']),
      cli(['execution', 'list', '--json', '--limit', '1']),
      cli(['execution', 'show', helloExecutionId]),
      cli(['execution', 'show', helloExecutionId, '--json']),
      cli(['workflow', 'execution', 'inspect', helloExecutionId, '--show-inputs', '--timeline', '--no-truncate']),
    ]);
    expect(cancel).toEqual({ code: 0, stdout: `execution ${sleepyId}: cancelled\n`, stderr: '' });

    expect(list.code, list.stderr).toBe(0);
    const rows = list.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^ID\s+TITLE\s+PROCEDURE\s+EXECUTOR\s+STATUS\s+STARTED$/);
    expect(rows.slice(1)).toHaveLength(2);
    expect(rows.slice(1).every((r) => /^\S{36}\s+(-|from a file)\s+Hello, world v1\s+admin\s+completed\s+\S+ \S+Z$/.test(r))).toBe(true);
    expect(list.stdout).toContain(helloExecutionId);

    const firstPage = JSON.parse(page.stdout) as { items: unknown[]; nextCursor: string | null };
    expect(firstPage.items).toHaveLength(1);
    expect(firstPage.nextCursor).toMatch(UUID);

    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(new RegExp(`^Execution\\s+${helloExecutionId}$`, 'm'));
    expect(show.stdout).toMatch(/^Workflow\s+hello \(version 1\)$/m);
    expect(show.stdout).toMatch(/^Status\s+completed$/m);
    expect(show.stdout).toMatch(/^Inputs\s+name \(values: --show-inputs\)$/m);
    expect(show.stdout).toMatch(/^greet\s+shell\s+1\s+succeeded/m);

    expect(inspect.code, inspect.stderr).toBe(0);
    expect(inspect.stdout).toMatch(/^Inputs\nname\s+Ada$/m);
    expect(inspect.stdout).toMatch(/^Timeline\n.*\+\S+\ngreet\s+█[█·]+\s+\S+\s+succeeded$/m);
    expect(inspect.stdout).toMatch(/^ {4}stdout: Hello, Ada!$/m);

    const full = JSON.parse(showJson.stdout) as ExecutionDetail;
    expect(full.id).toBe(helloExecutionId);
    expect(full.taskRuns.find((r) => r.taskId === 'greet')?.output).toMatchObject({ stdout: expect.stringContaining('Hello, Ada!') });

    const cancelled = await cli(['execution', 'show', sleepyId]);
    expect(cancelled.stdout).toMatch(/^Status\s+cancelled$/m);
    expect(cancelled.stdout).toMatch(/^Title\s+a long nap$/m);
    expect(cancelled.stdout).toMatch(/^nap\s+sleep\s+1\s+cancelled\s+\S+\s+\S+ \S+Z\s+\S+ \S+Z$/m);
    expect(cancelled.stdout).toMatch(/^nap #1 cancelled\n {2}error: no time to sleep \(\w+\)$/m);
  });

  it('completes a waiting manual step named by its task id', { timeout: SPAWN_TIMEOUT }, async () => {
    const run = await cli(['workflow', 'run', 'manual_check']);
    const id = run.stdout.trim();
    expect(id).toMatch(UUID);
    const waiting = await waitForStatus(id, 'waiting');
    const stepRun = waiting.taskRuns.find((r) => r.taskId === 'confirm')!;

    const done = await cli(['execution', 'complete-step', id, 'confirm', '--status', 'succeeded', '--notes', 'dashboard is green']);
    expect(done).toEqual({ code: 0, stdout: `step confirm (task run ${stepRun.id}): succeeded\n`, stderr: '' });
    const ended = await client.waitForExecution(id, { pollMs: 100, timeoutMs: 20_000 });
    expect(ended.status).toBe('completed');
    expect(ended.taskRuns.find((r) => r.taskId === 'confirm')).toMatchObject({ status: 'succeeded', notes: 'dashboard is green' });
  });

  it(
    'follows a procedure: start, attach evidence, complete, end the record, get the evidence back',
    { timeout: SPAWN_TIMEOUT },
    async () => {
      const start = await cli(['procedure', 'start', 'manual_check', '--title', 'Morning check', '--json']);
      expect(start.code, start.stderr).toBe(0);
      const { executionId: id, title } = JSON.parse(start.stdout) as { executionId: string; title: string };
      expect(title).toBe('Morning check');
      await waitForStatus(id, 'running');
      const evidence = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
      fs.writeFileSync(path.join(workDir, 'panel.bin'), evidence);

      // not a terminal: no progress bar, stderr stays empty
      const attach = await cli(['step', 'attach', id, 'confirm', 'panel.bin', '--json']);
      expect(attach.stderr).toBe('');
      expect(attach.code).toBe(0);
      const attachment = JSON.parse(attach.stdout) as { id: string; sizeBytes: number; fileName: string };
      expect(attachment).toMatchObject({ fileName: 'panel.bin', sizeBytes: evidence.length });

      const complete = await cli(['step', 'complete', id, 'confirm', '--notes', 'all green']);
      expect(complete).toEqual({ code: 0, stdout: expect.stringMatching(/^step confirm \(task run \S+\): succeeded\n$/), stderr: '' });
      // the log task after the manual step runs on its own; the record stays running until a person ends it
      const deadline = Date.now() + 20_000;
      while (!(await client.getExecution(id)).taskRuns.every((r) => r.status === 'succeeded') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const [ended, get, missing] = await Promise.all([
        cli(['execution', 'update', id, '--complete']),
        cli(['attachment', 'get', attachment.id, '-o', 'panel-copy.bin']),
        cli(['step', 'attach', id, 'confirm', 'no-such-file.png']),
      ]);
      expect(ended).toEqual({ code: 0, stdout: `execution ${id}: completed\n`, stderr: '' });
      expect(get.code, get.stderr).toBe(0);
      expect(fs.readFileSync(path.join(workDir, 'panel-copy.bin')).equals(evidence)).toBe(true);
      expectOneLineError(missing, /^runledger: no-such-file\.png: no such file$/);
    },
  );

  it('verifies and streams the audit trail through stdout, with exit codes', { timeout: SPAWN_TIMEOUT }, async () => {
    const [verified, exported, missing] = await Promise.all([
      cli(['audit', 'verify']),
      cli(['audit', 'export']),
      cli(['audit', 'verify', '--checkpoint', 'missing.json']),
    ]);
    expect(verified).toEqual({
      code: 0,
      stdout: expect.stringMatching(/^audit verified: \d+ chains, \d+ events, \d+ checkpoints\n$/),
      stderr: '',
    });
    expect(exported.code, exported.stderr).toBe(0);
    const events = exported.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { subjectId: string; eventType: string });
    expect(events).toContainEqual(expect.objectContaining({ subjectId: helloExecutionId, eventType: 'CREATED' }));
    expectOneLineError(missing, /^runledger: missing\.json: no such file$/);
  });

  it('answers bad input with exit 1 and one line on stderr', { timeout: SPAWN_TIMEOUT }, async () => {
    const [unknownExecution, malformedInput, unknownCommand, missingFile, badFilter, noPassword, badLimit] = await Promise.all([
      cli(['execution', 'show', '01900000-0000-7000-8000-000000000000']),
      cli(['workflow', 'run', 'hello', '--input', 'name']),
      cli(['frobnicate']),
      cli(['workflow', 'apply', 'missing.yaml']),
      cli(['execution', 'list', '--status', 'finished']),
      cli(['login', '--username', 'admin']),
      cli(['execution', 'list', '--limit', 'many']),
    ]);
    expectOneLineError(unknownExecution, /^runledger: Execution 01900000-0000-7000-8000-000000000000 not found \(EXECUTION_NOT_FOUND\)$/);
    expectOneLineError(malformedInput, /--input "name": expected key=value/);
    expectOneLineError(unknownCommand, /unknown command 'frobnicate'/);
    expectOneLineError(missingFile, /missing\.yaml: no such file/);
    expectOneLineError(badFilter, /status.*must be among.*\(VALIDATION_FAILED\)/);
    expectOneLineError(noPassword, /--password is required when there is no terminal/);
    expectOneLineError(badLimit, /--limit.*positive whole number/);
    for (const r of [unknownExecution, malformedInput, unknownCommand, missingFile]) expect(r.stdout).toBe('');
  });

  it('login stores credentials (0600) that later commands use without a local server', { timeout: SPAWN_TIMEOUT }, async () => {
    // An empty data directory: no server.json, no local-token; only the stored credentials can help.
    const elsewhere = { RUNLEDGER_DATA_DIR: path.join(tmp, 'empty') };
    const login = await cli(['login', '--username', 'admin', '--password', ADMIN_PASSWORD, '--server', server.url], elsewhere);
    expect(login).toEqual({ code: 0, stdout: `Logged in to ${server.url} as admin\n`, stderr: '' });

    const file = path.join(homeDir, '.config', 'runledger', 'credentials.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { server: string; token: string };
    expect(stored.server).toBe(server.url);

    const list = await cli(['workflow', 'list', '--json'], elsewhere);
    expect(list.code, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as { id: string }[]).map((w) => w.id)).toContain('hello');
  });

  it(
    'a member signs in, reads an execution shared with their group until removed, and may not manage users',
    { timeout: SPAWN_TIMEOUT },
    async () => {
      const member = { XDG_CONFIG_HOME: path.join(tmp, 'erin-config'), RUNLEDGER_DATA_DIR: path.join(tmp, 'empty') };
      const [created, noPassword] = await Promise.all([
        cli(['user', 'create', 'erin', '--password', MEMBER_PASSWORD]),
        cli(['user', 'create', 'frank']),
      ]);
      expect(created).toEqual({ code: 0, stdout: 'user erin: created (member)\n', stderr: '' });
      expectOneLineError(noPassword, /^runledger: --password is required when there is no terminal to ask on$/);

      const erin = (await client.admin.listUsers()).find((u) => u.username === 'erin')!;
      const group = await client.admin.createGroup('readers');
      await client.admin.addGroupMember(group.id, erin.id);
      await client.setShares(helloExecutionId, { scope: 'shared', groups: ['readers'] });

      const login = await cli(['login', '--username', 'erin', '--password', MEMBER_PASSWORD, '--server', server.url], member);
      expect(login).toEqual({ code: 0, stdout: `Logged in to ${server.url} as erin\n`, stderr: '' });
      const [show, users] = await Promise.all([cli(['execution', 'show', helloExecutionId], member), cli(['user', 'list'], member)]);
      expect(show.code, show.stderr).toBe(0);
      expect(show.stdout).toMatch(new RegExp(`^Execution\\s+${helloExecutionId}$`, 'm'));
      expectOneLineError(users, /^runledger: This needs the admin role \(FORBIDDEN\)$/);

      // effective on the next request: no new login needed
      await client.admin.removeGroupMember(group.id, erin.id);
      expectOneLineError(await cli(['execution', 'show', helloExecutionId], member), /\(EXECUTION_NOT_FOUND\)$/);
    },
  );

  it('db migrate and rollback work on the store directly', { timeout: SPAWN_TIMEOUT }, async () => {
    const fresh = path.join(tmp, 'fresh-data');
    const migrate = await cli(['db', 'migrate', '--data-dir', fresh]);
    expect(migrate.code, migrate.stderr).toBe(0);
    const applied = migrate.stdout.trimEnd().split('\n');
    expect(applied[0]).toMatch(/^applied 0001-/);
    expect(applied.every((l) => l.startsWith('applied '))).toBe(true);
    expect(fs.existsSync(path.join(fresh, 'runledger.db'))).toBe(true);

    const rollback = await cli(['db', 'rollback'], { RUNLEDGER_DATA_DIR: fresh });
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(rollback.stdout).toBe(`${applied.at(-1)!.replace('applied', 'rolled back')}\n`);
  });

  it('serve listens, announces its URL, and exits 0 on SIGTERM', { timeout: SPAWN_TIMEOUT }, async () => {
    const serveData = path.join(tmp, 'serve-data');
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', serveData], {
      cwd: workDir,
      env: { ...baseEnv(), RUNLEDGER_LOG_LEVEL: 'silent', RUNLEDGER_ADMIN_PASSWORD: ADMIN_PASSWORD },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let stdout = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        // both lines: they may come in separate chunks
        const match = /Runledger listening on (\S+)\nData: .*\n/.exec(stdout);
        if (match) resolve(match[1]!);
      });
      void exited.then((code) => reject(new Error(`serve exited early with ${code}: ${stdout}`)));
    });
    try {
      expect(stdout).toContain(`Data: ${serveData}`);
      expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
      expect(JSON.parse(fs.readFileSync(path.join(serveData, 'server.json'), 'utf8'))).toMatchObject({ url });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(fs.existsSync(path.join(serveData, 'server.json'))).toBe(false);
  });
});
