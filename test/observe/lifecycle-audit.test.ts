import { afterEach, beforeEach, expect, it } from 'vitest';
import { auditHash, hashedContent } from '../../src/observe/audit-chain.ts';
import { listAuditEventsByExecution, type StoredAuditEvent } from '../../src/store/audit-event-repository.ts';
import { createHarness, type Harness } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';

/** Events of one execution as `TYPE` or `TYPE task from->to`, in chain order. */
function timeline(events: StoredAuditEvent[]): string[] {
  return [...events]
    .sort((a, b) => a.seq - b.seq)
    .map((e) => {
      const m = e.metadata as { taskId?: string; from?: string; to?: string; attempt?: number };
      const move = m.to ? ` ${m.from ?? '-'}->${m.to}` : '';
      if (m.taskId) return `${e.eventType} ${m.taskId}#${m.attempt}${move}`;
      return e.eventType === 'STATE_CHANGE' ? `${e.eventType}${move}` : e.eventType;
    });
}

function expectChained(events: StoredAuditEvent[]): void {
  const sorted = [...events].sort((a, b) => a.seq - b.seq);
  sorted.forEach((e, i) => {
    expect(e.seq).toBe(i + 1);
    expect(e.prevHash).toBe(i === 0 ? null : sorted[i - 1]!.hash);
    const { prevHash, hash } = e;
    const content = hashedContent(e);
    expect(hash).toBe(auditHash(prevHash, content));
  });
}

describeEachDialect('execution lifecycle audit', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    await h.dispose();
  });

  async function run(definition: Record<string, unknown>) {
    await h.apply(definition);
    const e = await h.runToEnd(String(definition.id));
    const events = await listAuditEventsByExecution(h.store.db, e.id);
    expectChained(events);
    return { e, events, lines: timeline(events) };
  }

  it('records every lifecycle event of a completed execution, in order, with its actor', async () => {
    const { events, lines } = await run({ id: 'ok', name: 'Ok', tasks: [{ id: 'a', type: 'log', with: { message: 'x' } }] });
    expect(lines).toEqual(['CREATED', 'STARTED', 'STATE_CHANGE a#1 pending->running', 'STATE_CHANGE a#1 running->succeeded', 'COMPLETED']);
    expect(events[0]?.actor).toMatchObject({ kind: 'user', username: 'admin' });
    expect(events[1]?.actor).toMatchObject({ kind: 'worker', workerId: 'test-worker' });
    expect(events.at(-1)?.metadata).toMatchObject({ to: 'completed', durationMs: expect.any(Number) });
  });

  it('records a failure, the skipped dependents and FAILED', async () => {
    const { lines } = await run({
      id: 'bad',
      name: 'Bad',
      tasks: [
        { id: 'a', type: 'shell', with: { command: 'exit 1' } },
        { id: 'b', type: 'log', needs: ['a'], with: { message: 'x' } },
      ],
    });
    expect(lines).toEqual([
      'CREATED',
      'STARTED',
      'STATE_CHANGE a#1 pending->running',
      'STATE_CHANGE a#1 running->failed',
      'STATE_CHANGE b#1 pending->skipped',
      'FAILED',
    ]);
  });

  it('records retries with their attempt numbers', async () => {
    const { lines } = await run({
      id: 'again',
      name: 'Again',
      tasks: [{ id: 'a', type: 'shell', retry: { max: 1, backoff: '10ms' }, with: { command: 'exit 1' } }],
    });
    expect(lines).toEqual([
      'CREATED',
      'STARTED',
      'STATE_CHANGE a#1 pending->running',
      'STATE_CHANGE a#1 running->failed',
      'RETRY a#2',
      'STATE_CHANGE a#2 pending->running',
      'STATE_CHANGE a#2 running->failed',
      'FAILED',
    ]);
  });

  it('records a timeout with its duration', async () => {
    const { lines, events } = await run({
      id: 'late',
      name: 'Late',
      timeout: '200ms',
      tasks: [{ id: 'a', type: 'sleep', with: { duration: '10s' } }],
    });
    expect(lines).toEqual([
      'CREATED',
      'STARTED',
      'STATE_CHANGE a#1 pending->running',
      'STOP_REQUESTED',
      'STATE_CHANGE a#1 running->timed_out',
      'TIMEOUT',
    ]);
    expect(events.find((e) => e.eventType === 'STOP_REQUESTED')?.metadata).toEqual({
      kind: 'timed_out',
      reason: 'execution timed out after 200ms',
    });
    expect(events.at(-1)?.metadata).toMatchObject({ durationMs: expect.any(Number), error: { code: 'EXECUTION_TIMEOUT' } });
  });

  it('records a cancellation with who cancelled and why', async () => {
    await h.apply({ id: 'stop', name: 'Stop', tasks: [{ id: 'a', type: 'sleep', with: { duration: '20s' } }] });
    const { body } = await h.api<{ executionId: string }>('POST', '/v1/workflows/stop/run', {});
    for (let i = 0; i < 100; i++) {
      const events = await listAuditEventsByExecution(h.store.db, body.executionId);
      if (events.some((e) => (e.metadata as { to?: string }).to === 'running' && (e.metadata as { taskId?: string }).taskId)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await h.api('POST', `/v1/executions/${body.executionId}/cancel`, { reason: 'not today' });
    const events = await listAuditEventsByExecution(h.store.db, body.executionId);
    expectChained(events);
    expect(timeline(events)).toEqual([
      'CREATED',
      'STARTED',
      'STATE_CHANGE a#1 pending->running',
      'STOP_REQUESTED',
      'STATE_CHANGE a#1 running->cancelled',
      'CANCELLED',
    ]);
    expect(events.find((e) => e.eventType === 'STOP_REQUESTED')).toMatchObject({
      actor: { kind: 'user', username: 'admin' },
      metadata: { kind: 'cancelled', reason: 'not today' },
    });
    expect(events.at(-1)).toMatchObject({
      actor: { kind: 'user', username: 'admin' },
      metadata: { error: { code: 'CANCELLED', message: 'not today' } },
    });
  });

  it('records workflow changes', async () => {
    await h.apply({ id: 'wf', name: 'One', tasks: [{ id: 'a', type: 'log', with: { message: 'x' } }] });
    await h.apply({ id: 'wf', name: 'Two', tasks: [{ id: 'a', type: 'log', with: { message: 'x' } }] });
    await h.api('DELETE', '/v1/workflows/wf');
    const rows = await h.store.db
      .selectFrom('audit_events')
      .select(['event_type', 'seq'])
      .where('subject_type', '=', 'workflow')
      .where('subject_id', '=', 'wf')
      .orderBy('seq')
      .execute();
    expect(rows.map((r) => r.event_type)).toEqual(['WORKFLOW_CREATED', 'WORKFLOW_UPDATED', 'WORKFLOW_DELETED']);
  });
});
