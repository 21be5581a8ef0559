import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createHarness, type ExecutionView, type Harness } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';
import { waitFor } from '../support/wait-for.ts';

function run(e: ExecutionView, taskId: string, attempt?: number) {
  const r = e.taskRuns.filter((x) => x.taskId === taskId && (attempt === undefined || x.attempt === attempt)).at(-1);
  if (!r) throw new Error(`no run of ${taskId}`);
  return r as typeof r & { startedAt: string; completedAt: string };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describeEachDialect('scheduling', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    await h.dispose();
  });

  it('runs parallel branches of a DAG at the same time and joins them', async () => {
    await h.apply({
      id: 'dag',
      name: 'DAG',
      tasks: [
        { id: 'start', type: 'log', with: { message: 'go' } },
        { id: 'left', type: 'sleep', needs: ['start'], with: { duration: '300ms' } },
        { id: 'right', type: 'sleep', needs: ['start'], with: { duration: '300ms' } },
        { id: 'join', type: 'log', needs: ['left', 'right'], with: { message: 'joined' } },
      ],
    });
    const e = await h.runToEnd('dag');
    expect(e.status).toBe('completed');
    const left = run(e, 'left');
    const right = run(e, 'right');
    const join = run(e, 'join');
    // both branches were running at once: each started before the other ended
    expect(Date.parse(left.startedAt)).toBeLessThan(Date.parse(right.completedAt));
    expect(Date.parse(right.startedAt)).toBeLessThan(Date.parse(left.completedAt));
    expect(Date.parse(join.startedAt)).toBeGreaterThanOrEqual(Math.max(Date.parse(left.completedAt), Date.parse(right.completedAt)));
  });

  it('retries a failing task with attempt + 1 after the backoff, then succeeds', async () => {
    const counter = path.join(h.dataDir, 'attempts');
    await h.apply({
      id: 'flaky',
      name: 'Flaky',
      tasks: [
        {
          id: 'try',
          type: 'shell',
          retry: { max: 3, backoff: '100ms' },
          with: { command: `echo x >> ${counter}; test $(wc -l < ${counter}) -ge 3` },
        },
      ],
    });
    const e = await h.runToEnd('flaky');
    expect(e.status).toBe('completed');
    expect(e.taskRuns.map((r) => [r.attempt, r.status])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'succeeded'],
    ]);
    const gap = Date.parse(run(e, 'try', 2).startedAt) - Date.parse(run(e, 'try', 1).completedAt);
    expect(gap).toBeGreaterThanOrEqual(90);
    expect(e.context?.tasks.try).toMatchObject({ status: 'succeeded', attempt: 3 });
    const transitions = await h.store.db.selectFrom('task_run_transitions').select(['to_state']).where('execution_id', '=', e.id).execute();
    expect(transitions.length).toBe(3 * 3); // pending, running, end for each attempt
  });

  it('gives up after the last retry and fails the execution', async () => {
    await h.apply({
      id: 'hopeless',
      name: 'Hopeless',
      tasks: [{ id: 'x', type: 'shell', retry: { max: 1, backoff: '10ms' }, with: { command: 'exit 1' } }],
    });
    const e = await h.runToEnd('hopeless');
    expect(e.status).toBe('failed');
    expect(e.taskRuns.map((r) => [r.attempt, r.status])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
    ]);
  });

  it('ends a task that runs past its timeout as timed_out and kills it', async () => {
    await h.apply({ id: 'slow', name: 'Slow', tasks: [{ id: 'wait', type: 'shell', timeout: '300ms', with: { command: 'sleep 20' } }] });
    const started = Date.now();
    const e = await h.runToEnd('slow');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(run(e, 'wait')).toMatchObject({ status: 'timed_out', error: { type: 'timeout', code: 'TASK_TIMEOUT' } });
    expect(e.status).toBe('failed');
  });

  it('ends an execution that runs past its own timeout as timed_out', async () => {
    await h.apply({
      id: 'late',
      name: 'Late',
      timeout: '400ms',
      tasks: [
        { id: 'long', type: 'sleep', with: { duration: '20s' } },
        { id: 'after', type: 'log', needs: ['long'], with: { message: 'never' } },
      ],
    });
    const e = await h.runToEnd('late');
    expect(e.status).toBe('timed_out');
    expect(e.error).toMatchObject({ code: 'EXECUTION_TIMEOUT' });
    expect(run(e, 'long').status).toBe('timed_out');
    expect(run(e, 'after').status).toBe('cancelled');
  });

  it('cancels a running shell task: the process group is gone and the reason is recorded', async () => {
    const pidFile = path.join(h.dataDir, 'pids');
    await h.apply({
      id: 'cancellable',
      name: 'Cancellable',
      tasks: [
        { id: 'work', type: 'shell', with: { command: `sleep 30 & echo $! > ${pidFile}; echo $$ >> ${pidFile}; wait` } },
        { id: 'after', type: 'log', needs: ['work'], with: { message: 'never' } },
      ],
    });
    const { body } = await h.api<{ executionId: string }>('POST', '/v1/workflows/cancellable/run', {});
    const pids = await waitFor(async () => {
      const text = fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8').trim().split('\n') : [];
      return text.length === 2 ? text.map(Number) : undefined;
    }, 'the shell to start');
    expect(pids.every(alive)).toBe(true);
    const res = await h.api<ExecutionView>('POST', `/v1/executions/${body.executionId}/cancel`, { reason: 'wrong branch' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('cancelled');
    expect(res.body.error).toMatchObject({ type: 'cancelled', code: 'CANCELLED', message: 'wrong branch' });
    expect(run(res.body, 'work').status).toBe('cancelled');
    expect(run(res.body, 'after').status).toBe('cancelled');
    await waitFor(async () => (pids.some(alive) ? undefined : true), 'the processes to exit', 5000);
    const again = await h.api('POST', `/v1/executions/${body.executionId}/cancel`, {});
    expect(again).toMatchObject({ status: 409, body: { code: 'INVALID_STATE' } });
  });

  it('skips the dependents of a failed task and fails the execution; independent branches finish', async () => {
    await h.apply({
      id: 'broken',
      name: 'Broken',
      tasks: [
        { id: 'build', type: 'shell', with: { command: 'exit 2' } },
        { id: 'test', type: 'log', needs: ['build'], with: { message: 'x' } },
        { id: 'deploy', type: 'log', needs: ['test'], with: { message: 'x' } },
        { id: 'docs', type: 'log', with: { message: 'independent' } },
      ],
    });
    const e = await h.runToEnd('broken');
    expect(e.status).toBe('failed');
    expect(Object.fromEntries(e.taskRuns.map((r) => [r.taskId, r.status]))).toEqual({
      build: 'failed',
      test: 'skipped',
      deploy: 'skipped',
      docs: 'succeeded',
    });
    expect(run(e, 'test').error).toMatchObject({ code: 'DEPENDENCY_FAILED', message: 'skipped: dependency build did not succeed' });
    expect(e.context?.tasks).toMatchObject({ build: { status: 'failed' }, deploy: { status: 'skipped' } });
  });

  it('fails a task whose template refers to something missing, naming it', async () => {
    await h.apply({ id: 'tpl', name: 'Template', tasks: [{ id: 'a', type: 'log', with: { message: '{{ secrets.NOT_SET }}' } }] });
    const e = await h.runToEnd('tpl');
    expect(e.status).toBe('failed');
    expect(run(e, 'a').error).toMatchObject({ code: 'TEMPLATE_ERROR', message: expect.stringContaining('NOT_SET') });
  });

  it('runs 50 executions concurrently and records every task run, sharing commits', async () => {
    await h.apply({
      id: 'fan',
      name: 'Fan',
      inputs: { n: { type: 'integer', required: true } },
      tasks: [
        { id: 'a', type: 'shell', with: { command: 'echo {{ inputs.n }}' } },
        { id: 'b', type: 'log', needs: ['a'], with: { message: 'n={{ tasks.a.output.stdout }}' } },
        { id: 'c', type: 'sleep', needs: ['a'], with: { duration: '10ms' } },
      ],
    });
    const ids = await Promise.all(
      Array.from(
        { length: 50 },
        async (_, n) => (await h.api<{ executionId: string }>('POST', '/v1/workflows/fan/run', { inputs: { n } })).body.executionId,
      ),
    );
    await Promise.all(ids.map((id) => h.engine.waitForExecution(id)));
    const rows = await h.store.db
      .selectFrom('task_runs')
      .select(['execution_id', 'task_id', 'status', 'output'])
      .where('execution_id', 'in', ids)
      .execute();
    expect(rows.length).toBe(150);
    expect(rows.every((r) => r.status === 'succeeded')).toBe(true);
    const executions = await h.store.db.selectFrom('executions').select(['id', 'status']).where('id', 'in', ids).execute();
    expect(executions.every((e) => e.status === 'completed')).toBe(true);
    for (const [n, id] of ids.entries()) {
      const e = (await h.api<ExecutionView>('GET', `/v1/executions/${id}`)).body;
      expect(run(e, 'b').output).toEqual({ level: 'INFO', message: `n=${n}` });
    }
    // group commit: fewer commits than state changes
    expect(h.writer.stats.commits).toBeLessThan(h.writer.stats.changes);
  });
});
