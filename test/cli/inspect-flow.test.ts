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
