import { describe, expect, it } from 'vitest';
import type { ConditionResult, PlanInput, PlannedRun } from '../../src/domain/execution-plan-model.ts';
import { planExecution } from '../../src/domain/execution-plan.ts';
import type { TaskRunStatus } from '../../src/domain/task-run-status.ts';
import type { TaskDefinition } from '../../src/domain/workflow-definition.ts';

const NOW = Date.parse('2026-12-02T12:00:00.000Z');
const EARLIER = '2026-12-02T11:59:00.000Z';

function task(id: string, needs: string[] = [], extra: Partial<TaskDefinition> = {}): TaskDefinition {
  return { id, type: 'log', needs, with: {}, ...extra };
}

/**
 * `a:succeeded`, `b:pending*` (claimable), `e[2]:failed` (item 2 of e), `n/f:pending` (an on_failure
 * run), `x#2:failed!` (attempt 2, not retryable).
 */
function runs(...specs: string[]): PlannedRun[] {
  return specs.map((spec) => {
    const m = /^(?:(f)\/)?(\w+)(?:\[(\d+)\])?(?:#(\d+))?:(\w+)([*!]?)$/.exec(spec);
    if (!m) throw new Error(`bad spec ${spec}`);
    const [, phase, taskId, item, attempt, status, mark] = m;
    const failed = ['failed', 'timed_out', 'cancelled'].includes(status!);
    return {
      id: `${taskId}${item === undefined ? '' : `[${item}]`}-${attempt ?? 1}`,
      taskId: taskId!,
      attempt: Number(attempt ?? 1),
      status: status as TaskRunStatus,
      availableAt: mark === '*' ? EARLIER : null,
      error: failed ? { code: 'EXIT_CODE', message: `${taskId} broke`, retryable: mark !== '!' } : null,
      phase: phase === 'f' ? 'on_failure' : 'main',
      itemIndex: item === undefined ? null : Number(item),
    };
  });
}

function plan(tasks: TaskDefinition[], runList: PlannedRun[], extra: Partial<PlanInput> = {}) {
  return planExecution({ tasks, runs: runList, status: 'running', isRecord: false, stop: null, now: NOW, ...extra });
}

const conditions =
  (results: Record<string, ConditionResult>) =>
  (t: TaskDefinition): ConditionResult =>
    results[t.id] ?? { value: true };

describe('planExecution: if', () => {
  const tasks = [task('a'), task('b', ['a'], { if: "inputs.env == 'prod'" }), task('c', ['b'])];

  it('a true condition lets the run through, and is recorded with it', () => {
    const p = plan(tasks, runs('a:succeeded', 'b:pending', 'c:pending'), { evaluate: conditions({ b: { value: true } }) });
    expect(p.ready).toEqual(['b-1']);
    expect(p.conditions).toEqual([{ runId: 'b-1', expression: "inputs.env == 'prod'" }]);
  });

  it('a false condition skips the run with the expression, and what needs it is skipped too; the execution completes', () => {
    const p = plan(tasks, runs('a:succeeded', 'b:pending', 'c:pending'), { evaluate: conditions({ b: { value: false } }) });
    expect(p.ready).toEqual([]);
    expect(p.skip.map((s) => [s.runId, s.error.code, s.error.message])).toEqual([
      ['b-1', 'CONDITION_FALSE', `skipped: if "inputs.env == 'prod'" is false`],
      ['c-1', 'DEPENDENCY_FAILED', 'skipped: dependency b did not succeed'],
    ]);
    expect(p.end).toEqual({ status: 'completed', error: null });
  });

  it('a condition that cannot be evaluated fails the run (typed) and the execution', () => {
    const p = plan(tasks, runs('a:succeeded', 'b:pending', 'c:pending'), { evaluate: conditions({ b: { error: 'No such key: env' } }) });
    expect(p.fail).toEqual([
      {
        runId: 'b-1',
        error: expect.objectContaining({
          code: 'EXPRESSION_ERROR',
          message: `if "inputs.env == 'prod'" could not be evaluated: No such key: env`,
        }),
      },
    ]);
    expect(p.skip.map((s) => s.runId)).toEqual(['c-1']);
    expect(p.end).toMatchObject({ status: 'failed', error: { code: 'TASK_FAILED' } });
  });

  it('a condition is evaluated only once its task may run', () => {
    const asked: string[] = [];
    plan(tasks, runs('a:running', 'b:pending', 'c:pending'), {
      evaluate: (t) => {
        asked.push(t.id);
        return { value: true };
      },
    });
    expect(asked).toEqual([]);
  });
});

describe('planExecution: for_each', () => {
  const each = (extra: Partial<TaskDefinition> = {}) => [
    task('list'),
    task('e', ['list'], { for_each: '{{ inputs.xs }}', ...extra }),
    task('after', ['e']),
  ];

  it("the task's own run is made ready for a worker to expand", () => {
    expect(plan(each(), runs('list:succeeded', 'e:pending', 'after:pending')).ready).toEqual(['e-1']);
  });

  it('while it is being expanded (no items yet), nothing else happens', () => {
    const p = plan(each(), runs('list:succeeded', 'e:running', 'after:pending'));
    expect(p).toMatchObject({ ready: [], skip: [], finishGroups: [], end: null });
  });

  it.each([
    [
      'without a limit: every item at once',
      undefined,
      runs('list:succeeded', 'e:running', 'e[0]:pending', 'e[1]:pending', 'e[2]:pending'),
      ['e[0]-1', 'e[1]-1', 'e[2]-1'],
    ],
    [
      'concurrency 2: the first two',
      2,
      runs('list:succeeded', 'e:running', 'e[0]:pending', 'e[1]:pending', 'e[2]:pending'),
      ['e[0]-1', 'e[1]-1'],
    ],
    ['concurrency 2, two in flight: none', 2, runs('list:succeeded', 'e:running', 'e[0]:running', 'e[1]:pending*', 'e[2]:pending'), []],
    [
      'concurrency 2, one ended: the next',
      2,
      runs('list:succeeded', 'e:running', 'e[0]:succeeded', 'e[1]:running', 'e[2]:pending', 'e[3]:pending'),
      ['e[2]-1'],
    ],
    ['a retried item counts as in flight', 1, runs('list:succeeded', 'e:running', 'e[0]:failed', 'e[1]:pending'), []],
  ])('%s', (_name, concurrency, runList, ready) => {
    const tasks = each({ ...(concurrency === undefined ? {} : { concurrency }), retry: { max: 1, backoff: '0s' } });
    expect(plan(tasks, [...runList, ...runs('after:pending')]).ready).toEqual(ready);
  });

  it('when every item succeeded, the task run succeeds and what needs it becomes ready', () => {
    const p = plan(each(), runs('list:succeeded', 'e:running', 'e[0]:succeeded', 'e[1]:succeeded', 'after:pending'));
    expect(p.finishGroups).toEqual([{ runId: 'e-1', taskId: 'e', status: 'succeeded', error: null }]);
    expect(p.ready).toEqual(['after-1']);
  });

  it('items counted as succeeded but not given (settledItems) are ended: the task finishes, or the next items start', () => {
    const settledItems = new Map([['e', 2]]);
    const allSettled = plan(each(), runs('list:succeeded', 'e:running', 'after:pending'), { settledItems });
    expect(allSettled.finishGroups).toEqual([{ runId: 'e-1', taskId: 'e', status: 'succeeded', error: null }]);
    const lastRunning = plan(each(), runs('list:succeeded', 'e:running', 'e[2]:running', 'after:pending'), { settledItems });
    expect(lastRunning.finishGroups).toEqual([]);
    const next = plan(each({ concurrency: 1 }), runs('list:succeeded', 'e:running', 'e[3]:pending', 'after:pending'), { settledItems });
    expect(next.ready).toEqual(['e[3]-1']);
    // Without the count, no item is known: its worker is still expanding it.
    expect(plan(each(), runs('list:succeeded', 'e:running', 'after:pending')).finishGroups).toEqual([]);
  });

  it('a failed item skips the items not started and, once the others ended, fails the task', () => {
    const running = plan(each(), runs('list:succeeded', 'e:running', 'e[0]:failed!', 'e[1]:running', 'e[2]:pending', 'after:pending'));
    expect(running.skip.map((s) => [s.runId, s.error.code])).toEqual([['e[2]-1', 'ITEM_FAILED']]);
    expect(running.finishGroups).toEqual([]);
    const ended = plan(each(), runs('list:succeeded', 'e:running', 'e[0]:failed!', 'e[1]:succeeded', 'e[2]:skipped', 'after:pending'));
    expect(ended.finishGroups).toEqual([
      {
        runId: 'e-1',
        taskId: 'e',
        status: 'failed',
        error: expect.objectContaining({ code: 'ITEM_FAILED', message: 'item 0 failed: e broke' }),
      },
    ]);
    expect(ended.skip.map((s) => s.runId)).toEqual(['after-1']);
    expect(ended.end).toMatchObject({ status: 'failed', error: { message: 'task e failed: item 0 failed: e broke' } });
  });

  it('with continue_on_failure a failed item does not stop the others nor fail the task', () => {
    const tasks = each({ continue_on_failure: true, concurrency: 1 });
    expect(plan(tasks, runs('list:succeeded', 'e:running', 'e[0]:failed!', 'e[1]:pending', 'after:pending')).ready).toEqual(['e[1]-1']);
    const ended = plan(tasks, runs('list:succeeded', 'e:running', 'e[0]:failed!', 'e[1]:succeeded', 'after:pending'));
    expect(ended.finishGroups).toEqual([{ runId: 'e-1', taskId: 'e', status: 'succeeded', error: null }]);
    expect(ended.ready).toEqual(['after-1']);
  });

  it('an item is retried by the task policy, one item at a time', () => {
    const p = plan(
      each({ retry: { max: 2, backoff: '1s' } }),
      runs('list:succeeded', 'e:running', 'e[0]:failed', 'e[1]:succeeded', 'after:pending'),
    );
    expect(p.retry).toEqual([expect.objectContaining({ taskId: 'e', previousRunId: 'e[0]-1', attempt: 2 })]);
    expect(p.finishGroups).toEqual([]);
  });

  it('a cancel cancels the items not started; the task run ends once its running items have', () => {
    const stop = { kind: 'cancelled' as const, reason: 'enough' };
    const p = plan(each(), runs('list:succeeded', 'e:running', 'e[0]:running', 'e[1]:pending', 'after:pending'), { stop });
    expect(p.cancel.map((c) => c.runId)).toEqual(['e[1]-1', 'after-1']);
    expect(p.end).toBeNull();
    const later = plan(each(), runs('list:succeeded', 'e:running', 'e[0]:cancelled', 'e[1]:cancelled', 'after:cancelled'), { stop });
    expect(later.finishGroups).toEqual([
      { runId: 'e-1', taskId: 'e', status: 'cancelled', error: expect.objectContaining({ code: 'CANCELLED' }) },
    ]);
    expect(later.end).toMatchObject({ status: 'cancelled' });
  });
});

describe('planExecution: on_failure', () => {
  const tasks = [task('a'), task('b', ['a'])];
  const onFailure = [task('notify'), task('page', ['notify'])];

  it('a failed execution starts its on_failure phase instead of ending', () => {
    const p = plan(tasks, runs('a:failed!', 'b:pending'), { onFailure });
    expect(p.skip.map((s) => s.runId)).toEqual(['b-1']);
    expect(p.startOnFailure).toBe(true);
    expect(p.end).toBeNull();
  });

  it('the on_failure tasks are planned as a DAG of their own', () => {
    const p = plan(tasks, runs('a:failed!', 'b:skipped', 'f/notify:pending', 'f/page:pending'), { onFailure });
    expect(p.ready).toEqual(['notify-1']);
    expect(p.startOnFailure).toBe(false);
    expect(p.end).toBeNull();
  });

  it('once they ended, the execution ends failed with the error of the failed task, whatever they did', () => {
    const p = plan(tasks, runs('a:failed!', 'b:skipped', 'f/notify:failed!', 'f/page:skipped'), { onFailure });
    expect(p.end).toMatchObject({ status: 'failed', error: { code: 'TASK_FAILED', message: 'task a failed: a broke' } });
  });

  it('a completed execution never runs them', () => {
    const p = plan(tasks, runs('a:succeeded', 'b:succeeded'), { onFailure });
    expect(p).toMatchObject({ startOnFailure: false, end: { status: 'completed' } });
  });

  it('a timed-out execution runs them after its running tasks stopped, then ends timed_out', () => {
    const stop = { kind: 'timed_out' as const, reason: 'execution timed out after 1s' };
    const running = plan(tasks, runs('a:running', 'b:pending'), { onFailure, stop });
    expect(running.cancel.map((c) => c.runId)).toEqual(['b-1']);
    expect(running.startOnFailure).toBe(false);
    expect(plan(tasks, runs('a:timed_out', 'b:cancelled'), { onFailure, stop }).startOnFailure).toBe(true);
    const phase = plan(tasks, runs('a:timed_out', 'b:cancelled', 'f/notify:pending', 'f/page:pending'), { onFailure, stop });
    expect(phase.ready).toEqual(['notify-1']);
    expect(phase.cancel).toEqual([]);
    const done = plan(tasks, runs('a:timed_out', 'b:cancelled', 'f/notify:succeeded', 'f/page:succeeded'), { onFailure, stop });
    expect(done.end).toMatchObject({ status: 'timed_out' });
  });

  it('a cancelled execution does not run them, and a cancel during the phase stops them', () => {
    const stop = { kind: 'cancelled' as const, reason: 'no' };
    expect(plan(tasks, runs('a:running', 'b:pending'), { onFailure, stop }).startOnFailure).toBe(false);
    const p = plan(tasks, runs('a:failed!', 'b:skipped', 'f/notify:succeeded', 'f/page:pending'), { onFailure, stop });
    expect(p.cancel.map((c) => c.runId)).toEqual(['page-1']);
    expect(p.end).toMatchObject({ status: 'cancelled' });
  });

  it('a human-run record has no on_failure phase', () => {
    expect(plan(tasks, runs('a:failed!', 'b:skipped'), { onFailure, isRecord: true }).startOnFailure).toBe(false);
  });
});
