import path from 'node:path';
import pc from 'picocolors';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExecutionDetail, StepResultAuditEntry } from '../../src/client/types.ts';
import { formatDuration } from '../../src/cli/render/format.ts';
import { renderTimeline } from '../../src/cli/render/timeline-view.ts';
import { verifyLifecycle } from '../../src/observe/audit-verify.ts';
import { listAuditEventsByExecution, type StoredAuditEvent } from '../../src/store/audit-event-repository.ts';
import { createHarness, type Harness } from '../support/harness.ts';
import { describeEachDialect, tempDir } from '../support/stores.ts';
import { waitFor } from '../support/wait-for.ts';

/**
 * The record never contradicts itself: each duration is completedAt − startedAt wherever it is shown
 * (the API, the step-result audit, the timeline), and every state change records one state left and
 * one entered, on executions with retries, waits, manual steps and a human-run record.
 */
const retriesWaitsAndAPerson = (mark: string) => ({
  id: 'mixed',
  name: 'Mixed',
  tasks: [
    {
      id: 'flaky',
      type: 'shell',
      retry: { max: 2, backoff: '50ms' },
      // fails its first attempt, after a while: a retry with a backoff between two attempts
      with: { env: { MARK: mark }, command: 'test -f "$MARK" || { touch "$MARK"; sleep 0.1; exit 1; }' },
    },
    { id: 'pause', type: 'sleep', needs: ['flaky'], with: { duration: '150ms' } },
    { id: 'look', type: 'manual', needs: ['pause'], with: { description: 'Look at it.' } },
    { id: 'after', type: 'log', needs: ['look'], with: { message: 'done' } },
  ],
});

function checkDurations(e: ExecutionDetail, stepAudit: StepResultAuditEntry[]): void {
  expect(e.durationMs).toBe(Date.parse(e.completedAt!) - Date.parse(e.startedAt!));
  for (const r of e.taskRuns) {
    const expected = r.startedAt && r.completedAt ? Date.parse(r.completedAt) - Date.parse(r.startedAt) : null;
    expect({ task: `${r.taskId}#${r.attempt}`, durationMs: r.durationMs }).toEqual({
      task: `${r.taskId}#${r.attempt}`,
      durationMs: expected,
    });
    for (const a of stepAudit.filter((s) => s.taskRunId === r.id)) expect(a.executionTimeMs).toBe(r.durationMs);
  }
  // the timeline labels each bar with the same number as the task table
  const timeline = renderTimeline(e.taskRuns, Date.now(), pc.createColors(false));
  for (const r of e.taskRuns.filter((run) => run.startedAt !== null))
    expect(timeline).toMatch(new RegExp(`^${r.taskId} .* ${formatDuration(r.durationMs).replace('.', '\\.')} +${r.status}$`, 'm'));
}

function checkTransitions(events: StoredAuditEvent[], status: string): void {
  const moves = events.filter((ev) => 'to' in ev.metadata || 'from' in ev.metadata);
  expect(moves.length).toBeGreaterThan(0);
  for (const ev of moves) {
    expect(typeof ev.metadata.to, `${ev.eventType} ${JSON.stringify(ev.metadata)}`).toBe('string');
    expect(typeof ev.metadata.from, `${ev.eventType} ${JSON.stringify(ev.metadata)}`).toBe('string');
  }
  expect(verifyLifecycle(events, status)).toEqual([]);
}

