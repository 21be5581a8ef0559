import { afterEach, beforeEach, expect, it } from 'vitest';
import { createHarness, type Harness, type TaskRunView } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';

interface FlowRun extends TaskRunView {
  phase: string;
  itemIndex: number | null;
  item: unknown;
  childExecutionId: string | null;
}

describeEachDialect('flow: if, for_each, on_failure, workflow tasks', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    await h.dispose();
  });

  async function verifies(executionId: string): Promise<void> {
    const verify = await h.api<{ ok: boolean; problems: string[] }>('GET', `/v1/audit/verify?execution=${executionId}`);
    expect(verify.body).toMatchObject({ ok: true });
  }

  const runsOf = (e: { taskRuns: TaskRunView[] }) => e.taskRuns as FlowRun[];

  it('if: a true condition runs the task, a false one skips it with the expression; the execution completes', async () => {
    await h.apply({
      id: 'branch',
      name: 'Branch',
      inputs: { env: { type: 'string', default: 'prod' }, count: { type: 'integer', default: 3 } },
      tasks: [
        { id: 'probe', type: 'shell', with: { command: 'echo \'{"healthy": true}\'' } },
        { id: 'prod_only', type: 'log', needs: ['probe'], if: "inputs.env == 'prod' && inputs.count + 1 == 4", with: { message: 'prod' } },
        { id: 'staging_only', type: 'log', needs: ['probe'], if: "inputs.env == 'staging'", with: { message: 'staging' } },
        { id: 'after_staging', type: 'log', needs: ['staging_only'], with: { message: 'after' } },
      ],
    });
    const e = await h.runToEnd('branch');
    expect(e.status).toBe('completed');
    const byTask = Object.fromEntries(e.taskRuns.map((r) => [r.taskId, r]));
    expect(byTask.prod_only).toMatchObject({ status: 'succeeded' });
    expect(byTask.staging_only).toMatchObject({
      status: 'skipped',
      error: { code: 'CONDITION_FALSE', message: `skipped: if "inputs.env == 'staging'" is false` },
    });
    expect(byTask.after_staging).toMatchObject({ status: 'skipped', error: { code: 'DEPENDENCY_FAILED' } });
    const logs = await h.api<{ items: Array<{ message: string }> }>('GET', `/v1/executions/${e.id}/logs?limit=500`);
    expect(logs.body.items.map((l) => l.message).join('\n')).toContain(
      `task prod_only: if "inputs.env == 'prod' && inputs.count + 1 == 4" is true`,
    );
    await verifies(e.id);
  });

  it('if: an expression that fails at run time fails the task run with EXPRESSION_ERROR', async () => {
    await h.apply({
      id: 'bad_if',
      name: 'Bad if',
      tasks: [
        { id: 'first', type: 'log', with: { message: 'x' } },
        { id: 'check', type: 'log', needs: ['first'], if: 'tasks.first.output.nothing == 1', with: { message: 'y' } },
      ],
    });
    const e = await h.runToEnd('bad_if');
    expect(e.status).toBe('failed');
    expect(e.taskRuns.find((r) => r.taskId === 'check')).toMatchObject({
      status: 'failed',
      error: { code: 'EXPRESSION_ERROR', message: expect.stringContaining('No such key: nothing') },
    });
    await verifies(e.id);
  });

  it('for_each: one run per item with its item and index, concurrency respected, output the list of outputs', async () => {
    await h.apply({
      id: 'fan',
      name: 'Fan out',
      inputs: { servers: { type: 'array', default: ['web1', 'web2', 'web3', 'web4', 'web5'] } },
      tasks: [
        {
          id: 'each_server',
          type: 'shell',
          for_each: '{{ inputs.servers }}',
          concurrency: 2,
          with: { command: 'sleep 0.2; echo "{{ index }}:$S"', env: { S: '{{ item }}' } },
        },
        // Its condition is evaluated in the very plan that ends the for_each task: the items' outputs are there.
        {
          id: 'summary',
          type: 'log',
          needs: ['each_server'],
          if: 'size(tasks.each_server.output) == 5',
          with: { message: 'done {{ tasks.each_server.output }}' },
        },
      ],
    });
    const e = await h.runToEnd('fan');
    expect(e.status).toBe('completed');
    const runs = runsOf(e);
    const items = runs.filter((r) => r.itemIndex !== null).sort((a, b) => a.itemIndex! - b.itemIndex!);
    expect(items.map((r) => [r.itemIndex, r.item, r.status])).toEqual([
      [0, 'web1', 'succeeded'],
      [1, 'web2', 'succeeded'],
      [2, 'web3', 'succeeded'],
      [3, 'web4', 'succeeded'],
      [4, 'web5', 'succeeded'],
    ]);
    expect(items.map((r) => String((r.output as { stdout: string }).stdout).trim())).toEqual([
      '0:web1',
      '1:web2',
      '2:web3',
      '3:web4',
      '4:web5',
    ]);
    const own = runs.find((r) => r.taskId === 'each_server' && r.itemIndex === null)!;
    expect(own).toMatchObject({ status: 'succeeded', input: { for_each: '{{ inputs.servers }}', items: 5 } });
    expect((own.output as Array<{ stdout: string }>).map((o) => o.stdout.trim())).toEqual([
      '0:web1',
      '1:web2',
      '2:web3',
      '3:web4',
      '4:web5',
    ]);
    // At most two items were running at any one time (from the stored timings).
    const spans = await Promise.all(
      items.map(async (r) => (await h.api<{ startedAt: string; completedAt: string }>('GET', `/v1/executions/${e.id}/tasks/${r.id}`)).body),
    );
    const runningAt = (t: string) => spans.filter((o) => o.startedAt <= t && t < o.completedAt).length;
    expect(Math.max(...spans.map((s) => runningAt(s.startedAt)))).toBe(2);
    expect(e.context?.tasks.each_server?.status).toBe('succeeded');
    expect(runs.find((r) => r.taskId === 'summary')?.status).toBe('succeeded');
    await verifies(e.id);
  });

  it('for_each: a failed item fails the task, unless continue_on_failure', async () => {
    const definition = (continueOnFailure: boolean) => ({
      id: continueOnFailure ? 'fan_continue' : 'fan_stop',
      name: 'Fan out with a failure',
      tasks: [
        {
          id: 'each',
          type: 'shell',
          for_each: '{{ [1, 2, 3] }}',
          concurrency: 1,
          continue_on_failure: continueOnFailure,
          with: { command: 'test "{{ item }}" != 2' },
        },
        { id: 'after', type: 'log', needs: ['each'], with: { message: 'after' } },
      ],
    });
    await h.apply(definition(false));
    const stopped = await h.runToEnd('fan_stop');
    expect(stopped.status).toBe('failed');
    const items = runsOf(stopped)
      .filter((r) => r.itemIndex !== null)
      .sort((a, b) => a.itemIndex! - b.itemIndex!);
    expect(items.map((r) => r.status)).toEqual(['succeeded', 'failed', 'skipped']);
    expect(stopped.error?.message).toContain('task each failed: item 1 failed');

    await h.apply(definition(true));
    const continued = await h.runToEnd('fan_continue');
    expect(continued.status).toBe('completed');
    const all = runsOf(continued)
      .filter((r) => r.itemIndex !== null)
      .sort((a, b) => a.itemIndex! - b.itemIndex!);
    expect(all.map((r) => r.status)).toEqual(['succeeded', 'failed', 'succeeded']);
    expect(continued.taskRuns.find((r) => r.taskId === 'after')?.status).toBe('succeeded');
    await verifies(stopped.id);
    await verifies(continued.id);
  });

  it('for_each over a list that is not one fails the task with FOR_EACH_NOT_A_LIST', async () => {
    await h.apply({
      id: 'not_list',
      name: 'Not a list',
      inputs: { servers: { type: 'string', default: 'web1' } },
      tasks: [{ id: 'each', type: 'log', for_each: '{{ inputs.servers }}', with: { message: '{{ item }}' } }],
    });
    const e = await h.runToEnd('not_list');
    expect(e.taskRuns[0]).toMatchObject({ status: 'failed', error: { code: 'FOR_EACH_NOT_A_LIST' } });
  });

  it('on_failure: runs once after a failure, in its own phase; the execution stays failed', async () => {
    await h.apply({
      id: 'notify_me',
      name: 'Notify',
      tasks: [
        { id: 'build', type: 'shell', with: { command: 'exit 3' } },
        { id: 'deploy', type: 'log', needs: ['build'], with: { message: 'deploy' } },
      ],
      on_failure: [
        { id: 'notify', type: 'log', with: { message: 'execution {{ execution.id }} of {{ execution.workflow_id }} failed' } },
        { id: 'page', type: 'log', needs: ['notify'], with: { message: 'paged' } },
      ],
    });
    const e = await h.runToEnd('notify_me');
    expect(e.status).toBe('failed');
    expect(e.error).toMatchObject({ code: 'TASK_FAILED', message: expect.stringContaining('task build failed') });
    const runs = runsOf(e);
    expect(runs.map((r) => [r.taskId, r.phase, r.status])).toEqual([
      ['build', 'main', 'failed'],
      ['deploy', 'main', 'skipped'],
      ['notify', 'on_failure', 'succeeded'],
      ['page', 'on_failure', 'succeeded'],
    ]);
    expect(runs.find((r) => r.taskId === 'notify')?.output).toMatchObject({ message: `execution ${e.id} of notify_me failed` });
    await verifies(e.id);

    // A success never runs them.
    await h.apply({
      id: 'quiet',
      name: 'Quiet',
      tasks: [{ id: 'ok', type: 'log', with: { message: 'fine' } }],
      on_failure: [{ id: 'notify', type: 'log', with: { message: 'no' } }],
    });
    const ok = await h.runToEnd('quiet');
    expect(ok.status).toBe('completed');
    expect(ok.taskRuns.map((r) => r.taskId)).toEqual(['ok']);
  });

  it('on_failure: runs after a timeout too, and the execution ends timed_out', async () => {
    await h.apply({
      id: 'slow',
      name: 'Slow',
      timeout: '300ms',
      tasks: [{ id: 'wait', type: 'sleep', with: { duration: '20s' } }],
      on_failure: [{ id: 'notify', type: 'shell', with: { command: 'sleep 0.3; echo told' } }],
    });
    const e = await h.runToEnd('slow');
    expect(e.status).toBe('timed_out');
    expect(runsOf(e).map((r) => [r.taskId, r.phase, r.status])).toEqual([
      ['wait', 'main', 'timed_out'],
      ['notify', 'on_failure', 'succeeded'],
    ]);
    await verifies(e.id);
  });

  it('workflow task: a linked child execution; the parent task takes its status and outputs', async () => {
    await h.apply({
      id: 'hello',
      name: 'Hello',
      inputs: { name: { type: 'string', required: true } },
      tasks: [{ id: 'greet', type: 'shell', with: { command: 'echo "hello $N"', env: { N: '{{ inputs.name }}' } } }],
    });
    await h.apply({
      id: 'parent',
      name: 'Parent',
      inputs: { env: { type: 'string', default: 'prod' } },
      tasks: [
        { id: 'child', type: 'workflow', with: { workflow: 'hello', inputs: { name: '{{ inputs.env }}' } } },
        { id: 'after', type: 'log', needs: ['child'], with: { message: 'child said {{ tasks.child.output.tasks.greet.output.stdout }}' } },
      ],
    });
    const e = await h.runToEnd('parent');
    expect(e.status).toBe('completed');
    const run = runsOf(e).find((r) => r.taskId === 'child')!;
    expect(run).toMatchObject({ status: 'succeeded', input: { workflow: 'hello', inputs: { name: 'prod' } } });
    expect(run.childExecutionId).toEqual(expect.any(String));
    expect(run.output).toMatchObject({ execution_id: run.childExecutionId, status: 'completed', workflow_id: 'hello' });
    expect(runsOf(e).find((r) => r.taskId === 'after')?.output).toMatchObject({
      message: expect.stringContaining('child said hello prod'),
    });
    const child = await h.api<{ trigger: string; parentExecutionId: string; parentTaskRunId: string; status: string }>(
      'GET',
      `/v1/executions/${run.childExecutionId}`,
    );
    expect(child.body).toMatchObject({ trigger: 'workflow', parentExecutionId: e.id, parentTaskRunId: run.id, status: 'completed' });
    await verifies(e.id);
    await verifies(run.childExecutionId!);
  });

  it('workflow task: a failed child fails the parent task; an unknown workflow fails it at once', async () => {
    await h.apply({ id: 'broken', name: 'Broken', tasks: [{ id: 'boom', type: 'shell', with: { command: 'exit 1' } }] });
    await h.apply({
      id: 'calls_broken',
      name: 'Calls broken',
      tasks: [
        { id: 'child', type: 'workflow', with: { workflow: 'broken' } },
        { id: 'missing', type: 'workflow', with: { workflow: 'nope' } },
      ],
    });
    const e = await h.runToEnd('calls_broken');
    expect(e.status).toBe('failed');
    const byTask = Object.fromEntries(runsOf(e).map((r) => [r.taskId, r]));
    expect(byTask.child).toMatchObject({ status: 'failed', error: { code: 'CHILD_EXECUTION_FAILED' }, output: { status: 'failed' } });
    expect(byTask.missing).toMatchObject({ status: 'failed', error: { code: 'WORKFLOW_NOT_FOUND' }, childExecutionId: null });
  });

  it('workflow task: cancelling the parent cancels the child, and the parent ends cancelled', async () => {
    await h.apply({ id: 'long', name: 'Long', tasks: [{ id: 'wait', type: 'sleep', with: { duration: '30s' } }] });
    await h.apply({ id: 'waits', name: 'Waits', tasks: [{ id: 'child', type: 'workflow', with: { workflow: 'long' } }] });
    const started = await h.api<{ executionId: string }>('POST', '/v1/workflows/waits/run', { inputs: {} });
    const id = started.body.executionId;
    let childId: string | null = null;
    for (let i = 0; i < 100 && childId === null; i++) {
      const e = await h.api<{ taskRuns: FlowRun[] }>('GET', `/v1/executions/${id}`);
      childId = e.body.taskRuns[0]?.childExecutionId ?? null;
      if (childId === null) await new Promise((r) => setTimeout(r, 50));
    }
    expect(childId).not.toBeNull();
    expect((await h.api('POST', `/v1/executions/${id}/cancel`, { reason: 'enough' })).status).toBeLessThan(300);
    expect(await h.engine.waitForExecution(id, 10_000)).toBe('cancelled');
    expect(await h.engine.waitForExecution(childId!, 10_000)).toBe('cancelled');
    const parent = await h.api<{ taskRuns: FlowRun[] }>('GET', `/v1/executions/${id}`);
    expect(parent.body.taskRuns[0]).toMatchObject({ status: 'cancelled', output: { status: 'cancelled' } });
    await verifies(id);
    await verifies(childId!);
  });

  it("workflow task: the child belongs to the parent's owner; a reader of the parent sees the link, not the child", async () => {
    const member = async (username: string) => {
      expect((await h.api('POST', '/v1/admin/users', { username, password: `${username}-password` })).status).toBe(201);
      return (await h.api<{ token: string }>('POST', '/v1/auth/login', { username, password: `${username}-password` }, null)).body.token;
    };
    const owner = await member('olivia');
    const reader = await member('sam');
    await h.apply({ id: 'leaf', name: 'Leaf', tasks: [{ id: 'hi', type: 'log', with: { message: 'hi' } }] });
    await h.apply({ id: 'caller', name: 'Caller', tasks: [{ id: 'call', type: 'workflow', with: { workflow: 'leaf' } }] });
    const run = await h.api<{ executionId: string }>('POST', '/v1/workflows/caller/run', { inputs: {} }, owner);
    const id = run.body.executionId;
    expect(await h.engine.waitForExecution(id, 10_000)).toBe('completed');
    expect((await h.api('PUT', `/v1/executions/${id}/shares`, { scope: 'shared', users: ['sam'], groups: [] }, owner)).status).toBe(200);

    const seen = await h.api<{ taskRuns: FlowRun[] }>('GET', `/v1/executions/${id}`, undefined, reader);
    expect(seen.status).toBe(200);
    const childId = seen.body.taskRuns[0]!.childExecutionId!;
    expect(seen.body.taskRuns[0]).toMatchObject({ status: 'succeeded', output: { execution_id: childId, status: 'completed' } });
    expect((await h.api('GET', `/v1/executions/${childId}`, undefined, reader)).status).toBe(404);
    const mine = await h.api<{ parentExecutionId: string; trigger: string }>('GET', `/v1/executions/${childId}`, undefined, owner);
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ parentExecutionId: id, trigger: 'workflow' });
  });

  it('audit verify names an item, a phase or a child link changed in the rows after the fact', async () => {
    await h.apply({ id: 'leaf', name: 'Leaf', tasks: [{ id: 'hi', type: 'log', with: { message: 'hi' } }] });
    await h.apply({
      id: 'mixed',
      name: 'Mixed',
      tasks: [
        { id: 'each', type: 'log', for_each: "{{ ['a', 'b'] }}", with: { message: '{{ item }}' } },
        { id: 'call', type: 'workflow', needs: ['each'], with: { workflow: 'leaf' } },
        { id: 'fail', type: 'shell', needs: ['call'], with: { command: 'exit 1' } },
      ],
      on_failure: [{ id: 'notify', type: 'log', with: { message: 'failed' } }],
    });
    const e = await h.runToEnd('mixed');
    expect(e.status).toBe('failed');
    await verifies(e.id);
    const runs = runsOf(e);
    const item = runs.find((r) => r.itemIndex === 1)!;
    const call = runs.find((r) => r.taskId === 'call')!;
    const notify = runs.find((r) => r.taskId === 'notify')!;
    await h.store.db
      .updateTable('task_runs')
      .set({ item: JSON.stringify('z') })
      .where('id', '=', item.id)
      .execute();
    await h.store.db.updateTable('task_runs').set({ child_execution_id: notify.id }).where('id', '=', call.id).execute();
    await h.store.db.updateTable('task_runs').set({ phase: 'main' }).where('id', '=', notify.id).execute();
    const verify = await h.api<{ ok: boolean; problems: string[] }>('GET', `/v1/audit/verify?execution=${e.id}`);
    expect(verify.body.ok).toBe(false);
    const text = JSON.stringify(verify.body);
    expect(text).toContain(
      `for_each of task run ${runs.find((r) => r.taskId === 'each' && r.itemIndex === null)!.id}: its items are not the ones recorded`,
    );
    expect(text).toContain(`task run call#1 (${call.id}): its child execution is not the one recorded`);
    expect(text).toContain(`task run notify#1 (${notify.id}): recorded as an on_failure task, but not marked so`);
  });

  it('apply refuses an expression that does not parse, with its path (problem+json)', async () => {
    const res = await h.api<{ code: string; details: { problems: string[] } }>('PUT', '/v1/workflows/bad_expr', {
      id: 'bad_expr',
      name: 'Bad',
      tasks: [
        { id: 'a', type: 'log', if: 'inputs.env ==', with: { message: 'x' } },
        { id: 'b', type: 'log', for_each: '{{ tasks.c.output }}', with: { message: '{{ item }}' } },
        { id: 'c', type: 'log', with: { message: 'x' } },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'INVALID_DEFINITION',
      details: {
        problems: [
          'tasks[0].if: cannot read expression "inputs.env ==": Unexpected token: EOF',
          'tasks[1].for_each: references task "c" which is not among its needs',
        ],
      },
    });
  });

  it('for_each over a workflow task: one child execution per item', async () => {
    await h.apply({
      id: 'hello',
      name: 'Hello',
      inputs: { name: { type: 'string', required: true } },
      tasks: [{ id: 'greet', type: 'log', with: { message: 'hello {{ inputs.name }}' } }],
    });
    await h.apply({
      id: 'fan_children',
      name: 'Fan children',
      tasks: [
        {
          id: 'each',
          type: 'workflow',
          for_each: "{{ ['ada', 'grace'] }}",
          concurrency: 1,
          with: { workflow: 'hello', inputs: { name: '{{ item }}' } },
        },
      ],
    });
    const e = await h.runToEnd('fan_children');
    expect(e.status).toBe('completed');
    const items = runsOf(e)
      .filter((r) => r.itemIndex !== null)
      .sort((a, b) => a.itemIndex! - b.itemIndex!);
    expect(
      items.map((r) => [r.status, (r.output as { tasks: { greet: { output: { message: string } } } }).tasks.greet.output.message]),
    ).toEqual([
      ['succeeded', 'hello ada'],
      ['succeeded', 'hello grace'],
    ]);
    expect(new Set(items.map((r) => r.childExecutionId)).size).toBe(2);
    await verifies(e.id);
  });
});
