import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { listRunsForPlanning } from '../../src/store/task-run-repository.ts';
import { createHarness, type Harness, type TaskRunView } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * A plan of an execution with for_each tasks reads its runs but the items that succeeded (counted)
 * and the items waiting to start beyond the first ones; plans that need every run read them all.
 */

type Run = TaskRunView & { itemIndex: number | null };

describeEachDialect('for_each planning reads', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    await h.dispose();
  });

  it('60 items, 3 at a time: every item runs once in order, the output lists all 60, a condition on it sees them all', async () => {
    await h.apply({
      id: 'many',
      name: 'Many',
      tasks: [
        { id: 'each', type: 'log', for_each: '{{ inputs.range }}', concurrency: 3, with: { message: 'item {{ index }}' } },
        { id: 'all_there', type: 'log', needs: ['each'], if: 'size(tasks.each.output) == 60', with: { message: 'all there' } },
      ],
      inputs: { range: { type: 'array', default: Array.from({ length: 60 }, (_, i) => i) } },
    });
    const e = await h.runToEnd('many');
    expect(e.status).toBe('completed');
    const runs = e.taskRuns as Run[];
    const items = runs.filter((r) => r.itemIndex !== null);
    expect(items).toHaveLength(60);
    expect(items.every((r) => r.status === 'succeeded' && r.attempt === 1)).toBe(true);
    const group = runs.find((r) => r.taskId === 'each' && r.itemIndex === null)!;
    expect(group.status).toBe('succeeded');
    expect((group.output as unknown[]).length).toBe(60);
    expect(runs.find((r) => r.taskId === 'all_there')?.status).toBe('succeeded');
    const verify = await h.api<{ ok: boolean }>('GET', `/v1/audit/verify?execution=${e.id}`);
    expect(verify.body.ok).toBe(true);

    const read = await listRunsForPlanning(h.store.db, e.id, 3);
    expect(read.runs.filter((r) => r.itemIndex !== null)).toEqual([]);
    expect(read.runs.map((r) => r.taskId).sort()).toEqual(['all_there', 'each']);
    expect(read.settledItems).toEqual(new Map([['each', 60]]));
    expect(read.complete).toBe(false);
  });

  it('an item that failed and then succeeded on its retry is not retried again by a later report', async () => {
    const marker = path.join(h.dataDir, 'item-3-failed-once');
    await h.apply({
      id: 'flaky',
      name: 'Flaky',
      tasks: [
        {
          id: 'each',
          type: 'shell',
          for_each: '{{ [0,1,2,3,4,5,6,7,8,9] }}',
          concurrency: 2,
          retry: { max: 2, backoff: '0s' },
          with: { command: 'if [ "{{ item }}" = "3" ] && [ ! -f "$M" ]; then touch "$M"; exit 1; fi; echo ok', env: { M: marker } },
        },
      ],
    });
    const e = await h.runToEnd('flaky');
    expect(e.status).toBe('completed');
    const items = (e.taskRuns as Run[]).filter((r) => r.itemIndex !== null);
    expect(items.filter((r) => r.itemIndex === 3).map((r) => [r.attempt, r.status])).toEqual([
      [1, 'failed'],
      [2, 'succeeded'],
    ]);
    expect(items.filter((r) => r.itemIndex !== 3).every((r) => r.attempt === 1 && r.status === 'succeeded')).toBe(true);
  });

  it('mid-flight it reads the running items and the next ones to start; a cancel still cancels every item waiting', async () => {
    await h.apply({
      id: 'slow',
      name: 'Slow',
      tasks: [{ id: 'each', type: 'sleep', for_each: '{{ [1,2,3,4,5,6,7,8,9,10,11,12] }}', concurrency: 2, with: { duration: '30s' } }],
    });
    const started = await h.api<{ executionId: string }>('POST', '/v1/workflows/slow/run', { inputs: {} });
    const id = started.body.executionId;
    await waitFor(
      async () => {
        const e = await h.api<{ taskRuns: Run[] }>('GET', `/v1/executions/${id}`);
        return e.body.taskRuns.filter((r) => r.itemIndex !== null && r.status === 'running').length === 2 ? true : undefined;
      },
      'two items running',
      20_000,
    );
    const read = await listRunsForPlanning(h.store.db, id, 2);
    const items = read.runs.filter((r) => r.itemIndex !== null);
    expect(items.map((r) => [r.itemIndex, r.status])).toEqual([
      [0, 'running'],
      [1, 'running'],
      [2, 'pending'],
      [3, 'pending'],
    ]);
    expect(read.settledItems.size).toBe(0);
    expect(read.complete).toBe(false);

    expect((await h.api('POST', `/v1/executions/${id}/cancel`, { reason: 'enough' })).status).toBeLessThan(300);
    expect(await h.engine.waitForExecution(id, 20_000)).toBe('cancelled');
    const e = await h.api<{ taskRuns: Run[] }>('GET', `/v1/executions/${id}`);
    const statuses = e.body.taskRuns.filter((r) => r.itemIndex !== null).map((r) => r.status);
    expect(statuses).toHaveLength(12);
    expect(statuses.every((s) => s === 'cancelled')).toBe(true);
  });
});
