import { afterEach, beforeEach, expect, it } from 'vitest';
import { taskRunAlias } from '../../src/api/app.ts';
import { createHarness, type ExecutionView, type Harness } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';
import { waitFor } from '../support/wait-for.ts';

/** One word for a task run in every URL (`/tasks/:taskRunId`); the older `/steps/:taskRunId` paths answer as aliases. */
it('rewrites only the paths that name a task run as a step', () => {
  expect(taskRunAlias('/v1/executions/e1/steps/r1')).toBe('/v1/executions/e1/tasks/r1');
  expect(taskRunAlias('/v1/executions/e1/steps/r1/complete')).toBe('/v1/executions/e1/tasks/r1/complete');
  expect(taskRunAlias('/v1/executions/e1/steps/r1/attachments?x=1')).toBe('/v1/executions/e1/tasks/r1/attachments?x=1');
  // adding a step is a different resource
  expect(taskRunAlias('/v1/executions/e1/steps')).toBe('/v1/executions/e1/steps');
  expect(taskRunAlias('/v1/executions/e1/steps?x=1')).toBe('/v1/executions/e1/steps?x=1');
});

describeEachDialect('task run paths', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    await h.dispose();
  });

  it('reads and writes a task run under /tasks/, and still under /steps/', async () => {
    await h.apply({
      id: 'two',
      name: 'Two steps',
      tasks: [
        { id: 'a', type: 'manual', with: { description: 'A' } },
        { id: 'b', type: 'manual', with: { description: 'B' } },
      ],
    });
    const { body } = await h.api<{ executionId: string }>('POST', '/v1/workflows/two/run', { procedure: true });
    const id = body.executionId;
    const runs = await waitFor(async () => {
      const e = (await h.api<ExecutionView>('GET', `/v1/executions/${id}`)).body;
      return e.taskRuns.filter((r) => r.status === 'waiting').length === 2 ? e.taskRuns : undefined;
    }, 'both steps to wait');
    const [a, b] = [runs.find((r) => r.taskId === 'a')!, runs.find((r) => r.taskId === 'b')!];

    expect(await h.api('PATCH', `/v1/executions/${id}/tasks/${a.id}`, { notes: 'new path' })).toMatchObject({
      status: 200,
      body: { notes: 'new path' },
    });
    expect(await h.api('PATCH', `/v1/executions/${id}/steps/${a.id}`, { notes: 'old path' })).toMatchObject({
      status: 200,
      body: { notes: 'old path' },
    });
    expect(await h.api('POST', `/v1/executions/${id}/tasks/${a.id}/complete`, { status: 'succeeded' })).toMatchObject({
      status: 200,
      body: { status: 'succeeded' },
    });
    expect(await h.api('POST', `/v1/executions/${id}/steps/${b.id}/complete`, { status: 'succeeded' })).toMatchObject({
      status: 200,
      body: { status: 'succeeded' },
    });
    expect(await h.api('GET', `/v1/executions/${id}/tasks/${b.id}`)).toMatchObject({
      status: 200,
      body: { status: 'succeeded', taskId: 'b' },
    });
  });
});