describeEachDialect('one record, the same numbers in every view', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    await h.dispose();
  });

  async function detail(id: string): Promise<ExecutionDetail> {
    return (await h.api<ExecutionDetail>('GET', `/v1/executions/${id}`)).body;
  }

  async function untilWaiting(id: string, taskId: string): Promise<string> {
    return waitFor(
      async () => (await detail(id)).taskRuns.find((r) => r.taskId === taskId && r.status === 'waiting')?.id,
      `${taskId} to wait`,
    );
  }

  it('keeps durations and transitions consistent through a retry, a sleep and a manual step', async () => {
    await h.apply(retriesWaitsAndAPerson(path.join(tempDir(), 'failed-once')));
    const { body } = await h.api<{ executionId: string }>('POST', '/v1/workflows/mixed/run', {});
    const look = await untilWaiting(body.executionId, 'look');
    await new Promise((r) => setTimeout(r, 50));
    expect(
      (await h.api('POST', `/v1/executions/${body.executionId}/steps/${look}/complete`, { status: 'succeeded', notes: 'fine' })).status,
    ).toBe(200);
    await h.engine.waitForExecution(body.executionId);
    const e = await detail(body.executionId);
    expect(e.status).toBe('completed');
    expect(
      e.taskRuns.filter((r) => r.taskId === 'flaky').map((r) => r.status),
      JSON.stringify(e.taskRuns.map((r) => [r.taskId, r.status, r.output])),
    ).toEqual(['failed', 'succeeded']);
    checkDurations(e, (await h.api<{ items: StepResultAuditEntry[] }>('GET', `/v1/executions/${e.id}/step-audit`)).body.items);
    checkTransitions(await listAuditEventsByExecution(h.store.db, e.id), e.status);
  });

  it('keeps them consistent on a human-run record ended by a person, and on a cancelled run', async () => {
    await h.apply({ name: 'Record', id: 'record', tasks: [{ id: 'look', type: 'manual', with: { description: 'Look.' } }] });
    const { body } = await h.api<{ executionId: string; status: string }>('POST', '/v1/workflows/record/run', { procedure: true });
    expect(body.status).toBe('running');
    const look = await untilWaiting(body.executionId, 'look');
    await h.api('POST', `/v1/executions/${body.executionId}/steps/${look}/complete`, { status: 'succeeded' });
    expect((await h.api('PATCH', `/v1/executions/${body.executionId}`, { status: 'completed' })).status).toBe(200);
    const record = await detail(body.executionId);
    expect(record.status).toBe('completed');
    checkDurations(record, (await h.api<{ items: StepResultAuditEntry[] }>('GET', `/v1/executions/${record.id}/step-audit`)).body.items);
    checkTransitions(await listAuditEventsByExecution(h.store.db, record.id), record.status);

    await h.apply({
      id: 'long',
      name: 'Long',
      tasks: [
        { id: 'nap', type: 'sleep', with: { duration: '20s' } },
        { id: 'next', type: 'log', needs: ['nap'], with: { message: 'x' } },
      ],
    });
    const run = (await h.api<{ executionId: string }>('POST', '/v1/workflows/long/run', {})).body;
    await waitFor(
      async () => ((await detail(run.executionId)).taskRuns.some((r) => r.status === 'running') ? true : undefined),
      'nap to run',
    );
    await h.api('POST', `/v1/executions/${run.executionId}/cancel`, { reason: 'enough' });
    await h.engine.waitForExecution(run.executionId);
    const cancelled = await detail(run.executionId);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.taskRuns.find((r) => r.taskId === 'next')).toMatchObject({ status: 'cancelled', durationMs: null });
    checkDurations(
      cancelled,
      (await h.api<{ items: StepResultAuditEntry[] }>('GET', `/v1/executions/${cancelled.id}/step-audit`)).body.items,
    );
    checkTransitions(await listAuditEventsByExecution(h.store.db, cancelled.id), cancelled.status);
  });
});

describe('verifyLifecycle', () => {
  const event = (seq: number, eventType: string, metadata: Record<string, unknown>): StoredAuditEvent =>
    ({ id: `e${seq}`, seq, eventType, metadata }) as StoredAuditEvent;

  it('passes a chain whose changes follow on from each other', () => {
    const events = [
      event(1, 'CREATED', {}),
      event(2, 'STARTED', { from: 'pending', to: 'running' }),
      event(3, 'STATE_CHANGE', { taskId: 'a', attempt: 1, from: 'pending', to: 'running' }),
      event(4, 'COMPLETED', { from: 'running', to: 'completed' }),
    ];
    expect(verifyLifecycle(events, 'completed')).toEqual([]);
  });

  it('names an event that records a set of states instead of the one it left', () => {
    const events = [
      event(1, 'CREATED', {}),
      event(2, 'STARTED', { from: 'pending', to: 'running' }),
      event(3, 'CANCELLED', { from: ['pending', 'running', 'waiting'], to: 'cancelled' }),
    ];
    expect(verifyLifecycle(events, 'cancelled')).toEqual([
      'lifecycle: event e3 (seq 3, CANCELLED) records {"from":["pending","running","waiting"],"to":"cancelled"}, not one state left and one entered',
    ]);
  });

  it('names a change that does not follow from the previous one', () => {
    const events = [
      event(1, 'CREATED', {}),
      event(2, 'STARTED', { from: 'pending', to: 'running' }),
      event(3, 'FAILED', { from: 'waiting', to: 'failed' }),
    ];
    expect(verifyLifecycle(events, 'failed')).toEqual(['lifecycle: event e3 (seq 3, FAILED) leaves waiting but the execution was running']);
  });
});
