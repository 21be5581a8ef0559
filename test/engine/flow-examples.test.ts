import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';

const example = (name: string) => readFileSync(path.resolve(import.meta.dirname, '../../examples', name), 'utf8');

/** The flow examples of docs/workflows.md run as documented. */
describeEachDialect('flow examples', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
    for (const file of ['hello.yaml', 'conditions.yaml', 'fan-out.yaml', 'on-failure.yaml', 'sub-workflow.yaml']) {
      const res = await h.api('POST', '/v1/workflows', example(file));
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
  });
  afterEach(async () => {
    await h.dispose();
  });

  it('conditions.yaml takes the prod branch by default, the staging one when asked', async () => {
    const prod = await h.runToEnd('conditions');
    expect(prod.status).toBe('completed');
    expect(prod.taskRuns.map((r) => [r.taskId, r.status])).toEqual([
      ['probe', 'succeeded'],
      ['prod_rollout', 'succeeded'],
      ['staging_rollout', 'skipped'],
    ]);
    const staging = await h.runToEnd('conditions', { env: 'staging' });
    expect(staging.taskRuns.map((r) => [r.taskId, r.status])).toEqual([
      ['probe', 'succeeded'],
      ['prod_rollout', 'skipped'],
      ['staging_rollout', 'succeeded'],
    ]);
  });

  it('fan-out.yaml checks four servers and reports their outputs', async () => {
    const e = await h.runToEnd('fan_out');
    expect(e.status).toBe('completed');
    expect(e.taskRuns.filter((r) => r.taskId === 'check')).toHaveLength(5);
    expect(JSON.stringify(e.taskRuns.find((r) => r.taskId === 'report')?.output)).toContain('server 3: web-04 ok');
  });

  it('on-failure.yaml ends failed after its notification ran', async () => {
    const e = await h.runToEnd('on_failure');
    expect(e.status).toBe('failed');
    expect(e.taskRuns.map((r) => [r.taskId, r.status])).toEqual([
      ['build', 'failed'],
      ['publish', 'skipped'],
      ['notify', 'succeeded'],
    ]);
  });

  it('sub-workflow.yaml relays what its child printed', async () => {
    const e = await h.runToEnd('sub_workflow', { who: 'Grace' });
    expect(e.status).toBe('completed');
    expect(e.taskRuns.find((r) => r.taskId === 'relay')?.output).toMatchObject({ message: expect.stringContaining('Hello, Grace!') });
  });
});
