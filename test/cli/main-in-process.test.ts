import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/api/server.ts';
import { ApiError } from '../../src/client/api-error.ts';
import type { RunledgerClient } from '../../src/client/runledger-client.ts';
import type { ExecutionDetail } from '../../src/client/types.ts';
import { CliError, describeError } from '../../src/cli/cli-error.ts';
import { formatDuration, formatTimestamp } from '../../src/cli/render/format.ts';
import { ADMIN_PASSWORD, startCliHarness, type CliHarness, type CliRun, type RunOptions } from './cli-harness.ts';

/** Workflows, executions, login and db through `main()` in process (cli-harness.ts). */
let harness: CliHarness;
let tmp: string;
let server: RunningServer;
let client: RunledgerClient;

function run(args: string[], options?: RunOptions): Promise<CliRun> {
  return harness.run(args, options);
}

function write(name: string, content: string): string {
  fs.writeFileSync(path.join(tmp, name), content);
  return name;
}

async function waitFor(id: string, done: (e: ExecutionDetail) => boolean): Promise<ExecutionDetail> {
  for (let i = 0; i < 200; i++) {
    const e = await client.getExecution(id);
    if (done(e)) return e;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`execution ${id} did not get there`);
}

beforeAll(async () => {
  harness = await startCliHarness('runledger-main-');
  ({ tmp, server, client } = harness);
});

afterAll(async () => {
  await harness?.close();
});

