import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.ts';
import { MIGRATION_NAMES } from '../../src/store/migrations/index.ts';
import { rollbackOne, migrateToLatest } from '../../src/store/store.ts';
import { createHarness, type ExecutionView, type Harness } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';

interface AuditItem {
  id: string;
  transitionId: string;
  workerId: string | null;
  correlationId: string | null;
  success: boolean;
  executionTimeMs: number | null;
  stepName: string;
  attempt: number;
  fromState: string;
  toState: string;
  result: unknown;
}

describeEachDialect('step-result audit', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    await h.dispose();
  });

  it('gets one row per result transition from the trigger, served with the full result by JOIN', async () => {
    await h.apply({
      id: 'steps',
      name: 'Steps',
      tasks: [
        {
          id: 'flaky',
          type: 'shell',
          retry: { max: 1, backoff: '10ms' },
          with: { command: 'test -f $MARK && echo ok || (touch $MARK; exit 1)', env: { MARK: `${h.dataDir}/mark` } },
        },
        { id: 'say', type: 'log', needs: ['flaky'], with: { message: 'done' } },
      ],
    });
    const res = await h.api<{ executionId: string }>('POST', '/v1/workflows/steps/run', { correlationId: 'corr-7' });
    await h.engine.waitForExecution(res.body.executionId);
    const e = (await h.api<ExecutionView>('GET', `/v1/executions/${res.body.executionId}`)).body;
    expect(e.status).toBe('completed');
    const [first, second] = e.taskRuns.filter((r) => r.taskId === 'flaky');
    const audit1 = await h.api<{ items: AuditItem[] }>('GET', `/v1/executions/${e.id}/tasks/${first!.id}/audit`);
    expect(audit1.status).toBe(200);
    expect(audit1.body.items).toEqual([
      expect.objectContaining({
        workerId: 'test-worker',
        correlationId: 'corr-7',
        success: false,
        stepName: 'flaky',
        attempt: 1,
        fromState: 'running',
        toState: 'failed',
        executionTimeMs: expect.any(Number),
        result: expect.objectContaining({ exitCode: 1 }),
      }),
    ]);
    const audit2 = await h.api<{ items: AuditItem[] }>('GET', `/v1/executions/${e.id}/tasks/${second!.id}/audit`);
    expect(audit2.body.items).toEqual([
      expect.objectContaining({ success: true, attempt: 2, toState: 'succeeded', result: expect.objectContaining({ stdout: 'ok' }) }),
    ]);
    const rows = await h.store.db.selectFrom('step_result_audit').select('id').where('execution_id', '=', e.id).execute();
    expect(rows.length).toBe(3); // two attempts of flaky, one of say; pending/running transitions get none

    // the step must belong to the execution
    const otherRun = e.taskRuns.find((r) => r.taskId === 'say')!;
    expect((await h.api('GET', `/v1/executions/${newId()}/tasks/${otherRun.id}/audit`)).status).toBe(404);
    expect(await h.api('GET', `/v1/executions/${e.id}/tasks/${newId()}/audit`)).toMatchObject({
      status: 404,
      body: { code: 'TASK_RUN_NOT_FOUND' },
    });
  });

  it('refuses UPDATE and DELETE of audit rows, except inside a retention purge window', async () => {
    await h.apply({ id: 'one', name: 'One', tasks: [{ id: 'a', type: 'log', with: { message: 'x' } }] });
    const e = await h.runToEnd('one');
    const db = h.store.db;
    await expect(db.updateTable('audit_events').set({ event_type: 'FORGED' }).where('execution_id', '=', e.id).execute()).rejects.toThrow(
      /append-only/,
    );
    await expect(db.deleteFrom('audit_events').where('execution_id', '=', e.id).execute()).rejects.toThrow(/append-only/);
    await expect(db.updateTable('step_result_audit').set({ worker_id: 'me' }).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('step_result_audit').execute()).rejects.toThrow(/append-only/);
    if (h.store.caps.dialect === 'postgres') await expect(sql`truncate audit_events`.execute(db)).rejects.toThrow(/append-only/);
    expect((await db.selectFrom('audit_events').select('id').where('execution_id', '=', e.id).execute()).length).toBeGreaterThan(3);

    // the hook the retention purge uses: a window opened and closed inside its own transaction
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('audit_purge_window').values({ opened_at: new Date().toISOString() }).execute();
      await trx.deleteFrom('step_result_audit').where('execution_id', '=', e.id).execute();
      await trx.deleteFrom('audit_purge_window').execute();
    });
    expect(await db.selectFrom('step_result_audit').select('id').where('execution_id', '=', e.id).execute()).toEqual([]);
    await expect(db.deleteFrom('audit_events').execute()).rejects.toThrow(/append-only/);
  });

  it('backfills rows for results recorded before the migration, with no attribution', async () => {
    await h.apply({ id: 'old', name: 'Old', tasks: [{ id: 'a', type: 'shell', with: { command: 'exit 2' } }] });
    const e = await h.runToEnd('old');
    // back to before 0004, then forward again: 0004's backfill meets the existing transitions
    const later = MIGRATION_NAMES.slice(MIGRATION_NAMES.indexOf('0004-step-result-audit'));
    for (const name of [...later].reverse()) expect(await rollbackOne(h.store)).toEqual([`rolled back ${name}`]);
    expect(await migrateToLatest(h.store)).toEqual(later.map((n) => `applied ${n}`));
    const rows = await h.store.db.selectFrom('step_result_audit').selectAll().where('execution_id', '=', e.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ worker_id: null, correlation_id: null, execution_time_ms: null, task_run_id: e.taskRuns[0]!.id });
    expect(Boolean(rows[0]!.success)).toBe(false);
  });
});
