import { sql, type Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditSigner } from '../../src/observe/audit-signer.ts';
import { runCleanup, type CleanupReport } from '../../src/observe/retention.ts';
import type { Database } from '../../src/store/database-schema.ts';
import { insertLogLines } from '../../src/store/execution-log-repository.ts';
import { ensureLogPartitions, listLogPartitions } from '../../src/store/log-partition-repository.ts';
import { tableStats } from '../../src/store/retention-repository.ts';
import { migrateTo, migrateToLatest } from '../../src/store/store.ts';
import { seedExecution, seedWorkflow } from '../support/seed.ts';
import { createTestStore, postgresUnavailable, type TestStore } from '../support/stores.ts';
import { SYSTEM_ACTOR } from '../../src/observe/audit-logger.ts';

const DAY = 86_400_000;
const NOW = Date.now();
const TODAY = Math.floor(NOW / DAY) * DAY;
const POLICY = { logDays: 30, auditDays: 365 };

const partitionName = (dayStart: number) => `execution_logs_p${new Date(dayStart).toISOString().slice(0, 10).replaceAll('-', '')}`;

interface Ending {
  status: 'running' | 'completed' | 'failed';
  /** ms; null while running. */
  completedAt: number | null;
}

/** An execution whose id was made at `createdAt` (ms), ended as given, with `lines` log lines. */
async function seedRun(db: Kysely<Database>, workflowId: string, createdAt: number, end: Ending, lines: number, id?: string) {
  const executionId = await seedExecution(db, workflowId, { id: id ?? uuidv7({ msecs: createdAt }), createdAt });
  await db
    .updateTable('executions')
    .set({ status: end.status, completed_at: end.completedAt === null ? null : new Date(end.completedAt).toISOString() })
    .where('id', '=', executionId)
    .execute();
  await insertLogLines(
    db,
    Array.from({ length: lines }, (_, i) => ({
      executionId,
      seq: i + 1,
      taskRunId: null,
      ts: new Date(createdAt).toISOString(),
      level: 'INFO',
      source: 'test',
      message: `line ${i + 1}`,
    })),
  );
  return executionId;
}

async function partitionsOf(db: Kysely<Database>, executionId: string): Promise<string[]> {
  const { rows } = await sql<{ p: string }>`
    select distinct tableoid::regclass::text as p from execution_logs where execution_id = ${executionId}`.execute(db);
  return rows.map((r) => r.p);
}

