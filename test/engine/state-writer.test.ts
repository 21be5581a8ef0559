import { afterEach, beforeEach, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.ts';
import { StateWriter } from '../../src/engine/state-writer.ts';
import { insertUser } from '../../src/store/user-repository.ts';
import { createTestStore, describeEachDialect, type TestStore } from '../support/stores.ts';

describeEachDialect('StateWriter', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createTestStore(dialect);
  });
  afterEach(async () => {
    await t.dispose();
  });

  const user = (username: string) => ({ id: newId(), username, passwordHash: 'h', role: 'member' as const, now: new Date().toISOString() });

  it('commits changes that are ready together in one transaction', async () => {
    const writer = new StateWriter(t.store.db);
    const names = Array.from({ length: 20 }, (_, i) => `u${i}`);
    const results = await Promise.all(names.map((n) => writer.submit(async (trx) => (await insertUser(trx, user(n)), n))));
    expect(results).toEqual(names);
    expect(writer.stats).toEqual({ commits: 1, changes: 20 });
    expect((await t.store.db.selectFrom('users').select('username').execute()).length).toBe(20);
  });

  it('replays a batch one by one when a change fails, so only that change is lost', async () => {
    const writer = new StateWriter(t.store.db);
    const outcomes = await Promise.allSettled([
      writer.submit((trx) => insertUser(trx, user('ada'))),
      writer.submit((trx) => insertUser(trx, user('ada'))), // unique username: fails
      writer.submit((trx) => insertUser(trx, user('grace'))),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const rows = await t.store.db.selectFrom('users').select('username').orderBy('username').execute();
    expect(rows.map((r) => r.username)).toEqual(['ada', 'grace']);
    await writer.drain();
  });

  it('rejects a lone failing change with its own error and keeps serving', async () => {
    const writer = new StateWriter(t.store.db, { maxInFlight: 2, maxBatch: 2 });
    await expect(writer.submit(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((n) => writer.submit((trx) => insertUser(trx, user(n)))));
    await writer.drain();
    expect((await t.store.db.selectFrom('users').select('username').execute()).length).toBe(5);
    expect(writer.stats.commits).toBeGreaterThanOrEqual(3); // batches of at most 2
  });
});
