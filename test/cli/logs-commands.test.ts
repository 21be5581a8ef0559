import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionDetail, LogLine } from '../../src/client/types.ts';
import { startCliHarness, type CliHarness, type CliRun, type RunOptions } from './cli-harness.ts';

/**
 * `runledger execution logs` (and `workflow execution logs`) through `main()` in process against a
 * real server; one run of the real binary follows an execution that is still running.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'runledger.js');
const SPAWN_TIMEOUT = 60_000;
const UNKNOWN = '01900000-0000-7000-8000-000000000000';
/** `14:05:09.123Z INFO  ` — the time of day and the level padded to 5. */
const TIME = String.raw`\d\d:\d\d:\d\d\.\d{3}Z`;

const CHATTY = `id: chatty
name: Chatty
tasks:
  - id: talk
    type: shell
    # this task's stderr means trouble: its lines are logged at ERROR (the default is INFO)
    with: { command: "echo 'out 1'; echo 'out 2'; echo 'out 3'; sleep 0.2; echo 'bad' >&2", stderrLevel: ERROR }
  - id: note
    type: log
    needs: [talk]
    with: { level: warn, message: "first line\\nsecond line" }
`;

const DRIP = `id: drip
name: Drip
tasks:
  - id: drip
    type: shell
    with: { command: "for i in 1 2 3; do echo \\"drip $i\\"; sleep 0.3; done" }
`;

const FAILING = `id: failing
name: Fails on purpose
tasks:
  - id: boom
    type: shell
    with: { command: "echo 'about to fail'; exit 3" }
`;

/** A person confirms before anything is printed: the follower is connected while it still runs. */
const GATED = `id: gated
name: Gated
tasks:
  - id: confirm
    type: manual
  - id: drip
    type: shell
    needs: [confirm]
    with: { command: "for i in 1 2; do echo \\"gated $i\\"; sleep 0.2; done" }
`;

let harness: CliHarness;
let chatty: ExecutionDetail;

function run(args: string[], options?: RunOptions): Promise<CliRun> {
  return harness.run(args, options);
}

function lines(text: string): string[] {
  return text.trimEnd().split('\n');
}

function parseNdjson(text: string): LogLine[] {
  return lines(text).map((l) => JSON.parse(l) as LogLine);
}

/** `<time> <LEVEL> <source> <message>` of each printed line (continuation lines are skipped). */
function entries(stdout: string): { level: string; source: string; message: string }[] {
  return lines(stdout)
    .filter((l) => !l.startsWith(' '))
    .map((l) => {
      const m = new RegExp(`^${TIME} (DEBUG|INFO |WARN |ERROR) (\\S+) (.*)$`).exec(l);
      if (!m) throw new Error(`not a log line: ${JSON.stringify(l)}`);
      return { level: m[1]!.trim(), source: m[2]!, message: m[3]! };
    });
}

function oneLineFailure(result: CliRun, stderr: string | RegExp): void {
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  if (typeof stderr === 'string') expect(result.stderr).toBe(`${stderr}\n`);
  else expect(result.stderr).toMatch(stderr);
  expect(lines(result.stderr)).toHaveLength(1);
}

beforeAll(async () => {
  harness = await startCliHarness('runledger-logs-');
  for (const yaml of [CHATTY, DRIP, FAILING, GATED]) await harness.client.applyWorkflow(yaml, 'yaml');
  chatty = await harness.client.waitForExecution((await harness.client.runWorkflow('chatty')).executionId, {
    pollMs: 50,
    timeoutMs: 10_000,
  });
  expect(chatty.status).toBe('completed');
});

afterAll(async () => {
  await harness?.close();
});

