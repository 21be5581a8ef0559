import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunledgerClient } from '../../src/client/runledger-client.ts';
import { startCliHarness, type CliHarness } from './cli-harness.ts';

/** `execution inspect` of flow control: for_each items under their task, the on_failure phase, a child's link. */
let harness: CliHarness;
let client: RunledgerClient;

beforeAll(async () => {
  harness = await startCliHarness('runledger-inspect-flow-');
  client = harness.client;
});

afterAll(async () => {
  await harness?.close();
});

it('groups for_each items under their task and marks on_failure tasks', async () => {
  await client.applyWorkflow(
    JSON.stringify({
      id: 'fan',
      name: 'Fan',
      tasks: [
        { id: 'first', type: 'log', with: { message: 'one' } },
        { id: 'each', type: 'log', needs: ['first'], for_each: "{{ ['web-01', 'web-02'] }}", with: { message: '{{ item }}' } },
        { id: 'last', type: 'shell', needs: ['each'], with: { command: 'exit 1' } },
      ],
      on_failure: [{ id: 'notify', type: 'log', with: { message: 'failed' } }],
    }),
    'json',
  );
  const { executionId } = await client.runWorkflow('fan');
  await client.waitForExecution(executionId, { pollMs: 50 });
  const out = await harness.run(['execution', 'inspect', executionId]);
  expect(out.code).toBe(0);
  const table = out.stdout.slice(0, out.stdout.indexOf('Results'));
  const rows = table.split('\n').filter((l) => /^\s*(first|each|last|notify)\b/.test(l));
  expect(rows.map((l) => l.trim().split(/\s{2,}/)[0])).toEqual([
    'first',
    'each',
    'each[0] web-01',
    'each[1] web-02',
    'last',
    'notify (on_failure)',
  ]);
  expect(rows[2]!.startsWith('  each[0]')).toBe(true);
});

it('shows a child execution under its task and the parent on the child', async () => {
  await client.applyWorkflow(
    JSON.stringify({ id: 'leaf', name: 'Leaf', tasks: [{ id: 'hi', type: 'log', with: { message: 'hi' } }] }),
    'json',
  );
  await client.applyWorkflow(
    JSON.stringify({ id: 'caller', name: 'Caller', tasks: [{ id: 'call', type: 'workflow', with: { workflow: 'leaf' } }] }),
    'json',
  );
  const { executionId } = await client.runWorkflow('caller');
  await client.waitForExecution(executionId, { pollMs: 50 });
  const parent = await client.getExecution(executionId);
  const run = parent.taskRuns[0]!;
  expect(run.childExecutionId).toEqual(expect.any(String));
  const out = await harness.run(['execution', 'inspect', executionId]);
  expect(out.stdout).toContain(`child execution: ${run.childExecutionId}`);
  const child = await harness.run(['execution', 'inspect', run.childExecutionId!]);
  expect(child.stdout).toMatch(new RegExp(`Parent\\s+${executionId} \\(task run ${run.id}\\)`));
  expect(child.stdout).toMatch(/Trigger\s+workflow/);
});

it('draws a for_each task as one bar with its items under it, and sums up the items past ten', async () => {
  const servers = Array.from({ length: 14 }, (_, i) => `web-${String(i + 1).padStart(2, '0')}`);
  await client.applyWorkflow(
    JSON.stringify({
      id: 'fleet',
      name: 'Fleet',
      tasks: [
        { id: 'start', type: 'log', with: { message: 'go' } },
        {
          id: 'deploy',
          type: 'shell',
          needs: ['start'],
          for_each: `{{ ${JSON.stringify(servers)} }}`,
          concurrency: 3,
          continue_on_failure: true,
          with: { command: 'test "$S" != web-09', env: { S: '{{ item }}' } },
        },
      ],
    }),
    'json',
  );
  const waited = await harness.run(['workflow', 'run', 'fleet', '--wait', '--poll-interval', '50']);
  expect(waited.code, waited.stderr).toBe(0);
  // the summary of `run --wait` lists the items under their task too, each with its item
  const summary = waited.stdout.split('\n').filter((l) => /^\s*(start|deploy)/.test(l));
  expect(summary.slice(0, 3).map((l) => l.trim().split(/\s{2,}/)[0])).toEqual(['start', 'deploy', 'deploy[0] web-01']);
  expect(summary).toHaveLength(16);
  expect(summary.find((l) => l.includes('web-09'))).toMatch(/failed\s+\S+\s+command exited with code 1/);
  const executionId = waited.stdout.split('\n')[0]!.trim();
  const out = await harness.run(['execution', 'inspect', executionId, '--timeline']);
  expect(out.code, out.stderr).toBe(0);
  const lines = out.stdout.split('\n');
  const chart = lines.slice(lines.indexOf('Timeline') + 2);
  expect(chart[0]).toMatch(/^start\s+[·█]{48}\s+\S+\s+succeeded$/);
  expect(chart[1]).toMatch(/^deploy ×14\s+[·█]{48}\s+\S+\s+\S+\s+\(items: 13 succeeded · 1 failed\)$/);
  const items = chart.slice(2, 12);
  expect(items.every((l) => /^ {2}\[\d+\] web-\d\d\s+[·█]{48}\s+\S+\s+(succeeded|failed)$/.test(l))).toBe(true);
  // the failed item is among the ten drawn; the other four are summed up
  expect(items.some((l) => /^ {2}\[8\] web-09\s.*failed$/.test(l))).toBe(true);
  expect(chart[12]).toBe('  … 4 more item runs: 4 succeeded');
  // the task's bar spans its first item's start to its last item's end
  const cells = (l: string) => l.replace(/^.*?\s{2}(?=[·█])/, '').slice(0, 48);
  const group = cells(chart[1]!);
  for (const l of items) {
    const bar = cells(l);
    expect(bar.indexOf('█')).toBeGreaterThanOrEqual(group.indexOf('█'));
    expect(bar.lastIndexOf('█')).toBeLessThanOrEqual(group.lastIndexOf('█'));
  }
});
