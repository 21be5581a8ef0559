import crypto from 'node:crypto';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.ts';
import { SecretBox } from '../../src/engine/secret-box.ts';
import { listAuditChain } from '../../src/store/audit-event-repository.ts';
import { getExecution } from '../../src/store/execution-repository.ts';
import { listStalledExecutionIds } from '../../src/store/execution-schedule-repository.ts';
import { listTaskRunsByExecution, listTransitions } from '../../src/store/task-run-repository.ts';
import { nowIso } from '../../src/domain/time.ts';
import { failure } from '../../src/domain/task-failure.ts';
import { reportAttempts, type AttemptReport } from '../../src/engine/task-run-leases.ts';
import { createHarness, createSecondEngine, type ExecutionView, type Harness } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';
import { waitFor } from '../support/wait-for.ts';

const person = { kind: 'user' as const, userId: null, username: 'ops', role: 'admin' as const };

describeEachDialect('leases and the store as the scheduler', (dialect) => {
  let h: Harness | undefined;
  const engines: Engine[] = [];
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.shutdown();
    await h?.dispose();
    h = undefined;
  });

  async function runsOf(id: string) {
    return listTaskRunsByExecution(h!.store.db, id);
  }

  it('ends the attempts of a dead worker as LEASE_EXPIRED, retries them by policy, and another worker carries on', async () => {
    h = await createHarness(dialect, { leaseMs: 1000 });
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
    await waitFor(async () => {
      const runs = await runsOf(id);
      return runs.filter((r) => r.status === 'running').length === 2 && runs.some((r) => r.status === 'waiting') ? true : undefined;
    }, 'two running attempts and a waiting step');
    // The process dies: nothing more is recorded by it.
    await h.engine.die();
    expect((await runsOf(id)).filter((r) => r.status === 'running').length).toBe(2);

    const next = await createSecondEngine(h, { workerId: 'second-life', leaseMs: 1000 });
    engines.push(next);
    const waiting = (await runsOf(id)).find((r) => r.taskId === 'person')!;
    await next.completeManualStep(id, waiting.id, { status: 'succeeded', notes: null, actor: person });
    expect(await next.waitForExecution(id, 20_000)).toBe('failed');

    const runs = await runsOf(id);
    const summary = runs
      .map((r) => [r.taskId, r.attempt, r.status, r.error?.code ?? null])
      .sort((a, b) => `${a[0]}${a[1]}`.localeCompare(`${b[0]}${b[1]}`));
    expect(summary).toEqual([
      ['once', 1, 'failed', 'LEASE_EXPIRED'],
      ['person', 1, 'succeeded', null],
      ['slow', 1, 'failed', 'LEASE_EXPIRED'],
      ['slow', 2, 'succeeded', null],
    ]);
    expect(runs.find((r) => r.taskId === 'slow' && r.attempt === 2)).toMatchObject({
      output: { stdout: 'retried' },
      leaseOwner: 'second-life',
    });
    const lost = runs.find((r) => r.taskId === 'once')!;
    expect((await listTransitions(h.store.db, lost.id)).at(-1)).toMatchObject({
      fromState: 'running',
      toState: 'failed',
      metadata: { reason: 'LEASE_EXPIRED', lostWorkerId: 'test-worker', workerId: 'second-life' },
    });
    const audit = await h.api<{ verification: { ok: boolean } }>('GET', `/v1/executions/${id}/audit`);
    expect(audit.body.verification.ok).toBe(true);
  });

  it('refuses and audits the late report of a worker whose lease expired; the retry decides the result', async () => {
    h = await createHarness(dialect);
    await h.apply({
      id: 'late',
      name: 'Late',
      tasks: [{ id: 'slow', type: 'shell', retry: { max: 1, backoff: '0s' }, with: { command: 'sleep 1; echo finished' } }],
    });
    const { body } = await h.api<{ executionId: string }>('POST', '/v1/workflows/late/run', {});
    const id = body.executionId;
    const first = await waitFor(async () => (await runsOf(id)).find((r) => r.status === 'running'), 'the first attempt to run');
    // The worker stalls past its lease (as if its process were stopped): the sweeper takes the run away.
    await h.store.db.updateTable('task_runs').set({ lease_expires_at: '2000-01-01T00:00:00.000Z' }).where('id', '=', first.id).execute();
    await h.engine.sweeper!.sweep();
    expect(await h.engine.waitForExecution(id, 20_000)).toBe('completed');
    await waitFor(() => (h!.engine.worker!.stats.refused > 0 ? true : undefined), 'the late report');

    const runs = await runsOf(id);
    expect(runs.map((r) => [r.attempt, r.status, r.error?.code ?? null])).toEqual([
      [1, 'failed', 'LEASE_EXPIRED'],
      [2, 'succeeded', null],
    ]);
    const events = await listAuditChain(h.store.db, 'execution', id);
    const refused = events.filter((e) => e.eventType === 'LATE_REPORT_REFUSED');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.metadata).toMatchObject({ taskRunId: first.id, fence: 1, current: { status: 'failed' } });
    expect(events.filter((e) => ['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT'].includes(e.eventType))).toHaveLength(1);
    const audit = await h.api<{ verification: { ok: boolean } }>('GET', `/v1/executions/${id}/audit`);
    expect(audit.body.verification.ok).toBe(true);
  });

  it('reports attempts that end together as one set: each applied one planned, a late one refused and audited alone', async () => {
    h = await createHarness(dialect);
    await h.apply({
      id: 'pair',
      name: 'Pair',
      tasks: [
        { id: 'a', type: 'sleep', with: { duration: '3s' } },
        { id: 'b', type: 'sleep', with: { duration: '3s' } },
        { id: 'after', type: 'log', needs: ['a', 'b'], with: { message: 'after {{ tasks.a.output.by }}' } },
      ],
    });
    await h.apply({ id: 'single', name: 'Single', tasks: [{ id: 's', type: 'sleep', with: { duration: '3s' } }] });
    const start = async (workflow: string) =>
      (await h!.api<{ executionId: string }>('POST', `/v1/workflows/${workflow}/run`, {})).body.executionId;
    const [pair, one, late] = [await start('pair'), await start('single'), await start('single')];
    const running = await waitFor(async () => {
      const runs = [...(await runsOf(pair)), ...(await runsOf(one)), ...(await runsOf(late))].filter((r) => r.status === 'running');
      return runs.length === 4 ? runs : undefined;
    }, 'four attempts to run');
    const reports: AttemptReport[] = running.map((run) => ({
      run: run.executionId === late ? { ...run, fence: run.fence + 1 } : run, // its lease moved on
      status: 'succeeded',
      input: null,
      output: { by: 'set' },
      sealedOutput: null,
      error: null,
      correlationId: run.executionId,
      message: `task ${run.taskId} succeeded`,
      lines: [],
      completedAt: nowIso(),
    }));
    const result = await h.writer.submit((trx, tx) => reportAttempts(trx, tx, h!.deps, reports));
    expect(result.applied).toEqual(running.map((r) => r.executionId !== late));

    // The pair's two ends were planned together: its last task ran after both, and the execution completed.
    expect(await h.engine.waitForExecution(pair, 20_000)).toBe('completed');
    expect(await h.engine.waitForExecution(one, 20_000)).toBe('completed');
    expect((await runsOf(pair)).map((r) => [r.taskId, r.status, r.output])).toEqual([
      ['a', 'succeeded', { by: 'set' }],
      ['b', 'succeeded', { by: 'set' }],
      ['after', 'succeeded', { level: 'INFO', message: 'after set' }],
    ]);
    // The refused report changed nothing: the worker's own report ends that run.
    expect(await h.engine.waitForExecution(late, 20_000)).toBe('completed');
    const lateRun = (await runsOf(late))[0]!;
    expect(lateRun.output).not.toEqual({ by: 'set' });
    const refused = (await listAuditChain(h.store.db, 'execution', late)).filter((e) => e.eventType === 'LATE_REPORT_REFUSED');
    expect(refused.map((e) => e.metadata.taskRunId)).toEqual([lateRun.id]);
    for (const id of [pair, one, late]) {
      const audit = await h.api<{ verification: { ok: boolean } }>('GET', `/v1/executions/${id}/audit`);
      expect(audit.body.verification.ok).toBe(true);
    }
  });

  it('ends the executions of one report set together, each with its own status, record and audit; a child ends its parent in the set', async () => {
    h = await createHarness(dialect);
    await h.apply({ id: 'single', name: 'Single', tasks: [{ id: 's', type: 'sleep', with: { duration: '3s' } }] });
    await h.apply({
      id: 'parent',
      name: 'Parent',
      tasks: [{ id: 'call', type: 'workflow', with: { workflow: 'single' } }],
    });
    const start = async (workflow: string) =>
      (await h!.api<{ executionId: string }>('POST', `/v1/workflows/${workflow}/run`, {})).body.executionId;
    const [ok, broken, parent] = [await start('single'), await start('single'), await start('parent')];
    const child = await waitFor(async () => (await runsOf(parent))[0]?.childExecutionId ?? undefined, 'the child to start');
    const running = await waitFor(async () => {
      const runs = [...(await runsOf(ok)), ...(await runsOf(broken)), ...(await runsOf(child))].filter((r) => r.status === 'running');
      return runs.length === 3 ? runs : undefined;
    }, 'three attempts to run');
    const reports: AttemptReport[] = running.map((run) => ({
      run,
      status: run.executionId === broken ? 'failed' : 'succeeded',
      input: null,
      output: run.executionId === broken ? null : { from: run.executionId },
      sealedOutput: null,
      error: run.executionId === broken ? failure('task', 'BROKEN', 'it broke', { retryable: false }) : null,
      correlationId: run.executionId,
      message: `task ${run.taskId} ended`,
      lines: [],
      completedAt: nowIso(),
    }));
    const result = await h.writer.submit((trx, tx) => reportAttempts(trx, tx, h!.deps, reports));
    expect(result.applied).toEqual([true, true, true]);

    // Ended by the set itself, before any other transaction.
    const now = async (id: string) => (await getExecution(h!.store.db, id))!;
    expect(await now(ok)).toMatchObject({
      status: 'completed',
      error: null,
      context: { tasks: { s: { status: 'succeeded', output: { from: ok } } } },
    });
    expect(await now(broken)).toMatchObject({ status: 'failed', error: { code: 'TASK_FAILED' } });
    expect(await now(child)).toMatchObject({ status: 'completed' });
    expect(await now(parent)).toMatchObject({ status: 'completed' });
    for (const id of [ok, broken, child, parent]) expect((await now(id)).completedAt).not.toBeNull();
    const ends = async (id: string) =>
      (await listAuditChain(h!.store.db, 'execution', id))
        .filter((e) => ['COMPLETED', 'FAILED'].includes(e.eventType))
        .map((e) => e.eventType);
    expect([await ends(ok), await ends(broken), await ends(child), await ends(parent)]).toEqual([
      ['COMPLETED'],
      ['FAILED'],
      ['COMPLETED'],
      ['COMPLETED'],
    ]);
    for (const id of [ok, broken, child, parent]) {
      const audit = await h.api<{ verification: { ok: boolean } }>('GET', `/v1/executions/${id}/audit`);
      expect(audit.body.verification.ok).toBe(true);
    }
  });

  it('keeps secret inputs sealed across a restart: the next process runs the task with the real value', async () => {
    h = await createHarness(dialect);
    await h.apply({
      id: 'deploy',
      name: 'Deploy',
      inputs: { token: { type: 'string', secret: true, required: true } },
      tasks: [
        { id: 'approve', type: 'manual' },
        {
          id: 'use',
          type: 'shell',
          needs: ['approve'],
          with: { command: 'printf %s "$TOKEN" | wc -c', env: { TOKEN: '{{ inputs.token }}' } },
        },
      ],
    });
    const token = 'tok-0123456789abc'; // 17 characters
    const { body } = await h.api<{ executionId: string }>('POST', '/v1/workflows/deploy/run', { inputs: { token } });
    const id = body.executionId;
    const approve = await waitFor(async () => (await runsOf(id)).find((r) => r.status === 'waiting'), 'the manual step');
    const sealed = await h.store.db.selectFrom('executions').select('sealed_secrets').where('id', '=', id).executeTakeFirstOrThrow();
    expect(sealed.sealed_secrets).toMatch(/^rl1\./);
    expect(sealed.sealed_secrets).not.toContain(token);
    await h.engine.die();

    const next = await createSecondEngine(h, { workerId: 'after-restart' });
    engines.push(next);
    await next.completeManualStep(id, approve.id, { status: 'succeeded', notes: `approved, token ${token}`, actor: person });
    expect(await next.waitForExecution(id, 20_000)).toBe('completed');
    const use = (await runsOf(id)).find((r) => r.taskId === 'use')!;
    expect((use.output as { stdout: string }).stdout.trim()).toBe('17');
    expect((await runsOf(id)).find((r) => r.taskId === 'approve')?.notes).toBe('approved, token ***');
    // Crypto-shredding: the sealed copy is gone with the execution's end.
    const after = await h.store.db.selectFrom('executions').select('sealed_secrets').where('id', '=', id).executeTakeFirstOrThrow();
    expect(after.sealed_secrets).toBeNull();
  });

  it('fails a task with SECRET_KEY_UNAVAILABLE when its worker holds another key, never running it with ***', async () => {
    h = await createHarness(dialect, { worker: false });
    await h.apply({
      id: 'deploy',
      name: 'Deploy',
      inputs: { token: { type: 'string', secret: true, required: true } },
      tasks: [{ id: 'use', type: 'shell', with: { command: 'echo "$TOKEN"', env: { TOKEN: '{{ inputs.token }}' } } }],
    });
    const { body } = await h.api<{ executionId: string }>('POST', '/v1/workflows/deploy/run', { inputs: { token: 'tok-0123456789abc' } });
    const stranger = await createSecondEngine(h, { workerId: 'other-key', secrets: new SecretBox(crypto.randomBytes(32)) });
    engines.push(stranger);
    expect(await stranger.waitForExecution(body.executionId, 20_000)).toBe('failed');
    const [run] = await runsOf(body.executionId);
    expect(run).toMatchObject({ status: 'failed', error: { code: 'SECRET_KEY_UNAVAILABLE' }, output: null });
    expect(run!.error!.message).toContain('RUNLEDGER_SECRET_KEY');
  });

  it('a starting worker plans the executions nothing is under way in, and leaves the others to their claims', async () => {
    h = await createHarness(dialect, { worker: false });
    await h.apply({
      id: 'pair',
      name: 'Pair',
      tasks: [
        { id: 'a', type: 'log', with: { message: 'a' } },
        { id: 'b', type: 'log', needs: ['a'], with: { message: 'b' } },
      ],
    });
    const start = async () => (await h!.api<{ executionId: string }>('POST', '/v1/workflows/pair/run', {})).body.executionId;
    const [stalled, queued] = [await start(), await start()];
    // A plan that was never made (a process stopped before it, an older version's rows): no run of
    // `stalled` is claimable, so no claim would ever come to it.
    await h.store.db.updateTable('task_runs').set({ available_at: null }).where('execution_id', '=', stalled).execute();
    expect(await listStalledExecutionIds(h.store.db, 100)).toEqual([stalled]);

    const worker = await createSecondEngine(h, { workerId: 'worker-start' });
    engines.push(worker);
    expect(await worker.waitForExecution(stalled, 20_000)).toBe('completed');
    expect(await worker.waitForExecution(queued, 20_000)).toBe('completed');
    expect(await listStalledExecutionIds(h.store.db, 100)).toEqual([]);
  });

  it('runs nothing on an API-only node; a worker elsewhere runs it, and the API node completes steps and cancels', async () => {
    h = await createHarness(dialect, { worker: false });
    await h.apply({
      id: 'gate',
      name: 'Gate',
      tasks: [
        { id: 'first', type: 'log', with: { message: 'first' } },
        { id: 'approve', type: 'manual', needs: ['first'] },
        { id: 'slow', type: 'shell', needs: ['approve'], with: { command: 'sleep 30' } },
      ],
    });
    const { body } = await h.api<{ executionId: string }>('POST', '/v1/workflows/gate/run', {});
    const id = body.executionId;
    await new Promise((r) => setTimeout(r, 500));
    expect((await getExecution(h.store.db, id))?.status).toBe('pending');
    expect((await runsOf(id)).map((r) => r.status)).toEqual(['pending', 'pending', 'pending']);

    const worker = await createSecondEngine(h, { workerId: 'worker-1' });
    engines.push(worker);
    const approve = await waitFor(
      async () => (await runsOf(id)).find((r) => r.taskId === 'approve' && r.status === 'waiting'),
      'the manual step',
    );
    const completed = await h.api<{ status: string }>('POST', `/v1/executions/${id}/steps/${approve.id}/complete`, { status: 'succeeded' });
    expect([completed.status, completed.body.status]).toEqual([200, 'succeeded']);
    await waitFor(
      async () => (await runsOf(id)).find((r) => r.taskId === 'slow' && r.status === 'running'),
      'the worker to run the shell task',
    );

    const cancelled = await h.api<ExecutionView>('POST', `/v1/executions/${id}/cancel`, { reason: 'wrong window' });
    expect([cancelled.status, cancelled.body.status]).toEqual([200, 'cancelled']);
    expect(cancelled.body.error).toMatchObject({ code: 'CANCELLED', message: 'wrong window' });
    const slow = (await runsOf(id)).find((r) => r.taskId === 'slow')!;
    expect(slow).toMatchObject({ status: 'cancelled', workerId: 'worker-1' });
  });
});