async function lineCount(db: Kysely<Database>, executionId: string): Promise<number> {
  const row = await db
    .selectFrom('execution_logs')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('execution_id', '=', executionId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function logEntryCount(db: Kysely<Database>, executionId: string): Promise<number> {
  const row = await db.selectFrom('executions').select('log_entry_count').where('id', '=', executionId).executeTakeFirstOrThrow();
  return row.log_entry_count;
}

describe.skipIf(postgresUnavailable !== null)('log partitions [postgres]', () => {
  let t: TestStore;
  let db: Kysely<Database>;
  let workflowId: string;
  beforeEach(async () => {
    t = await createTestStore('postgres');
    db = t.store.db;
    workflowId = await seedWorkflow(db);
  });
  afterEach(() => t.dispose());

  const cleanup = (request: { dryRun: boolean; status?: string }): Promise<CleanupReport> =>
    runCleanup(
      { db, signer: AuditSigner.load(t.dataDir, undefined), reclaimSpace: () => Promise.resolve(), caps: t.store.caps },
      POLICY,
      request,
      SYSTEM_ACTOR,
    );

  it('migrates to a table partitioned by range of execution id, with a default partition and today .. today + 2', async () => {
    const { rows } = await sql<{ key: string }>`select pg_get_partkeydef('execution_logs'::regclass) as key`.execute(db);
    expect(rows[0]?.key).toBe('RANGE (execution_id)');
    expect((await listLogPartitions(db)).map((p) => p.name)).toEqual([
      partitionName(TODAY),
      partitionName(TODAY + DAY),
      partitionName(TODAY + 2 * DAY),
      'execution_logs_default',
    ]);
  });

  it("puts an execution's lines in the partition of the day its id was made; other ids in the default partition", async () => {
    const today = await seedRun(db, workflowId, NOW, { status: 'running', completedAt: null }, 3);
    expect(await partitionsOf(db, today)).toEqual([partitionName(TODAY)]);

    const day = TODAY - 10 * DAY;
    await ensureLogPartitions(db, day, 0);
    const ending = { status: 'completed', completedAt: day } as const;
    const first = await seedRun(db, workflowId, day, ending, 1); // 00:00:00.000
    const last = await seedRun(db, workflowId, day + DAY - 1, ending, 1); // 23:59:59.999
    const dayBefore = await seedRun(db, workflowId, day - 1, ending, 1); // no partition for that day
    const dayAfter = await seedRun(db, workflowId, day + DAY, ending, 1); // nor for this one
    const notV7 = await seedRun(db, workflowId, day, ending, 1, 'imported-execution-1');
    expect(await partitionsOf(db, first)).toEqual([partitionName(day)]);
    expect(await partitionsOf(db, last)).toEqual([partitionName(day)]);
    for (const id of [dayBefore, dayAfter, notV7]) expect(await partitionsOf(db, id)).toEqual(['execution_logs_default']);
  });

  it('reads one partition for a query by execution (the log page and the batched delete)', async () => {
    const id = await seedRun(db, workflowId, NOW, { status: 'running', completedAt: null }, 3);
    // partition names in the plan's lines (their indexes, `…_pkey`, do not match)
    const scanned = (plan: Record<string, unknown>[]) => [
      ...new Set(
        plan
          .map((r) => String(Object.values(r)[0]))
          .flatMap((l) => [...l.matchAll(/\b(execution_logs_(?:p\d{8}|default))\b/g)].map((m) => m[1])),
      ),
    ];
    const page = await db
      .selectFrom('execution_logs')
      .select(['seq', 'message'])
      .where('execution_id', '=', id)
      .where('seq', '>', 0)
      .orderBy('seq')
      .limit(100)
      .explain();
    expect(scanned(page)).toEqual([partitionName(TODAY)]);
    // Kysely's explain() of a delete answers the delete's result, not the plan
    const del = await sql<Record<string, unknown>>`explain delete from execution_logs where execution_id = ${id} and seq in (1, 2)`.execute(
      db,
    );
    expect(scanned(del.rows)).toEqual([partitionName(TODAY)]);
  });

  it('creates missing day partitions once, also when two servers race', async () => {
    const later = NOW + 30 * DAY;
    const first = await ensureLogPartitions(db, later);
    expect(first).toEqual({ created: [0, 1, 2].map((i) => partitionName(TODAY + (30 + i) * DAY)), skipped: [] });
    expect(await ensureLogPartitions(db, later)).toEqual({ created: [], skipped: [] });

    const raced = await Promise.all([ensureLogPartitions(db, NOW + 40 * DAY), ensureLogPartitions(db, NOW + 40 * DAY)]);
    expect(raced.flatMap((r) => r.created).sort()).toEqual([0, 1, 2].map((i) => partitionName(TODAY + (40 + i) * DAY)));
    const names = (await listLogPartitions(db)).map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('skips a day whose lines already sit in the default partition, without failing', async () => {
    const day = TODAY + 60 * DAY;
    const id = await seedRun(db, workflowId, day + 1000, { status: 'running', completedAt: null }, 2);
    expect(await partitionsOf(db, id)).toEqual(['execution_logs_default']);
    expect(await ensureLogPartitions(db, day, 1)).toEqual({ created: [partitionName(day + DAY)], skipped: [partitionName(day)] });
    expect(await partitionsOf(db, id)).toEqual(['execution_logs_default']);
  });

  describe('cleanup', () => {
    const ended = (daysAgo: number) => ({ status: 'completed', completedAt: NOW - daysAgo * DAY }) as const;
    let ids: Record<'goneA' | 'goneB' | 'running' | 'endedWithRunning' | 'recent' | 'endedWithRecent', string>;
    const dayA = TODAY - 50 * DAY;
    const dayB = TODAY - 49 * DAY;
    const dayC = TODAY - 48 * DAY;
    beforeEach(async () => {
      for (const day of [dayA, dayB, dayC]) await ensureLogPartitions(db, day, 0);
      ids = {
        // day A: every execution ended long ago, so the day goes whole
        goneA: await seedRun(db, workflowId, dayA + 1000, ended(45), 5),
        goneB: await seedRun(db, workflowId, dayA + 2000, { status: 'failed', completedAt: NOW - 44 * DAY }, 7),
        // day B: one execution still runs
        running: await seedRun(db, workflowId, dayB + 1000, { status: 'running', completedAt: null }, 4),
        endedWithRunning: await seedRun(db, workflowId, dayB + 2000, ended(45), 6),
        // day C: one execution ended yesterday
        recent: await seedRun(db, workflowId, dayC + 1000, ended(1), 3),
        endedWithRecent: await seedRun(db, workflowId, dayC + 2000, ended(45), 8),
      };
    });

    it('drops a day whose executions all ended long ago, and deletes the expired lines of other days row by row', async () => {
      const counts = Object.fromEntries(await Promise.all(Object.entries(ids).map(async ([k, id]) => [k, await logEntryCount(db, id)])));
      const report = await cleanup({ dryRun: false });
      expect(report.logLines.deleted).toBe(5 + 7 + 6 + 8);
      const names = (await listLogPartitions(db)).map((p) => p.name);
      expect(names).not.toContain(partitionName(dayA));
      expect(names).toEqual(expect.arrayContaining([partitionName(dayB), partitionName(dayC), partitionName(TODAY)]));
      expect(await lineCount(db, ids.running)).toBe(4);
      expect(await lineCount(db, ids.endedWithRunning)).toBe(0);
      expect(await lineCount(db, ids.recent)).toBe(3);
      expect(await lineCount(db, ids.endedWithRecent)).toBe(0);
      // the drop, like the row delete, leaves log_entry_count as it was
      for (const [k, id] of Object.entries(ids)) expect(await logEntryCount(db, id)).toBe(counts[k]);
      expect((await cleanup({ dryRun: false })).logLines.deleted).toBe(0);
    });

    it('reports on a dry run what a real run deletes, and changes nothing', async () => {
      const before = {
        partitions: await listLogPartitions(db),
        lines: (await tableStats(db, t.store.caps)).find((s) => s.table === 'execution_logs')!.rows,
      };
      const dry = await cleanup({ dryRun: true });
      expect(await listLogPartitions(db)).toEqual(before.partitions);
      expect((await tableStats(db, t.store.caps)).find((s) => s.table === 'execution_logs')!.rows).toBe(before.lines);
      const real = await cleanup({ dryRun: false });
      expect(dry.logLines.deleted).toBe(real.logLines.deleted);
      expect(dry.audit).toMatchObject({ chains: real.audit.chains, events: real.audit.events });
    });

    it('keeps a day whole when a status filter leaves some of its executions', async () => {
      const report = await cleanup({ dryRun: false, status: 'failed' });
      expect(report.logLines.deleted).toBe(7);
      expect((await listLogPartitions(db)).map((p) => p.name)).toContain(partitionName(dayA));
      expect(await lineCount(db, ids.goneA)).toBe(5);
    });
  });

  it('counts the rows and bytes of every partition in the stats', async () => {
    await seedRun(db, workflowId, NOW, { status: 'running', completedAt: null }, 50);
    await seedRun(db, workflowId, NOW + 70 * DAY, { status: 'running', completedAt: null }, 50); // default partition
    const logs = (await tableStats(db, t.store.caps)).find((s) => s.table === 'execution_logs')!;
    expect(logs.rows).toBe(100);
    const { rows } = await sql<{ b: string }>`select pg_total_relation_size('execution_logs_default') as b`.execute(db);
    expect(logs.bytes).toBeGreaterThan(Number(rows[0]!.b));
  });

  it('migrates existing lines into day partitions and back to a plain table', async () => {
    const old = await seedRun(db, workflowId, TODAY - 20 * DAY + 5000, { status: 'running', completedAt: null }, 4);
    const relkind = async () =>
      (await sql<{ k: string }>`select relkind as k from pg_class where oid = 'execution_logs'::regclass`.execute(db)).rows[0]?.k;
    await migrateTo(t.store, '0007-audit-purged-at'); // back to before the partitions
    expect(await relkind()).toBe('r');
    expect(await lineCount(db, old)).toBe(4);
    await migrateToLatest(t.store);
    expect(await relkind()).toBe('p');
    expect(await partitionsOf(db, old)).toEqual([partitionName(TODAY - 20 * DAY)]);
    expect(await lineCount(db, old)).toBe(4);
  });
});

describe('log partitions [sqlite]', () => {
  it('has none, and retention deletes expired lines row by row', async () => {
    const t = await createTestStore('sqlite');
    try {
      expect(t.store.caps.partitions).toBe(false);
      const workflowId = await seedWorkflow(t.store.db);
      const old = await seedRun(t.store.db, workflowId, NOW - 50 * DAY, { status: 'completed', completedAt: NOW - 45 * DAY }, 5);
      const recent = await seedRun(t.store.db, workflowId, NOW - 2 * DAY, { status: 'completed', completedAt: NOW - DAY }, 3);
      const report = await runCleanup(
        { db: t.store.db, signer: AuditSigner.load(t.dataDir, undefined), reclaimSpace: () => t.store.reclaimSpace(), caps: t.store.caps },
        POLICY,
        { dryRun: false },
        SYSTEM_ACTOR,
      );
      expect(report.logLines.deleted).toBe(5);
      expect(await lineCount(t.store.db, old)).toBe(0);
      expect(await lineCount(t.store.db, recent)).toBe(3);
      const tables = await sql<{
        name: string;
      }>`select name from sqlite_master where name like 'execution_logs%' and type = 'table'`.execute(t.store.db);
      expect(tables.rows.map((r) => r.name)).toEqual(['execution_logs']);
    } finally {
      await t.dispose();
    }
  });
});
