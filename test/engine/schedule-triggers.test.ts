import { afterEach, beforeEach, expect, it } from 'vitest';
import { ExecutionCommands } from '../../src/engine/execution-commands.ts';
import { StateWriter } from '../../src/engine/state-writer.ts';
import { TriggerScheduler } from '../../src/engine/trigger-scheduler.ts';
import { WorkflowVersionCache } from '../../src/engine/workflow-version-cache.ts';
import { bindAuditKey } from '../../src/observe/audit-authentication.ts';
import { AuditSigner } from '../../src/observe/audit-signer.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { createHarness, type Harness } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';

/**
 * Schedules with a controllable clock: the scheduler is given `now`, the store decides. No background
 * scheduler runs here (the harness has no worker), so every look at the store is the test's own.
 */

const MINUTE = 60_000;

function everyMinute(id: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    name: `Every minute ${id}`,
    inputs: { env: { type: 'string', required: true } },
    triggers: [{ id: 'tick', cron: '* * * * *', inputs: { env: 'prod' }, ...extra }],
    tasks: [{ id: 'say', type: 'log', with: { message: 'tick for {{ inputs.env }}' } }],
  };
}

describeEachDialect('schedule triggers', (dialect) => {
  let h: Harness;
  let scheduler: TriggerScheduler;

  beforeEach(async () => {
    h = await createHarness(dialect, { worker: false });
    scheduler = new TriggerScheduler(h.deps, h.engine.commands, { pollMs: 1000, graceMs: 10_000 });
  });
  afterEach(() => h.dispose());

  const nextDue = async (workflowId: string) =>
    Date.parse(
      (
        await h.store.db
          .selectFrom('trigger_schedules')
          .select('next_due_at')
          .where('workflow_id', '=', workflowId)
          .executeTakeFirstOrThrow()
      ).next_due_at,
    );
  const executions = (workflowId: string) =>
    h.store.db
      .selectFrom('executions')
      .select(['id', 'trigger', 'trigger_id', 'triggered_by', 'inputs'])
      .where('workflow_id', '=', workflowId)
      .orderBy('id')
      .execute();
  const fires = (workflowId: string) =>
    h.store.db
      .selectFrom('trigger_fires')
      .select(['due_at', 'status', 'execution_id', 'reason'])
      .where('workflow_id', '=', workflowId)
      .orderBy('due_at')
      .execute();

  it('a one-minute cron starts one execution per due time, recorded as trigger schedule with its trigger id', async () => {
    await h.apply(everyMinute('ticker'));
    const due = await nextDue('ticker');
    expect(due % MINUTE).toBe(0);
    expect(due - Date.now()).toBeLessThanOrEqual(MINUTE);

    await scheduler.pass(new Date(due - 1000));
    expect(await executions('ticker')).toHaveLength(0);

    await scheduler.pass(new Date(due + 1500));
    await scheduler.pass(new Date(due + 2500)); // looked at again: nothing more
    const [first, ...others] = await executions('ticker');
    expect(others).toHaveLength(0);
    expect(first).toMatchObject({ trigger: 'schedule', trigger_id: 'tick', triggered_by: null });
    expect(await nextDue('ticker')).toBe(due + MINUTE);

    await scheduler.pass(new Date(due + MINUTE + 500));
    expect(await executions('ticker')).toHaveLength(2);
    const recorded = await fires('ticker');
    expect(recorded.map((f) => [Date.parse(f.due_at!), f.status])).toEqual([
      [due, 'started'],
      [due + MINUTE, 'started'],
    ]);

    // The audit trail says what started it: trigger, trigger id, due time, and which node claimed it.
    const created = await h.api<{ items: { eventType: string; actor: Record<string, unknown>; metadata: Record<string, unknown> }[] }>(
      'GET',
      `/v1/executions/${first!.id}/audit`,
    );
    const event = created.body.items.find((e) => e.eventType === 'CREATED')!;
    expect(event.metadata).toMatchObject({
      trigger: 'schedule',
      triggerId: 'tick',
      dueAt: new Date(due).toISOString(),
      inputs: { env: 'prod' },
    });
    expect(event.actor).toMatchObject({ kind: 'worker', workerId: 'test-worker' });
    expect((await h.api<{ ok: boolean }>('GET', '/v1/audit/verify')).body.ok).toBe(true);
  });

  it('due times missed while nothing ran are recorded as skipped and audited, not run in a burst', async () => {
    await h.apply(everyMinute('sleeper'));
    const due = await nextDue('sleeper');
    // Down for five due times; the last one is 30 s old (beyond the 10 s grace).
    await scheduler.pass(new Date(due + 4 * MINUTE + 30_000));
    expect(await executions('sleeper')).toHaveLength(0);
    const recorded = await fires('sleeper');
    expect(recorded.map((f) => f.status)).toEqual(['skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
    expect(recorded.map((f) => Date.parse(f.due_at!))).toEqual([0, 1, 2, 3, 4].map((i) => due + i * MINUTE));
    expect(recorded[0]!.reason).toMatch(/missed/);
    expect(await nextDue('sleeper')).toBe(due + 5 * MINUTE);

    const audit = await h.api<{ items: { eventType: string; metadata: Record<string, unknown> }[] }>(
      'GET',
      '/v1/audit?subjectType=workflow',
    );
    const missed = audit.body.items.filter((e) => e.eventType === 'SCHEDULE_MISSED');
    expect(missed).toHaveLength(1);
    expect(missed[0]!.metadata).toMatchObject({
      triggerId: 'tick',
      skipped: 5,
      first: new Date(due).toISOString(),
      last: new Date(due + 4 * MINUTE).toISOString(),
      caughtUp: null,
    });

    // Back up: the next due time runs as usual.
    await scheduler.pass(new Date(due + 5 * MINUTE + 200));
    expect(await executions('sleeper')).toHaveLength(1);
  });

  it('catch_up: true runs the latest missed due time once and skips the others', async () => {
    await h.apply(everyMinute('catcher', { catch_up: true }));
    const due = await nextDue('catcher');
    await scheduler.pass(new Date(due + 3 * MINUTE + 40_000));
    const started = await executions('catcher');
    expect(started).toHaveLength(1);
    const recorded = await fires('catcher');
    expect(recorded.map((f) => [Date.parse(f.due_at!), f.status])).toEqual([
      [due, 'skipped'],
      [due + MINUTE, 'skipped'],
      [due + 2 * MINUTE, 'skipped'],
      [due + 3 * MINUTE, 'started'],
    ]);
    expect(recorded[3]!.execution_id).toBe(started[0]!.id);
    expect(recorded[3]!.reason).toMatch(/catch_up/);
  });

  it('a changed cron starts afresh; a removed trigger or a deleted workflow leaves no schedule', async () => {
    await h.apply(everyMinute('changing'));
    await h.apply({
      ...everyMinute('changing'),
      triggers: [{ id: 'tick', cron: '0 3 * * *', timezone: 'Europe/Paris', inputs: { env: 'x' } }],
    });
    const list = await h.api<{ items: { workflowId: string; cron: string; timezone: string; nextRuns: string[] }[] }>(
      'GET',
      '/v1/schedules?workflow=changing',
    );
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ cron: '0 3 * * *', timezone: 'Europe/Paris' });
    // 03:00 in Paris is 02:00 UTC in winter, 01:00 UTC in summer.
    for (const at of list.body.items[0]!.nextRuns) expect(new Date(at).getUTCHours()).toBeOneOf([1, 2]);
    expect(list.body.items[0]!.nextRuns).toHaveLength(3);

    await h.apply({ ...everyMinute('changing'), triggers: undefined });
    expect((await h.api<{ items: unknown[] }>('GET', '/v1/schedules?workflow=changing')).body.items).toHaveLength(0);
    await h.apply(everyMinute('changing'));
    expect(await h.api('DELETE', '/v1/workflows/changing')).toMatchObject({ status: 204 });
    expect((await h.api<{ items: unknown[] }>('GET', '/v1/schedules')).body.items).toHaveLength(0);
  });

  it('a trigger whose inputs no longer start the workflow is refused at apply', async () => {
    const res = await h.api<{ code: string; problems: string[] }>('PUT', '/v1/workflows/bad', {
      ...everyMinute('bad'),
      triggers: [{ id: 'tick', cron: '* * * * *' }],
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'INVALID_DEFINITION' });
  });

  if (dialect === 'postgres') {
    it('two schedulers on two connection pools racing over the same due times start each exactly once', async () => {
      const second: Store = await bindAuditKey(
        openStore({ dataDir: h.dataDir, databaseUrl: h.databaseUrl!, schema: h.schema! }),
        AuditSigner.load(h.dataDir, undefined),
      );
      try {
        const deps = {
          ...h.deps,
          db: second.db,
          writer: new StateWriter(second.db, { maxInFlight: 8 }),
          versions: new WorkflowVersionCache(),
          workerId: 'node-b',
        };
        const other = new TriggerScheduler(deps, new ExecutionCommands(deps), { pollMs: 1000, graceMs: 10_000 });
        const ids = Array.from({ length: 12 }, (_, i) => `race_${i}`);
        for (const id of ids) await h.apply(everyMinute(id));
        const due = Math.max(...(await Promise.all(ids.map(nextDue))));
        for (let round = 0; round < 3; round++) {
          const now = new Date(due + round * MINUTE + 700);
          await Promise.all([scheduler.pass(now), other.pass(now), scheduler.pass(now)]);
        }
        for (const id of ids) {
          const started = await executions(id);
          expect(started, id).toHaveLength(3);
          expect((await fires(id)).filter((f) => f.status === 'started')).toHaveLength(3);
        }
        // Between them the two nodes started each due time once; what one started, the other lost.
        expect(scheduler.stats.started + other.stats.started).toBe(ids.length * 3);
        expect((await h.api<{ ok: boolean }>('GET', '/v1/audit/verify')).body.ok).toBe(true);
      } finally {
        await second.close();
      }
    });
  }
});
