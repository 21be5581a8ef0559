import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunledgerClient } from '../../src/client/runledger-client.ts';
import type { ExecutionDetail, StepResultAuditEntry } from '../../src/client/types.ts';
import { startCliHarness, type CliHarness, type CliRun } from './cli-harness.ts';

/** `runledger execution inspect` (and `workflow execution inspect`) through `main()` against a real server. */
let harness: CliHarness;
let client: RunledgerClient;
let endedId: string;
let runningId: string;

const LONG_LINE = `${'x'.repeat(300)}END`;

const parallel = {
  id: 'parallel',
  name: 'Parallel',
  inputs: { server: { type: 'string' }, password: { type: 'string', secret: true } },
  tasks: [
    { id: 'left', type: 'sleep', with: { duration: '400ms' } },
    { id: 'right', type: 'sleep', with: { duration: '400ms' } },
    // a long single line, then a second line: truncated by default, whole with --no-truncate
    { id: 'report', type: 'shell', needs: ['left', 'right'], with: { command: `printf '${LONG_LINE}\\nsecond line'` } },
  ],
};

const waiting = {
  id: 'awaiting',
  name: 'Awaiting',
  tasks: [
    { id: 'prepare', type: 'log', with: { message: 'ready' } },
    { id: 'approve', type: 'manual', needs: ['prepare'], with: { description: 'Approve it' } },
  ],
};

function run(args: string[]): Promise<CliRun> {
  return harness.run(args);
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
  harness = await startCliHarness('runledger-inspect-');
  client = harness.client;
  await client.applyWorkflow(JSON.stringify(parallel), 'json');
  await client.applyWorkflow(JSON.stringify(waiting), 'json');
  endedId = (await client.runWorkflow('parallel', { inputs: { server: 'web-01', password: 'hunter2-canary' } })).executionId;
  runningId = (await client.runWorkflow('awaiting')).executionId;
  await client.waitForExecution(endedId, { pollMs: 50 });
  await waitFor(runningId, (e) => e.taskRuns.some((r) => r.taskId === 'approve' && r.status === 'waiting'));
});

afterAll(async () => {
  await harness?.close();
});

