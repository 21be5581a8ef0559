import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteFile } from '../../src/store/store.ts';
import { createHarness, type ExecutionView, type Harness } from '../support/harness.ts';

const CANARY = 'canary-flow-9Qw2-secret';

/** Secrets through flow control: a for_each over a secret list, a child given a parent's secret. */
describe('secrets in for_each items and child executions', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness('sqlite');
  });
  afterEach(async () => {
    await h.dispose();
  });

  it('run with the real values and never reach the store', async () => {
    await h.apply({
      id: 'child_of_secret',
      name: 'Child',
      inputs: { token: { type: 'string', required: true } },
      tasks: [
        {
          id: 'use',
          type: 'shell',
          with: {
            env: { T: '{{ inputs.token }}' },
            command: `test "$T" = "${CANARY.slice(0, 7)}$(printf %s '${CANARY.slice(7)}')" && echo "got $T"`,
          },
        },
      ],
    });
    await h.apply({
      id: 'secret_flow',
      name: 'Secret flow',
      inputs: { token: { type: 'string', secret: true, required: true }, keys: { type: 'array', secret: true, required: true } },
      tasks: [
        { id: 'each', type: 'shell', for_each: '{{ inputs.keys }}', with: { env: { K: '{{ item }}' }, command: 'echo "key $K"' } },
        { id: 'child', type: 'workflow', with: { workflow: 'child_of_secret', inputs: { token: '{{ inputs.token }}' } } },
      ],
    });
    const res = await h.api<{ executionId: string }>('POST', '/v1/workflows/secret_flow/run', {
      inputs: { token: CANARY, keys: [`${CANARY}-a`, `${CANARY}-b`] },
    });
    await h.engine.waitForExecution(res.body.executionId, 20_000);
    const e = (await h.api<ExecutionView>('GET', `/v1/executions/${res.body.executionId}`)).body;
    expect(e.status, JSON.stringify(e.error)).toBe('completed');
    const items = e.taskRuns.filter((r) => r.taskId === 'each' && (r as unknown as { itemIndex: number | null }).itemIndex !== null);
    expect(items.map((r) => (r as unknown as { item: unknown }).item)).toEqual(['***', '***']);
    const child = e.taskRuns.find((r) => r.taskId === 'child')!;
    expect(child.status).toBe('succeeded');
    const childId = (child as unknown as { childExecutionId: string }).childExecutionId;
    const childView = (await h.api<ExecutionView>('GET', `/v1/executions/${childId}`)).body;
    expect(childView.inputs).toEqual({ token: '***' });
    expect((childView.taskRuns[0]!.output as { stdout: string }).stdout).toContain('got ***');
    await h.logs.flush();
    await h.writer.drain();
    const file = sqliteFile(h.dataDir);
    const stored = Buffer.concat([file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
    expect(stored.includes(Buffer.from(CANARY))).toBe(false);
  });
});
