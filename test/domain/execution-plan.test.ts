import { describe, expect, it } from 'vitest';
import { HANDED_BACK, MAX_HAND_BACKS, type PlanInput, type PlannedRun } from '../../src/domain/execution-plan-model.ts';
import { planExecution } from '../../src/domain/execution-plan.ts';
import type { ExecutionStatus } from '../../src/domain/execution-status.ts';
import type { TaskRunStatus } from '../../src/domain/task-run-status.ts';
import type { TaskDefinition } from '../../src/domain/workflow-definition.ts';

const NOW = Date.parse('2026-12-02T12:00:00.000Z');
const EARLIER = '2026-12-02T11:59:00.000Z';

function task(id: string, needs: string[] = [], extra: Partial<TaskDefinition> = {}): TaskDefinition {
  return { id, type: 'log', needs, with: {}, ...extra };
}

/** `a:succeeded`, `b:pending`, `c:pending*` (claimable), `d:failed!` (not retryable), `e#2:failed` (attempt 2). */
function runs(...specs: string[]): PlannedRun[] {
  return specs.map((spec) => {
    const m = /^(\w+)(?:#(\d+))?:(\w+)([*!]?)(?:@(\w+))?$/.exec(spec);
    if (!m) throw new Error(`bad spec ${spec}`);
    const [, taskId, attempt, status, mark, code] = m;
    const failed = ['failed', 'timed_out', 'cancelled'].includes(status!);
    return {
      id: `${taskId}-${attempt ?? 1}`,
      taskId: taskId!,
      attempt: Number(attempt ?? 1),
      status: status as TaskRunStatus,
      availableAt: mark === '*' ? EARLIER : null,
      error: failed ? { code: code ?? 'EXIT_CODE', message: `${taskId} broke`, retryable: mark !== '!' } : null,
    };
  });
}

function plan(tasks: TaskDefinition[], runList: PlannedRun[], extra: Partial<PlanInput> = {}) {
  return planExecution({ tasks, runs: runList, status: 'running', isRecord: false, stop: null, now: NOW, ...extra });
}

const chain = [task('a'), task('b', ['a']), task('c', ['b'])];
const diamond = [task('a'), task('b', ['a']), task('c', ['a']), task('d', ['b', 'c'])];

describe('planExecution: what becomes ready', () => {
  it.each([
    ['a new chain: only the root', chain, runs('a:pending', 'b:pending', 'c:pending'), ['a-1']],
    ['a chain after its root succeeded', chain, runs('a:succeeded', 'b:pending', 'c:pending'), ['b-1']],
    [
      'a diamond after its root: both branches at once',
      diamond,
      runs('a:succeeded', 'b:pending', 'c:pending', 'd:pending'),
      ['b-1', 'c-1'],
    ],
    ['a diamond with one branch done: the join waits', diamond, runs('a:succeeded', 'b:succeeded', 'c:running', 'd:pending'), []],
    ['a diamond with both branches done: the join', diamond, runs('a:succeeded', 'b:succeeded', 'c:succeeded', 'd:pending'), ['d-1']],
    ['runs already claimable are not made ready twice', chain, runs('a:pending*', 'b:pending', 'c:pending'), []],
    [
      'independent roots all at once',
      [task('x'), task('y'), task('z')],
      runs('x:pending', 'y:pending', 'z:pending'),
      ['x-1', 'y-1', 'z-1'],
    ],
  ])('%s', (_name, tasks, runList, ready) => {
    const p = plan(tasks, runList);
    expect(p.ready).toEqual(ready);
    expect(p.end).toBeNull();
  });

  it('hands manual steps to a person instead of a worker', () => {
    const p = plan([task('a'), task('ok', ['a'], { type: 'manual' })], runs('a:succeeded', 'ok:pending'));
    expect(p).toMatchObject({ ready: [], waitForPerson: ['ok-1'], status: 'waiting' });
  });
});

describe('planExecution: failures, skips and retries', () => {
  it('skips everything downstream of a failure in one pass and fails the execution naming the task', () => {
    const p = plan(chain, runs('a:failed!', 'b:pending', 'c:pending'));
    expect(p.skip.map((s) => [s.runId, s.error.code, s.error.message])).toEqual([
      ['b-1', 'DEPENDENCY_FAILED', 'skipped: dependency a did not succeed'],
      ['c-1', 'DEPENDENCY_FAILED', 'skipped: dependency b did not succeed'],
    ]);
    expect(p.end).toMatchObject({ status: 'failed', error: { code: 'TASK_FAILED', message: 'task a failed: a broke' } });
  });

  it('lets an independent branch finish while skipping the failed one', () => {
    const tasks = [task('a'), task('b', ['a']), task('x')];
    const p = plan(tasks, runs('a:failed!', 'b:pending', 'x:running'));
    expect(p.skip.map((s) => s.runId)).toEqual(['b-1']);
    expect(p.end).toBeNull();
    expect(p.status).toBeNull();
  });

  it.each([
    ['a failure with attempts left retries after the backoff', { max: 2, backoff: '5s' }, 'a:failed', 1, NOW + 5000],
    ['a timeout is retried too', { max: 1, backoff: '0s' }, 'a:timed_out', 1, NOW],
    ['a lost lease is retried by policy', { max: 1, backoff: '1m' }, 'a:failed@LEASE_EXPIRED', 1, NOW + 60_000],
  ])('%s', (_name, retry, spec, attempt, availableAt) => {
    const p = plan([task('a', [], { retry }), task('b', ['a'])], runs(spec, 'b:pending'));
    expect(p.retry).toEqual([expect.objectContaining({ taskId: 'a', previousRunId: `a-${attempt}`, attempt: attempt + 1, availableAt })]);
    expect(p.skip).toEqual([]); // its dependents wait for the retry
    expect(p.end).toBeNull();
  });

  it.each([
    ['the last attempt was the last allowed', { max: 1, backoff: '0s' }, ['a:failed', 'a#2:failed']],
    ['the failure is not retryable', { max: 3, backoff: '0s' }, ['a:failed!']],
    ['a cancelled attempt is never retried', { max: 3, backoff: '0s' }, ['a:cancelled!']],
  ])('does not retry when %s', (_name, retry, specs) => {
    const p = plan([task('a', [], { retry })], runs(...specs));
    expect(p.retry).toEqual([]);
    expect(p.end?.status).toBe('failed');
  });

  it('runs an attempt handed back by a stopping worker again even without a retry policy, a bounded number of times', () => {
    expect(plan([task('a')], runs(`a:failed@${HANDED_BACK}`)).retry).toHaveLength(1);
    const handedBack = Array.from({ length: MAX_HAND_BACKS + 1 }, (_, i) => `a#${i + 1}:failed@${HANDED_BACK}`);
    expect(plan([task('a')], runs(...handedBack)).retry).toEqual([]);
  });

  it('completes when every task succeeded or was skipped', () => {
    const p = plan([task('a'), task('b')], runs('a:succeeded', 'b:skipped'));
    expect(p.end).toEqual({ status: 'completed', error: null });
  });

  it('waits for a retry whose backoff has not passed (the run exists, pending and scheduled)', () => {
    const later: PlannedRun = { ...runs('a#2:pending')[0]!, availableAt: '2026-12-02T12:05:00.000Z' };
    const p = plan([task('a', [], { retry: { max: 1, backoff: '5m' } })], [...runs('a:failed'), later]);
    expect(p).toMatchObject({ ready: [], retry: [], end: null });
  });
});

describe('planExecution: stopping', () => {
  it.each([
    ['cancelled', 'cancelled', 'CANCELLED'],
    ['timed_out', 'timed_out', 'EXECUTION_TIMEOUT'],
    ['failed_record', 'failed', 'RECORD_FAILED'],
  ] as const)('a %s stop cancels what has not started and waits for running attempts', (kind, status, code) => {
    const tasks = [task('a'), task('b'), task('c', ['a']), task('m', [], { type: 'manual' })];
    const stop = { kind, reason: 'because', actor: 'olga' };
    const running = plan(tasks, runs('a:running', 'b:succeeded', 'c:pending', 'm:waiting'), { stop });
    expect(running.cancel.map((c) => c.runId)).toEqual(['c-1', 'm-1']);
    expect(running.end).toBeNull();
    const done = plan(tasks, runs('a:cancelled', 'b:succeeded', 'c:cancelled', 'm:cancelled'), { stop });
    expect(done.end).toMatchObject({ status, error: { code, message: 'because' } });
    expect(done.retry).toEqual([]);
  });

  it('a completed record ends completed', () => {
    const p = plan([task('m', [], { type: 'manual' })], runs('m:succeeded'), {
      isRecord: true,
      stop: { kind: 'completed_record', reason: 'done' },
    });
    expect(p.end).toEqual({ status: 'completed', error: null });
  });

  it('an ended execution is left as it is', () => {
    for (const status of ['completed', 'failed', 'cancelled', 'timed_out'] satisfies ExecutionStatus[]) {
      const p = plan(chain, runs('a:pending', 'b:pending', 'c:pending'), { status });
      expect(p).toEqual({
        ready: [],
        waitForPerson: [],
        skip: [],
        fail: [],
        conditions: [],
        cancel: [],
        retry: [],
        finishGroups: [],
        startOnFailure: false,
        status: null,
        end: null,
      });
    }
  });
});

describe('planExecution: the execution status', () => {
  it.each<[string, ExecutionStatus, string[], ExecutionStatus | null]>([
    ['queued work keeps a new execution pending until a worker claims it', 'pending', ['a:pending', 'b:pending'], null],
    ['an execution whose only open work is a person is waiting', 'running', ['a:succeeded', 'b:waiting'], 'waiting'],
    ['a waiting execution runs again when work becomes ready', 'waiting', ['a:succeeded', 'b:succeeded', 'c:pending'], 'running'],
    ['a running attempt keeps it running', 'running', ['a:running', 'b:waiting'], null],
  ])('%s', (_name, status, specs, expected) => {
    const tasks = [task('a'), task('b', [], { type: 'manual' }), task('c', ['b'])];
    const list = runs(...specs);
    for (const t of ['a', 'b', 'c']) if (!list.some((r) => r.taskId === t)) list.push(...runs(`${t}:pending`));
    expect(plan(tasks, list, { status }).status).toBe(expected);
  });

  it('a human-run record stays running until a person ends it, even when every step has ended', () => {
    const p = plan([task('m', [], { type: 'manual' })], runs('m:succeeded'), { isRecord: true, status: 'running' });
    expect(p.end).toBeNull();
    expect(p.status).toBeNull();
  });
});
