import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { newId } from '../../src/domain/ids.ts';
import { LogCollector } from '../../src/observe/log-collector.ts';
import { queryLogLines } from '../../src/store/execution-log-repository.ts';
import { seedExecution, seedWorkflow } from '../support/seed.ts';
import { openStore } from '../../src/store/store.ts';
import { createTestStore, describeEachDialect, type TestStore } from '../support/stores.ts';

describeEachDialect('LogCollector', (dialect) => {
  let t: TestStore;
  let executionId: string;
  beforeEach(async () => {
    t = await createTestStore(dialect);
    executionId = await seedExecution(t.store.db, await seedWorkflow(t.store.db));
  });
  afterEach(async () => {
    await t.dispose();
  });

  const line = (message: string) => ({ executionId, taskRunId: null, level: 'INFO' as const, source: 'test', message });

  it('writes batches in order with a contiguous seq and an exact count, across collectors', async () => {
    const first = new LogCollector(t.store.db, t.store.caps, { batchSize: 100, flushIntervalMs: 10_000 });
    for (let i = 0; i < 250; i++) first.append(line(`a${i}`));
    await first.flush(executionId);
    expect(first.stats).toMatchObject({ written: 250, dropped: 0, batches: 3 });
    // a new process continues where the stored lines end
    const second = new LogCollector(t.store.db, t.store.caps);
    second.append(line('b0'));
    second.append(line('x'.repeat(70 * 1024)));
    await second.flush(executionId);
    second.append(line('b2'));
    await second.flush(executionId);
    const lines = await queryLogLines(t.store.db, { executionId, afterSeq: 0, limit: 1000 });
    expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: 253 }, (_, i) => i + 1));
    expect(lines[0]?.message).toBe('a0');
    expect(lines[250]?.message).toBe('b0');
    expect(lines[251]?.message.endsWith(' [truncated]')).toBe(true);
    expect(lines[252]?.message).toBe('b2');
    const row = await t.store.db.selectFrom('executions').select('log_entry_count').where('id', '=', executionId).executeTakeFirstOrThrow();
    expect(row.log_entry_count).toBe(253);
  });

  it('interleaves lines of one execution written by two collectors at once, with no seq written twice', async () => {
    // On PostgreSQL the second collector has a pool of its own, as another process would.
    const other = t.databaseUrl ? openStore({ dataDir: t.dataDir, databaseUrl: t.databaseUrl, schema: t.schema }) : t.store;
    try {
      const a = new LogCollector(t.store.db, t.store.caps, { batchSize: 7, flushIntervalMs: 10_000 });
      const b = new LogCollector(other.db, other.caps, { batchSize: 5, flushIntervalMs: 10_000 });
      for (let i = 0; i < 200; i++) {
        a.append(line(`a${i}`));
        b.append(line(`b${i}`));
      }
      await Promise.all([a.flush(executionId), b.flush(executionId)]);
      expect(a.stats.dropped + b.stats.dropped).toBe(0);
      const lines = await queryLogLines(t.store.db, { executionId, afterSeq: 0, limit: 1000 });
      expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
      // each collector's own lines keep their order
      const order = (prefix: string) => lines.filter((l) => l.message.startsWith(prefix)).map((l) => Number(l.message.slice(1)));
      expect(order('a')).toEqual(Array.from({ length: 200 }, (_, i) => i));
      expect(order('b')).toEqual(Array.from({ length: 200 }, (_, i) => i));
    } finally {
      if (other !== t.store) await other.close();
    }
  });

  it('flushes on its own after the interval', async () => {
    const collector = new LogCollector(t.store.db, t.store.caps, { flushIntervalMs: 20 });
    collector.append(line('soon'));
    await vi.waitFor(async () => expect((await queryLogLines(t.store.db, { executionId, afterSeq: 0, limit: 10 })).length).toBe(1), {
      timeout: 2000,
    });
  });

  it('reports a failed write on stderr and keeps going', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const collector = new LogCollector(t.store.db, t.store.caps);
    collector.append({ ...line('orphan'), executionId: newId() }); // no such execution: the foreign key refuses it
    await collector.flush(executionId);
    expect(collector.stats.dropped).toBe(1);
    expect(errors).toHaveBeenCalledWith(expect.stringContaining('could not write 1 log lines'));
    collector.append(line('after'));
    await collector.flush(executionId);
    expect((await queryLogLines(t.store.db, { executionId, afterSeq: 0, limit: 10 })).map((l) => l.message)).toEqual(['after']);
    errors.mockRestore();
  });
});

describeEachDialect('LogCollector bound', (dialect) => {
  it('warns once when more lines wait for the store than its bound, and writes them all', async () => {
    const t = await createTestStore(dialect);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const executionId = await seedExecution(t.store.db, await seedWorkflow(t.store.db));
      const collector = new LogCollector(t.store.db, t.store.caps, { maxWaiting: 150 });
      // appended synchronously: no batch can be written in between, so the backlog passes the bound
      for (let i = 0; i < 400; i++)
        collector.append({ executionId, taskRunId: null, level: 'INFO', source: 'flood', message: `line ${i}` });
      await collector.flush(executionId);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toContain('log buffer over its bound');
      expect(collector.stats.written).toBe(400);
    } finally {
      warn.mockRestore();
      await t.dispose();
    }
  });
});
