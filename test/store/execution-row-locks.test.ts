import { afterEach, beforeEach, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.ts';
import { insertExecutions } from '../../src/store/execution-repository.ts';
import { holdsExecutionLocks } from '../../src/store/execution-row-locks.ts';
import { lockExecutionSchedules } from '../../src/store/execution-schedule-repository.ts';
import { insertWorkflow, insertWorkflowVersion } from '../../src/store/workflow-repository.ts';
import { createTestStore, describeEachDialect, type TestStore } from '../support/stores.ts';

const execution = (workflowId: string) => ({
  id: newId(),
  workflowId,
  workflowVersion: 1,
  trigger: 'api' as const,
  triggeredBy: null,
  correlationId: null,
  title: null,
  inputs: {},
  createdAt: new Date().toISOString(),
});

describeEachDialect('the execution rows a transaction holds locked', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createTestStore(dialect);
    const now = new Date().toISOString();
    await insertWorkflow(t.store.db, { id: 'w', name: 'W', createdBy: null, now });
    await insertWorkflowVersion(t.store.db, {
      id: newId(),
      workflowId: 'w',
      version: 1,
      definition: { id: 'w', name: 'W', inputs: {}, tasks: [] },
      source: '{}',
      sourceFormat: 'json',
      checksum: 'x',
      createdBy: null,
      createdAt: now,
    });
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('are those it inserted or locked, in that transaction only', async () => {
    const [a, b, c] = [execution('w'), execution('w'), execution('w')];
    await insertExecutions(t.store.db, [a, b]);
    // Written outside a transaction: nothing stays locked, and nothing is noted.
    expect(holdsExecutionLocks(t.store.db, [a.id])).toBe(false);
    await t.store.db.transaction().execute(async (trx) => {
      expect(holdsExecutionLocks(trx, [a.id])).toBe(false);
      await insertExecutions(trx, [c]);
      expect(holdsExecutionLocks(trx, [c.id])).toBe(true);
      expect(holdsExecutionLocks(trx, [a.id, c.id])).toBe(false);
      await lockExecutionSchedules(trx, t.store.caps, [a.id]);
      // Only PostgreSQL locks rows; SQLite's one writer holds the whole store.
      expect(holdsExecutionLocks(trx, [a.id, c.id])).toBe(dialect === 'postgres');
      expect(holdsExecutionLocks(trx, [a.id, b.id, c.id])).toBe(false);
    });
    await t.store.db.transaction().execute(async (trx) => {
      expect(holdsExecutionLocks(trx, [c.id])).toBe(false);
    });
  });
});