describe('main() in process', () => {
  it('prints help and version with exit 0, and usage errors as one line with exit 1', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: runledger');
    expect(help.stdout).toMatch(/workflow\s+Workflow definitions and runs/);
    expect((await run(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(await run(['execution', 'complete-step', 'x', 'y'])).toMatchObject({
      code: 1,
      stderr: "runledger: required option '--status <status>' not specified\n",
    });
    expect(await run(['workflow', 'list', '--bogus'])).toMatchObject({ code: 1, stderr: "runledger: unknown option '--bogus'\n" });
  });

  it('applies, lists and runs workflows', async () => {
    expect((await run(['workflow', 'list'])).stdout).toBe('No workflows yet; add one with "runledger workflow apply FILE".\n');
    const yaml =
      'id: greet\nname: Greet\ninputs:\n  who: { type: string, required: true }\n  times: { type: integer, default: 1 }\ntasks:\n  - id: say\n    type: log\n    with: { message: "hi {{ inputs.who }} x{{ inputs.times }}" }\n';
    expect((await run(['workflow', 'apply', write('greet.yml', yaml)])).stdout).toBe('workflow greet: created version 1\n');
    const applied = JSON.parse(
      (
        await run([
          'workflow',
          'apply',
          write(
            'greet.def',
            JSON.stringify({
              id: 'greet',
              name: 'Greet v2',
              inputs: { who: { type: 'string' } },
              tasks: [{ id: 'say', type: 'log', with: { message: '{{ inputs.who }}' } }],
            }),
          ),
          '--json',
        ])
      ).stdout,
    );
    expect(applied).toMatchObject({ id: 'greet', version: 2, changed: true, created: false });
    expect(await run(['workflow', 'apply', write('bad.yaml', 'name: no id\n')])).toMatchObject({
      code: 1,
      stderr: 'runledger: The definition has no "id" (a string such as deploy_service) (INVALID_DEFINITION)\n',
    });
    expect(
      (await run(['workflow', 'apply', write('invalid.yaml', 'id: broken\nname: B\ntasks: [{ id: t, type: teleport }]\n')])).stderr,
    ).toMatch(/^runledger: .*\(INVALID_DEFINITION\)\n$/);

    const list = JSON.parse((await run(['workflow', 'list', '--json'])).stdout) as { id: string; latestVersion: number }[];
    expect(list).toEqual([expect.objectContaining({ id: 'greet', latestVersion: 2 })]);

    write('inputs.json', JSON.stringify({ who: 'file', times: 2 }));
    const waited = await run([
      'workflow',
      'run',
      'greet',
      '--version',
      '1',
      '--inputs-file',
      'inputs.json',
      '--input',
      'who=Ada',
      '--title',
      'T',
      '--correlation-id',
      'c-1',
      '--wait',
      '--json',
      '--poll-interval',
      '50',
    ]);
    expect(waited.code, waited.stderr).toBe(0);
    expect(JSON.parse(waited.stdout)).toMatchObject({
      status: 'completed',
      workflowVersion: 1,
      title: 'T',
      correlationId: 'c-1',
      inputs: { who: 'Ada', times: 2 },
    });

    const missing = await run(['workflow', 'run', 'greet', '--version', '1', '--wait']);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toMatch(/^runledger: .*who.*\(INVALID_INPUTS\)\n$/);
    expect(await run(['workflow', 'run', 'greet', '--inputs-file', write('list.yaml', '- a\n- b\n')])).toMatchObject({
      code: 1,
      stderr: 'runledger: list.yaml: input set 0 is not a mapping of input names to values\n',
    });
    expect(await run(['workflow', 'run', 'nope'])).toMatchObject({
      code: 1,
      stderr: 'runledger: Workflow "nope" not found (WORKFLOW_NOT_FOUND)\n',
    });
  });

  it('lists, shows, cancels and completes steps, with colours only on a terminal', async () => {
    await client.applyWorkflow(
      'id: gate\nname: Gate\ntasks:\n  - id: approve\n    type: manual\n  - id: nap\n    type: sleep\n    needs: [approve]\n    with: { duration: 20s }\n',
      'yaml',
    );
    const first = (await client.runWorkflow('gate')).executionId;
    const second = (await client.runWorkflow('gate')).executionId;
    const waiting = await waitFor(first, (e) => e.status === 'waiting');
    await waitFor(second, (e) => e.status === 'waiting');

    expect((await run(['execution', 'list', '--workflow', 'none'])).stdout).toBe('No executions match.\n');
    const page = await run([
      'execution',
      'list',
      '--workflow',
      'gate',
      '--status',
      'waiting,running',
      '--limit',
      '1',
      '--since',
      '2000-01-01',
      '--until',
      '2999-01-01',
    ]);
    expect(page.stdout).toContain(second);
    expect(page.stdout).toContain(`More: runledger execution list --cursor ${second} (with the same filters)`);
    const coloured = await run(['execution', 'list', '--workflow', 'gate'], { tty: true, env: { NO_COLOR: '' } });
    expect(coloured.stdout).toContain('\u001b[33mwaiting\u001b[39m');
    expect((await run(['execution', 'list', '--workflow', 'gate'], { tty: true })).stdout).not.toContain('\u001b[');

    const unknownTask = await run(['execution', 'complete-step', first, 'teleport', '--status', 'succeeded']);
    expect(unknownTask).toMatchObject({
      code: 1,
      stderr: `runledger: execution ${first} has no task run of task "teleport" (tasks run so far: approve, nap)\n`,
    });
    expect((await run(['execution', 'complete-step', first, 'nap', '--status', 'succeeded'])).stderr).toBe(
      `runledger: step "nap" of execution ${first} is not waiting for a person (it is pending)\n`,
    );
    expect((await run(['execution', 'complete-step', first, 'approve', '--status', 'maybe'])).stderr).toBe(
      'runledger: --status must be succeeded or failed, not "maybe"\n',
    );

    const stepRun = waiting.taskRuns[0]!.id;
    const done = await run(['execution', 'complete-step', first, stepRun, '--status', 'succeeded', '--json']);
    expect(JSON.parse(done.stdout)).toMatchObject({ id: stepRun, status: 'succeeded' });
    expect((await run(['execution', 'complete-step', first, 'approve', '--status', 'failed'])).stderr).toBe(
      `runledger: step "approve" of execution ${first} is not waiting for a person (it is succeeded)\n`,
    );
    await waitFor(first, (e) => e.taskRuns.some((r) => r.taskId === 'nap' && r.status === 'running'));

    const cancelled = await run(['execution', 'cancel', first, '--json']);
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ id: first, status: 'cancelled' });
    expect((await run(['execution', 'cancel', second])).stdout).toBe(`execution ${second}: cancelled\n`);

    const shown = await run(['execution', 'inspect', first]);
    expect(shown.stdout).toMatch(/^Error\s+cancelled by admin \(CANCELLED\)$/m);
    expect(shown.stdout).toMatch(/^Trigger\s+\w+ by admin$/m);
    expect(shown.stdout).toMatch(/^approve\s+manual\s+1\s+succeeded/m);
    expect(shown.stdout).toMatch(/^nap\s+sleep\s+1\s+cancelled/m);
    expect(JSON.parse((await run(['execution', 'list', '--json', '--status', 'cancelled'])).stdout).items).toHaveLength(2);
  });

  it('runs to a failure with --wait and reports it with exit 1', async () => {
    await client.applyWorkflow(
      'id: broken_http\nname: B\ntasks:\n  - id: fetch\n    type: shell\n    with: { command: "echo oops >&2; exit 7" }\n',
      'yaml',
    );
    const failed = await run(['workflow', 'run', 'broken_http', '--wait', '--poll-interval', '50']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^failed in \S+: .*code 7$/m);
    expect(failed.stdout).toMatch(/^fetch\s+shell\s+1\s+failed\s+\S+\s+command exited with code 7/m);
  });

  it('logs in, stores an API token and revokes the previous one on the next login', async () => {
    const env = { RUNLEDGER_DATA_DIR: path.join(tmp, 'nothing-here'), XDG_CONFIG_HOME: path.join(tmp, 'xdg') };
    expect(await run(['login', '-u', 'admin', '-p', 'wrong password', '--server', server.url], { env })).toMatchObject({
      code: 1,
      stderr: 'runledger: Invalid username or password (INVALID_CREDENTIALS)\n',
    });
    expect((await run(['login', '-u', 'admin', '-p', ADMIN_PASSWORD, '--server', server.url], { env })).stdout).toBe(
      `Logged in to ${server.url} as admin\n`,
    );
    const file = path.join(tmp, 'xdg', 'runledger', 'credentials.json');
    const firstLogin = JSON.parse(fs.readFileSync(file, 'utf8')) as { token: string; tokenId: string };
    // the second login finds the server in the credentials file
    expect((await run(['login', '-u', 'admin', '-p', ADMIN_PASSWORD], { env })).stdout).toBe(`Logged in to ${server.url} as admin\n`);
    const secondLogin = JSON.parse(fs.readFileSync(file, 'utf8')) as { token: string; tokenId: string };
    expect(secondLogin.tokenId).not.toBe(firstLogin.tokenId);
    const tokens = await client.listTokens();
    expect(tokens.find((t) => t.id === firstLogin.tokenId)?.revokedAt).not.toBeNull();
    expect(tokens.find((t) => t.id === secondLogin.tokenId)?.revokedAt).toBeNull();

    const noToken = await run(['workflow', 'list', '--server', server.url], { env: { ...env, XDG_CONFIG_HOME: path.join(tmp, 'nobody') } });
    expect(noToken.stderr).toMatch(/^runledger: A bearer token is required.*\(UNAUTHENTICATED\); sign in with "runledger login"/);
  });

  it('migrates and rolls back a store', async () => {
    const fresh = path.join(tmp, 'fresh');
    const migrated = await run(['db', 'migrate', '--data-dir', fresh]);
    expect(migrated.stdout).toMatch(/^applied 0001-/);
    expect((await run(['db', 'migrate', '--data-dir', fresh])).stdout).toBe('already up to date\n');
    const lines = migrated.stdout.trimEnd().split('\n');
    for (const line of lines.reverse())
      expect((await run(['db', 'rollback', '--data-dir', fresh])).stdout).toBe(`${line.replace('applied', 'rolled back')}\n`);
    expect((await run(['db', 'rollback', '--data-dir', fresh])).stdout).toBe('nothing to roll back\n');
  });
});

