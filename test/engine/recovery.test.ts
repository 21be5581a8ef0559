import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.ts';
import { StateWriter } from '../../src/engine/state-writer.ts';
import { TaskSlots } from '../../src/engine/task-slots.ts';
import { taskHandlers } from '../../src/engine/tasks/index.ts';
import { getExecution } from '../../src/store/execution-repository.ts';
import { listTaskRunsByExecution, listTransitions } from '../../src/store/task-run-repository.ts';
import { createHarness, type Harness } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';

describeEachDialect('recovery of a dead process', (dialect) => {
  let h: Harness;
  let next: Engine | undefined;
  beforeEach(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    await next?.shutdown();
    await h.dispose();
  });

  it('ends attempts held by another worker as process_lost, retries by policy, and resumes waiting steps', async () => {
    const marker = path.join(h.dataDir, 'first-attempt');
    await h.apply({
      id: 'mixed',
      name: 'Mixed',
      tasks: [
        {
          id: 'slow',
          type: 'shell',
          retry: { max: 1, backoff: '0s' },
          with: { command: `if [ -f ${marker} ]; then echo retried; else touch ${marker}; sleep 20; fi` },
        },
        { id: 'once', type: 'shell', with: { command: 'sleep 20' } },
        { id: 'person', type: 'manual' },
      ],
    });
    const { body } = await h.api<{ executionId: string }>('POST', '/v1/workflows/mixed/run', {});
    const id = body.executionId;
    for (let i = 0; i < 200; i++) {
      const runs = await listTaskRunsByExecution(h.store.db, id);
      if (runs.filter((r) => r.status === 'running').length === 2 && runs.some((r) => r.status === 'waiting')) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    // the process "dies": nothing more is recorded by it
    await h.engine.shutdown();
    expect((await listTaskRunsByExecution(h.store.db, id)).filter((r) => r.status === 'running').length).toBe(2);

    next = new Engine({
      ...h.engine.deps,
      writer: new StateWriter(h.store.db),
      slots: new TaskSlots(4),
      handlers: taskHandlers,
      workerId: 'second-life',
    });
    const report = await next.recover();
    expect(report).toEqual({ resumed: 1, lostTaskRuns: 2, retried: 1 });

    const waiting = (await listTaskRunsByExecution(h.store.db, id)).find((r) => r.taskId === 'person')!;
    expect(waiting.status).toBe('waiting');
    await next.completeManualStep(id, waiting.id, {
      status: 'succeeded',
      notes: null,
      actor: { kind: 'user', userId: null, username: 'ops', role: 'admin' },
    });
    await next.waitForExecution(id);

    const runs = await listTaskRunsByExecution(h.store.db, id);
    const summary = runs
      .map((r) => [r.taskId, r.attempt, r.status, r.error?.code ?? null])
      .sort((a, b) => `${a[0]}${a[1]}`.localeCompare(`${b[0]}${b[1]}`));
    expect(summary).toEqual([
      ['once', 1, 'failed', 'process_lost'],
      ['person', 1, 'succeeded', null],
      ['slow', 1, 'failed', 'process_lost'],
      ['slow', 2, 'succeeded', null],
    ]);
    expect(runs.find((r) => r.taskId === 'slow' && r.attempt === 2)?.output).toMatchObject({ stdout: 'retried' });
    const lost = runs.find((r) => r.taskId === 'once')!;
    const transitions = await listTransitions(h.store.db, lost.id);
    expect(transitions.at(-1)).toMatchObject({
      fromState: 'running',
      toState: 'failed',
      metadata: { reason: 'process_lost', lostWorkerId: 'test-worker', workerId: 'second-life' },
    });
    expect((await getExecution(h.store.db, id))?.status).toBe('failed');
  });
});
