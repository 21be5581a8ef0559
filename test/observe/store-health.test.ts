import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { checkTableSizes } from '../../src/observe/store-health.ts';
import { SIGNING_KEY_FILE } from '../../src/observe/audit-signer.ts';
import { startServer } from '../../src/api/server.ts';
import { loadConfig } from '../../src/config.ts';
import { seedExecution, seedWorkflow } from '../support/seed.ts';
import { createTestStore, describeEachDialect, tempDir, TEST_PG_URL, type TestStore } from '../support/stores.ts';

describeEachDialect('store health', (dialect) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await createTestStore(dialect);
    const executionId = await seedExecution(t.store.db, await seedWorkflow(t.store.db));
    await t.store.db
      .insertInto('execution_logs')
      .values(
        Array.from({ length: 500 }, (_, i) => ({
          execution_id: executionId,
          task_run_id: null,
          seq: i + 1,
          ts: new Date().toISOString(),
          level: 'INFO',
          source: 'system',
          message: `line ${i} ${'x'.repeat(200)}`,
          metadata: null,
        })),
      )
      .execute();
  });
  afterEach(() => t.dispose());

  it('warns about each watched table past the threshold, naming it, its size and what to do', async () => {
    const warnings = await checkTableSizes(t.store.db, t.store.caps, 64 * 1024);
    const logs = warnings.find((w) => w.table === 'execution_logs');
    expect(logs, JSON.stringify(warnings)).toBeDefined();
    expect(logs!.bytes).toBeGreaterThan(64 * 1024);
    // a unit that shows the numbers: never "0.1 MiB" or "0.0 MiB" for a small threshold
    expect(logs!.message).toMatch(/^WARN execution_logs takes \d+\.\d (KiB|MiB) \(over 64\.0 KiB\): .*RUNLEDGER_LOG_RETENTION_DAYS/);
  });

  it('stays quiet under the threshold (1 GiB by default)', async () => {
    expect(await checkTableSizes(t.store.db, t.store.caps, loadConfig({}).tableSizeWarningBytes)).toEqual([]);
    expect(loadConfig({}).tableSizeWarningBytes).toBe(1024 ** 3);
  });

  it('is checked by the server after the start-up cleanup', async () => {
    const lines: string[] = [];
    const config = loadConfig(
      {
        RUNLEDGER_LOG_LEVEL: 'silent',
        RUNLEDGER_TABLE_SIZE_WARNING_BYTES: '1',
        RUNLEDGER_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
        // Another node of the same deployment: the store's audit key.
        RUNLEDGER_AUDIT_SIGNING_KEY: fs.readFileSync(path.join(t.dataDir, SIGNING_KEY_FILE), 'utf8'),
      },
      {
        dataDir: dialect === 'sqlite' ? t.dataDir : tempDir(),
        databaseUrl: dialect === 'postgres' ? TEST_PG_URL : undefined,
        port: 0,
      },
    );
    const server = await startServer(config, { print: () => {}, worker: false, schema: t.store.schema, warn: (l) => lines.push(l) });
    await server.close();
    expect(lines.some((l) => l.startsWith('WARN execution_logs takes'))).toBe(true);
    expect(lines.some((l) => l.startsWith('WARN audit_events takes'))).toBe(true);
  });
});