describe('CLI helpers', () => {
  it('formats durations and timestamps', () => {
    expect([null, -1, 0, 850, 1234, 61_000, 3_725_000].map(formatDuration)).toEqual(['-', '-', '0ms', '850ms', '1.2s', '1m 01s', '1h 02m']);
    expect(formatTimestamp('2025-01-31T14:05:09.123Z')).toBe('2025-01-31 14:05:09Z');
    expect(formatTimestamp(null)).toBe('-');
    expect(formatTimestamp('soon')).toBe('soon');
  });

  it('describes errors in one line; a stack only for unexpected errors with debug on', () => {
    expect(describeError(new ApiError({ status: 404, code: 'X_NOT_FOUND', detail: 'X\nnot found' }), true)).toBe(
      'runledger: X not found (X_NOT_FOUND)',
    );
    expect(describeError(new CliError('bad flag'), true)).toBe('runledger: bad flag');
    expect(describeError(Object.assign(new Error('open failed'), { code: 'EACCES' }), false)).toBe('runledger: open failed (EACCES)');
    expect(describeError('thrown string', false)).toBe('runledger: thrown string');
    const withStack = describeError(new TypeError('boom'), true).split('\n');
    expect(withStack[0]).toBe('runledger: boom');
    expect(withStack[1]).toBe('TypeError: boom');
  });
});