describe('runledger execution logs', () => {
  it('prints every line in order as <time> <LEVEL> <source> <message>, task output under task:<id>:stdout|stderr', async () => {
    const shown = await run(['execution', 'logs', chatty.id]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stderr).toBe('');
    const printed = entries(shown.stdout);
    expect(printed).toHaveLength(chatty.logEntryCount);
    expect(printed.filter((e) => e.source.startsWith('task:talk:'))).toEqual([
      { level: 'INFO', source: 'task:talk:stdout', message: 'out 1' },
      { level: 'INFO', source: 'task:talk:stdout', message: 'out 2' },
      { level: 'INFO', source: 'task:talk:stdout', message: 'out 3' },
      { level: 'ERROR', source: 'task:talk:stderr', message: 'bad' },
    ]);
    expect(printed[0]).toMatchObject({ source: 'scheduler', message: expect.stringContaining('execution created') });
    expect(printed.at(-1)).toMatchObject({ source: 'scheduler', message: expect.stringContaining('execution completed') });
    expect(shown.stdout).not.toContain('\x1b[');

    // The alias is the same command.
    expect(await run(['workflow', 'execution', 'logs', chatty.id])).toEqual(shown);
  });

  it('indents the continuation lines of a multi-line message under the message', async () => {
    const out = lines((await run(['execution', 'logs', chatty.id, '--task', 'note', '--level', 'warn'])).stdout);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(new RegExp(`^${TIME} WARN  task:note first line$`));
    const column = out[0]!.indexOf('first line');
    expect(out[1]).toBe(`${' '.repeat(column)}second line`);
  });

  it('filters by level, task and since', async () => {
    expect(entries((await run(['execution', 'logs', chatty.id, '--level', 'ERROR'])).stdout)).toEqual([
      { level: 'ERROR', source: 'task:talk:stderr', message: 'bad' },
    ]);
    expect(entries((await run(['execution', 'logs', chatty.id, '--level', 'warn, error'])).stdout).map((e) => e.message)).toEqual([
      'bad',
      'first line',
    ]);

    const talk = entries((await run(['execution', 'logs', chatty.id, '--task', 'talk'])).stdout);
    expect(talk.filter((e) => e.source !== 'scheduler').map((e) => e.message)).toEqual(['out 1', 'out 2', 'out 3', 'bad']);
    expect(talk.some((e) => e.source.startsWith('task:note'))).toBe(false);
    expect(talk.find((e) => e.source === 'scheduler')?.message).toContain('task talk started');

    const all = await run(['execution', 'logs', chatty.id]);
    expect(await run(['execution', 'logs', chatty.id, '--since', '1h'])).toEqual(all);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect(await run(['execution', 'logs', chatty.id, '--since', future])).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('prints NDJSON with --json: one line object per line, with its seq', async () => {
    const shown = await run(['execution', 'logs', chatty.id, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    const parsed = parseNdjson(shown.stdout);
    expect(parsed.map((l) => l.seq)).toEqual(parsed.map((_, i) => i + 1));
    expect(parsed).toHaveLength(chatty.logEntryCount);
    const talkRun = chatty.taskRuns.find((r) => r.taskId === 'talk')!;
    expect(parsed.find((l) => l.source === 'task:talk:stderr')).toEqual({
      seq: expect.any(Number),
      taskRunId: talkRun.id,
      ts: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      level: 'ERROR',
      source: 'task:talk:stderr',
      message: 'bad',
    });
    expect(parsed.find((l) => l.source === 'task:note')?.message).toBe('first line\nsecond line');
    expect(parseNdjson((await run(['execution', 'logs', chatty.id, '--json', '--level', 'error'])).stdout)).toHaveLength(1);
  });

  it('colours the level only on a terminal without NO_COLOR', async () => {
    const coloured = (await run(['execution', 'logs', chatty.id], { tty: true, env: { NO_COLOR: undefined } })).stdout;
    expect(coloured).toMatch(new RegExp(`^${TIME} \x1b\\[31mERROR\x1b\\[39m task:talk:stderr bad$`, 'm'));
    expect(coloured).toMatch(new RegExp(`^${TIME} \x1b\\[33mWARN\x1b\\[39m  task:note first line$`, 'm'));
    expect(coloured).toMatch(new RegExp(`^${TIME} INFO  task:talk:stdout out 1$`, 'm'));
    expect((await run(['execution', 'logs', chatty.id], { tty: true })).stdout).not.toContain('\x1b[');
    expect((await run(['execution', 'logs', chatty.id], { env: { NO_COLOR: undefined } })).stdout).not.toContain('\x1b[');
  });

  it('reads every page of a long log', async () => {
    await harness.client.applyWorkflow(
      'id: long\nname: Long\ntasks:\n  - id: count\n    type: shell\n    with: { command: "seq 1 2500" }\n',
      'yaml',
    );
    const ended = await harness.client.waitForExecution((await harness.client.runWorkflow('long')).executionId, {
      pollMs: 50,
      timeoutMs: 20_000,
    });
    const parsed = parseNdjson((await run(['execution', 'logs', ended.id, '--json'])).stdout);
    expect(parsed).toHaveLength(ended.logEntryCount);
    expect(parsed.map((l) => l.seq)).toEqual(parsed.map((_, i) => i + 1));
    const counted = parsed.filter((l) => l.source === 'task:count:stdout').map((l) => l.message);
    expect(counted).toEqual(Array.from({ length: 2500 }, (_, i) => String(i + 1)));
  });

  it('follows a running execution until it completes: exit 0, "execution completed" on stderr', async () => {
    const { executionId } = await harness.client.runWorkflow('drip');
    const followed = await run(['execution', 'logs', executionId, '--follow']);
    expect(followed.code, followed.stderr).toBe(0);
    expect(followed.stderr).toBe('execution completed\n');
    const printed = entries(followed.stdout);
    expect(printed.filter((e) => e.source === 'task:drip:stdout').map((e) => e.message)).toEqual(['drip 1', 'drip 2', 'drip 3']);
    expect(printed.at(-1)?.message).toContain('execution completed');

    // An execution that has ended: everything, then the end at once; --json is NDJSON here too.
    const json = await run(['workflow', 'execution', 'logs', executionId, '-f', '--json', '--task', 'drip']);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stderr).toBe('execution completed\n');
    const parsed = parseNdjson(json.stdout);
    expect(parsed.filter((l) => l.source === 'task:drip:stdout').map((l) => l.message)).toEqual(['drip 1', 'drip 2', 'drip 3']);
    expect(parsed.map((l) => l.seq)).toEqual([...parsed.map((l) => l.seq)].sort((a, b) => a - b));
  });

  it('exits 1 with "execution failed" on stderr when the followed execution fails', async () => {
    const { executionId } = await harness.client.runWorkflow('failing');
    const followed = await run(['execution', 'logs', executionId, '--follow']);
    expect(followed.code).toBe(1);
    expect(followed.stderr).toBe('execution failed\n');
    expect(entries(followed.stdout)).toContainEqual({ level: 'INFO', source: 'task:boom:stdout', message: 'about to fail' });
  });

  it('answers a bad filter or an unknown execution with one line and exit 1', async () => {
    oneLineFailure(
      await run(['execution', 'logs', chatty.id, '--since', 'yesterday']),
      'runledger: --since: "yesterday" is neither a duration (30s, 5m, 2h, 1d) nor an ISO-8601 timestamp from 1970-01-01 to 9999-12-31 (VALIDATION_FAILED)',
    );
    oneLineFailure(
      await run(['execution', 'logs', chatty.id, '--follow', '--since', 'yesterday']),
      /^runledger: --since: .* \(VALIDATION_FAILED\)\n$/,
    );
    oneLineFailure(
      await run(['execution', 'logs', chatty.id, '--level', 'INFO,LOUD']),
      "runledger: option '--level <levels>' argument 'INFO,LOUD' is invalid. expected one or more of DEBUG, INFO, WARN, ERROR, comma-separated",
    );
    oneLineFailure(
      await run(['execution', 'logs', chatty.id, '--level', ',']),
      /^runledger: option '--level <levels>' argument ',' is invalid/,
    );
    oneLineFailure(
      await run(['execution', 'logs', chatty.id, '--task', 'nope']),
      `runledger: --task: execution ${chatty.id} has no task "nope" (VALIDATION_FAILED)`,
    );
    oneLineFailure(await run(['execution', 'logs', UNKNOWN]), `runledger: Execution ${UNKNOWN} not found (EXECUTION_NOT_FOUND)`);
    oneLineFailure(
      await run(['execution', 'logs', UNKNOWN, '--follow']),
      `runledger: Execution ${UNKNOWN} not found (EXECUTION_NOT_FOUND)`,
    );
    oneLineFailure(
      await run(['workflow', 'execution', 'logs', UNKNOWN]),
      `runledger: Execution ${UNKNOWN} not found (EXECUTION_NOT_FOUND)`,
    );
  });
});

describe('runledger execution logs --follow, the real binary', () => {
  it('prints lines as they are written, before the execution ends, and exits 0 when it completes', { timeout: SPAWN_TIMEOUT }, async () => {
    const { executionId } = await harness.client.runWorkflow('gated');
    const child = spawn(process.execPath, [BIN, 'execution', 'logs', executionId, '--follow'], {
      cwd: harness.tmp,
      env: {
        PATH: process.env.PATH,
        HOME: path.join(harness.tmp, 'home'),
        XDG_CONFIG_HOME: path.join(harness.tmp, 'home', '.config'),
        RUNLEDGER_DATA_DIR: path.join(harness.tmp, 'data'),
        NO_COLOR: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      // The execution waits for a person: whatever is printed until then was streamed, not read after the end.
      const deadline = Date.now() + 30_000;
      let execution = await harness.client.getExecution(executionId);
      while ((!stdout.includes('execution waiting') || execution.status !== 'waiting') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        execution = await harness.client.getExecution(executionId);
      }
      expect(stdout, stderr).toMatch(new RegExp(`^${TIME} INFO  scheduler .*execution started`, 'm'));
      expect(stdout).toMatch(new RegExp(`^${TIME} INFO  scheduler .*manual step confirm waiting for a person$`, 'm'));
      expect(stdout).not.toContain('gated 1');
      expect(execution.status).toBe('waiting');

      const waiting = execution.taskRuns.find((r) => r.taskId === 'confirm')!;
      await harness.client.completeStep(executionId, waiting.id, { status: 'succeeded' });
      expect(await exited).toBe(0);
      expect(stderr).toBe('execution completed\n');
      const printed = entries(stdout);
      expect(printed.filter((e) => e.source === 'task:drip:stdout').map((e) => e.message)).toEqual(['gated 1', 'gated 2']);
      expect(printed.at(-1)?.message).toContain('execution completed');
    } finally {
      child.kill();
    }
  });
});
