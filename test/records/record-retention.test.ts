import { afterEach, beforeEach, expect, it } from 'vitest';
import { recordRetentionSettings } from '../../src/observe/retention.ts';
import { applyRecordRetention } from '../../src/records/execution-deletion.ts';
import { listAuditChain } from '../../src/store/audit-event-repository.ts';
import { createHarness, type Harness } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';
import { SYSTEM_ACTOR } from '../../src/observe/audit-logger.ts';

const DAY_MS = 86_400_000;

describeEachDialect('record retention', (dialect) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness(dialect);
    await h.apply({ id: 'quick', name: 'Quick', tasks: [{ id: 'say', type: 'log', with: { message: 'hi' } }] });
  });
  afterEach(async () => {
    await h.dispose();
  });

  it('deletes (softly, audited) only the records that ended before the retention; the rest stay', async () => {
    const old = await h.runToEnd('quick');
    const recent = await h.runToEnd('quick');
    const running = (await h.api<{ executionId: string }>('POST', '/v1/workflows/quick/run', {})).body.executionId;
    await h.engine.waitForExecution(running);
    const longAgo = new Date(Date.now() - 40 * DAY_MS).toISOString();
    await h.store.db.updateTable('executions').set({ completed_at: longAgo }).where('id', '=', old.id).execute();

    expect(await applyRecordRetention(h.store.db, 30, SYSTEM_ACTOR)).toBe(1);
    expect((await h.api('GET', `/v1/executions/${old.id}`)).status).toBe(404);
    expect((await h.api('GET', `/v1/executions/${recent.id}`)).status).toBe(200);
    const deleted = await h.api<{ items: { id: string }[] }>('GET', '/v1/executions?deleted=true');
    expect(deleted.body.items.map((e) => e.id)).toEqual([old.id]);
    const event = (await listAuditChain(h.store.db, 'execution', old.id)).at(-1)!;
    expect(event).toMatchObject({ eventType: 'DELETED', metadata: { reason: 'retention', recordRetentionDays: 30 } });
    expect(event.actor.kind).toBe('system');
    // Nothing else is old enough: a second run deletes nothing.
    expect(await applyRecordRetention(h.store.db, 30, SYSTEM_ACTOR)).toBe(0);
  });

  it('audits the record retention setting and its changes', async () => {
    expect(await recordRetentionSettings(h.store.db, { logDays: 30, auditDays: 365, recordDays: null }, SYSTEM_ACTOR)).toBe(true);
    expect(await recordRetentionSettings(h.store.db, { logDays: 30, auditDays: 365 }, SYSTEM_ACTOR)).toBe(false);
    expect(await recordRetentionSettings(h.store.db, { logDays: 30, auditDays: 365, recordDays: 730 }, SYSTEM_ACTOR)).toBe(true);
    const chain = await listAuditChain(h.store.db, 'system', 'retention-settings');
    expect(chain.map((e) => e.eventType)).toEqual(['RETENTION_SET', 'RETENTION_CHANGED']);
    expect(chain[1]!.metadata).toMatchObject({ recordDays: 730, previous: { recordDays: null } });
  });
});
