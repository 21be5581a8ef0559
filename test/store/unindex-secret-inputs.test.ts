import { afterEach, beforeEach, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.ts';
import { insertExecution } from '../../src/store/execution-repository.ts';
import { migrateToLatest, rollbackOne } from '../../src/store/store.ts';
import { insertWorkflow, insertWorkflowVersion } from '../../src/store/workflow-repository.ts';
import { createTestStore, describeEachDialect, type TestStore } from '../support/stores.ts';

/** Migration 0015 takes secret inputs an earlier version indexed out of the search index. */
describeEachDialect('migration 0015-unindex-secret-inputs', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createTestStore(dialect);
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('removes the index rows of secret inputs and keeps the others', async () => {
    const now = new Date().toISOString();
    await insertWorkflow(t.store.db, { id: 'old', name: 'Old', createdBy: null, now });
    await insertWorkflowVersion(t.store.db, {
      id: newId(),
      workflowId: 'old',
      version: 1,
      definition: {
        id: 'old',
        name: 'Old',
        inputs: {
          pw: { type: 'string', secret: true, required: false },
          creds: { type: 'object', secret: true, required: false },
          server: { type: 'string', secret: false, required: false },
        },
        tasks: [],
      },
      source: '',
      sourceFormat: 'json',
      checksum: '',
      createdBy: null,
      createdAt: now,
    });
    // as an earlier version indexed them: every input, secret ones included
    const id = newId();
    await insertExecution(t.store.db, {
      id,
      workflowId: 'old',
      workflowVersion: 1,
      trigger: 'api',
      triggeredBy: null,
      correlationId: null,
      title: null,
      inputs: { pw: '***', creds: { password: 'clear-object-secret' }, server: 'web-01' },
      createdAt: now,
    });
    const keys = async () =>
      (
        await t.store.db.selectFrom('execution_inputs').select(['key', 'value']).where('execution_id', '=', id).orderBy('key').execute()
      ).map((r) => `${r.key}=${r.value}`);
    expect(await keys()).toEqual(['creds={"password":"clear-object-secret"}', 'pw=***', 'server=web-01']);

    // Back to before 0015 (the later migrations first), then forward again.
    const rolledBack: string[] = [];
    while (!rolledBack.includes('rolled back 0015-unindex-secret-inputs')) {
      const step = await rollbackOne(t.store);
      expect(step).toHaveLength(1);
      rolledBack.push(...step);
    }
    expect(await migrateToLatest(t.store)).toContain('applied 0015-unindex-secret-inputs');
    expect(await keys()).toEqual(['server=web-01']);
  });
});