describe('runledger execution inspect', () => {
  it('prints the overview, the task table with start and end, and the results cut to one line', async () => {
    const shown = await run(['execution', 'inspect', endedId]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^Workflow\s+parallel \(version 1\)$/m);
    expect(shown.stdout).toMatch(/^Status\s+completed$/m);
    expect(shown.stdout).toMatch(/^Trigger\s+api by admin$/m);
    expect(shown.stdout).toMatch(/^Started\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/m);
    expect(shown.stdout).toMatch(/^Duration\s+\d/m);
    expect(shown.stdout).toMatch(/^Inputs\s+server, password \(values: --show-inputs\)$/m);
    expect(shown.stdout).toMatch(/^TASK\s+TYPE\s+ATTEMPT\s+STATUS\s+DURATION\s+STARTED\s+ENDED$/m);
    expect(shown.stdout).toMatch(/^left\s+sleep\s+1\s+succeeded\s+\S+\s+\S+ \S+Z\s+\S+ \S+Z$/m);
    expect(shown.stdout).toMatch(/^report #1 succeeded$/m);
    const output = shown.stdout.split('\n').find((l) => l.startsWith('  output: ') && l.includes('xxx'))!;
    expect(output.length).toBeLessThanOrEqual(170);
    expect(output).toMatch(/…$/);
    expect(shown.stdout).not.toContain('xEND');
    // the values stay hidden without --show-inputs
    expect(shown.stdout).not.toContain('web-01');
  });

  it('prints long values whole with --no-truncate', async () => {
    const shown = await run(['execution', 'inspect', endedId, '--no-truncate']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(LONG_LINE);
    expect(shown.stdout).toMatch(/^ {4}stdout: x+END\n {6}second line$/m);
  });

  it('lists the inputs with --show-inputs, the secret one masked', async () => {
    const shown = await run(['execution', 'inspect', endedId, '--show-inputs']);
    expect(shown.stdout).toMatch(/^Inputs\n(.+\n)*server\s+web-01$/m);
    expect(shown.stdout).toMatch(/^password\s+\*\*\*$/m);
    expect(shown.stdout).not.toContain('hunter2-canary');
  });

  it('draws parallel tasks one above the other on one time axis with --timeline', async () => {
    const shown = await run(['execution', 'inspect', endedId, '--timeline']);
    const lines = shown.stdout.split('\n');
    const at = lines.indexOf('Timeline');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toMatch(/^\s+0\s+\+\S+$/);
    const bar = (task: string) => {
      const line = lines.slice(at).find((l) => l.startsWith(`${task} `))!;
      expect(line, task).toMatch(/^\S+\s+[·█>]{48}\s+\S+\s+succeeded$/);
      const cells = line.replace(/^\S+\s+/, '').slice(0, 48);
      return { from: cells.indexOf('█'), to: cells.lastIndexOf('█') };
    };
    const [left, right, report] = [bar('left'), bar('right'), bar('report')];
    // left and right ran together: their bars overlap; report ran after both
    expect(Math.max(left.from, right.from)).toBeLessThanOrEqual(Math.min(left.to, right.to));
    expect(report.from).toBeGreaterThanOrEqual(Math.max(left.to, right.to));
    expect(left.to - left.from).toBeGreaterThan(20);
  });

  it('shows where a running execution is, and marks its waiting step', async () => {
    const shown = await run(['execution', 'inspect', runningId, '--timeline']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^Status\s+waiting \(now: approve waiting\)$/m);
    expect(shown.stdout).toMatch(/^Duration\s+\S+ so far$/m);
    expect(shown.stdout).toMatch(/^▶ approve\s+manual\s+1\s+waiting\s+\S+\s+\S+ \S+Z\s+-$/m);
    expect(shown.stdout).toMatch(/^approve\s+[·█]*>[·]*\s+\S+\s+waiting$/m);
  });

  it('prints everything as JSON with --json, and the audit and every step result with --audit', async () => {
    const plain = JSON.parse((await run(['execution', 'inspect', endedId, '--json'])).stdout) as ExecutionDetail;
    expect(plain.taskRuns.map((r) => r.taskId).sort()).toEqual(['left', 'report', 'right']);
    expect(plain.inputs).toEqual({ server: 'web-01', password: '***' });
    const withAudit = JSON.parse((await run(['execution', 'inspect', endedId, '--audit', '--json'])).stdout) as ExecutionDetail & {
      stepAudit: Record<string, StepResultAuditEntry[]>;
      audit: { verification: { ok: boolean } };
    };
    expect(withAudit.audit.verification.ok).toBe(true);
    expect(Object.keys(withAudit.stepAudit).sort()).toEqual(plain.taskRuns.map((r) => r.id).sort());
    for (const [runId, steps] of Object.entries(withAudit.stepAudit)) expect(steps.every((s) => s.taskRunId === runId)).toBe(true);
    expect(Object.values(withAudit.stepAudit).every((steps) => steps.length > 0)).toBe(true);
    const text = await run(['execution', 'inspect', endedId, '--audit']);
    expect(text.stdout).toMatch(/^chain verified \(\d+ events\)$/m);
    expect(text.stdout).toMatch(/^report#1\s+/m);
  });

  it('is the same command under workflow execution, and refuses an unknown execution in one line', async () => {
    const [a, b] = await Promise.all([
      run(['execution', 'inspect', endedId, '--json']),
      run(['workflow', 'execution', 'inspect', endedId, '--json']),
    ]);
    expect(JSON.parse(b.stdout)).toEqual(JSON.parse(a.stdout));
    const missing = await run(['execution', 'inspect', '01900000-0000-7000-8000-000000000000']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/^runledger: .*\(EXECUTION_NOT_FOUND\)\n$/);
  });
});
