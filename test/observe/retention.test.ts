import crypto from 'node:crypto';
import fs from 'node:fs';
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { sqliteFile } from '../../src/store/store.ts';
import { createHarness, type Harness } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';

interface Report {
  dryRun: boolean;
  logLines: { deleted: number };
  audit: { chains: number; events: number };
  triggerFires: { before: string; deleted: number };
}

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();

describeEachDialect('retention', (dialect) => {
  let h: Harness;
  const ids: Record<string, string> = {};
  beforeEach(async () => {
    h = await createHarness(dialect);
    await h.apply({
      id: 'r',
      name: 'R',
      tasks: [{ id: 'a', type: 'shell', with: { command: 'for i in $(seq 1 30); do echo line $i; done' } }],
    });
    for (const [name, age] of [
      ['ancient', 400],
      ['old', 40],
      ['recent', 1],
    ] as const) {
      ids[name] = (await h.runToEnd('r')).id;
      await h.store.db
        .updateTable('executions')
        .set({ completed_at: daysAgo(age) })
        .where('id', '=', ids[name])
        .execute();
    }
    await h.logs.flush();
  });
  afterEach(async () => {
    await h.dispose();
  });

  const lineCount = async (id: string) =>
    Number(
      (
        await h.store.db
          .selectFrom('execution_logs')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('execution_id', '=', id)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const auditCount = async (id: string) =>
    Number(
      (
        await h.store.db
          .selectFrom('audit_events')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('subject_id', '=', id)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('reports without deleting on a dry run', async () => {
    const before = { ancient: await lineCount(ids.ancient!), old: await lineCount(ids.old!) };
    const res = await h.api<Report>('POST', '/v1/admin/retention/cleanup', { dryRun: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dryRun: true, logLines: { deleted: before.ancient + before.old }, audit: { chains: 1 } });
    expect(await lineCount(ids.ancient!)).toBe(before.ancient);
    expect(await auditCount(ids.ancient!)).toBeGreaterThan(0);
  });

  it('deletes only what is older, keeps recent rows, purges old audit chains and still verifies', async () => {
    const recentLines = await lineCount(ids.recent!);
    await h.api('POST', '/v1/audit/checkpoints');
    const res = await h.api<Report>('POST', '/v1/admin/retention/cleanup', {});
    expect(res.body.dryRun).toBe(false);
    expect(res.body.logLines.deleted).toBeGreaterThan(60);
    expect(await lineCount(ids.ancient!)).toBe(0);
    expect(await lineCount(ids.old!)).toBe(0);
    expect(await lineCount(ids.recent!)).toBe(recentLines);
    expect(await auditCount(ids.ancient!)).toBe(0); // past the 365-day audit retention
    expect(await auditCount(ids.old!)).toBeGreaterThan(0); // within it
    const verify = await h.api<{ ok: boolean; problems: string[] }>('GET', '/v1/audit/verify');
    expect(verify.body).toMatchObject({ ok: true, problems: [] });
    const events = await h.store.db
      .selectFrom('audit_events')
      .select(['event_type'])
      .where('subject_type', '=', 'system')
      .where('subject_id', '=', 'retention')
      .execute();
    expect(events.map((e) => e.event_type)).toEqual(['RETENTION_CLEANUP']);
    // with a narrower window and a status filter
    const none = await h.api<Report>('POST', '/v1/admin/retention/cleanup', { olderThanDays: 1000, status: 'failed' });
    expect(none.body.logLines.deleted).toBe(0);
  });

  it('deletes the trigger fires recorded longer ago than log lines are kept, and counts them on a dry run', async () => {
    const fire = (key: string, age: number) => ({
      id: crypto.randomUUID(),
      workflow_id: 'r',
      trigger_id: 'nightly',
      kind: 'schedule',
      fire_key: key,
      due_at: daysAgo(age),
      status: 'skipped',
      reason: 'missed',
      execution_id: null,
      fired_by: 'test',
      created_at: daysAgo(age),
    });
    await h.store.db
      .insertInto('trigger_fires')
      .values([fire('a', 400), fire('b', 40), fire('c', 1)])
      .execute();
    const keys = async () =>
      (await h.store.db.selectFrom('trigger_fires').select('fire_key').orderBy('fire_key').execute()).map((r) => r.fire_key);
    const dry = await h.api<Report>('POST', '/v1/admin/retention/cleanup', { dryRun: true });
    expect(dry.body.triggerFires.deleted).toBe(2);
    expect(await keys()).toEqual(['a', 'b', 'c']);
    const done = await h.api<Report>('POST', '/v1/admin/retention/cleanup', {});
    expect(done.body.triggerFires.deleted).toBe(2);
    expect(Date.parse(done.body.triggerFires.before)).toBeLessThan(Date.parse(daysAgo(1)));
    expect(await keys()).toEqual(['c']);
  });

  it('answers stats, and refuses bad requests and members', async () => {
    const stats = await h.api<{
      tables: { table: string; rows: number }[];
      executionsByStatus: Record<string, number>;
      oldest: { execution: string };
    }>('GET', '/v1/admin/retention/stats');
    expect(stats.status).toBe(200);
    expect(stats.body.executionsByStatus).toEqual({ completed: 3 });
    expect(stats.body.tables.find((t) => t.table === 'execution_logs')!.rows).toBeGreaterThan(90);
    // 0 means every execution that has ended; below 0 means nothing.
    expect((await h.api('POST', '/v1/admin/retention/cleanup', { olderThanDays: -1 })).status).toBe(400);
    expect((await h.api('POST', '/v1/admin/retention/cleanup', { status: 'running' })).status).toBe(400);
  });
});

it('gives the space freed by a large cleanup back to the file system (SQLite)', async () => {
  const h = await createHarness('sqlite');
  try {
    await h.apply({ id: 'big', name: 'Big', tasks: [{ id: 'a', type: 'log', with: { message: 'x' } }] });
    const { id } = await h.runToEnd('big');
    await h.store.db
      .updateTable('executions')
      .set({ completed_at: daysAgo(90) })
      .where('id', '=', id)
      .execute();
    const payload = 'y'.repeat(1000);
    for (let batch = 0; batch < 20; batch++) {
      await h.store.db
        .insertInto('execution_logs')
        .values(
          Array.from({ length: 500 }, (_, i) => ({
            execution_id: id,
            seq: 1000 + batch * 500 + i,
            task_run_id: null,
            ts: daysAgo(90),
            level: 'INFO',
            source: 'bulk',
            message: payload,
            metadata: null,
          })),
        )
        .execute();
    }
    const size = async () => {
      await sql`pragma wal_checkpoint(truncate)`.execute(h.store.db);
      return fs.statSync(sqliteFile(h.dataDir)).size;
    };
    const before = await size();
    await h.api('POST', '/v1/admin/retention/cleanup', {});
    const after = await size();
    expect(before).toBeGreaterThan(10_000_000);
    expect(after).toBeLessThan(before / 2);
  } finally {
    await h.dispose();
  }
});
