import { afterEach, beforeEach, expect, it } from 'vitest';
import { insertLogLines, type ExecutionLogRow } from '../../src/store/execution-log-repository.ts';
import { createHarness, type Harness } from '../support/harness.ts';
import { seedExecution, seedWorkflow } from '../support/seed.ts';
import { describeEachDialect } from '../support/stores.ts';

interface Line {
  seq: number;
  level: string;
  message: string;
}
type Page = { items: Line[]; nextSeq: number; hasMore: boolean };

const TOTAL = 2500;

/** Line n: WARN every 500th, ERROR at 1234, "Needle" on 7, 1500 and 2499, HTML in one. */
function lineAt(executionId: string, n: number, ts: string): ExecutionLogRow {
  const level = n === 1234 ? 'ERROR' : n % 500 === 0 ? 'WARN' : 'INFO';
  const message = [7, 1500, 2499].includes(n)
    ? `found the Needle at ${n}`
    : n === 42
      ? '<img src=x onerror=alert(1)> 100%_done'
      : `line ${n}`;
  return { executionId, seq: n, taskRunId: null, ts, level, source: 'scheduler', message };
}

describeEachDialect('log navigation: backwards pages, summary, search, download', (dialect) => {
  let h: Harness;
  let id: string;
  beforeEach(async () => {
    h = await createHarness(dialect);
    const workflowId = await seedWorkflow(h.store.db);
    id = await seedExecution(h.store.db, workflowId);
    const ts = new Date().toISOString();
    const rows = Array.from({ length: TOTAL }, (_, i) => lineAt(id, i + 1, ts));
    for (let i = 0; i < rows.length; i += 500) await insertLogLines(h.store.db, rows.slice(i, i + 500));
  });
  afterEach(async () => {
    await h.dispose();
  });

  it('pages backwards from the tail and from any line, in ascending order, with filters', async () => {
    const tail = (await h.api<Page>('GET', `/v1/executions/${id}/logs?beforeSeq=${TOTAL + 1}&limit=100`)).body;
    expect(tail.items.map((l) => l.seq)).toEqual(Array.from({ length: 100 }, (_, i) => TOTAL - 99 + i));
    expect(tail.hasMore).toBe(true);
    const before = (await h.api<Page>('GET', `/v1/executions/${id}/logs?beforeSeq=3&limit=100`)).body;
    expect(before).toEqual({
      items: [expect.objectContaining({ seq: 1 }), expect.objectContaining({ seq: 2 })],
      nextSeq: 2,
      hasMore: false,
    });
    const warnings = (await h.api<Page>('GET', `/v1/executions/${id}/logs?beforeSeq=2000&level=WARN,ERROR&limit=2`)).body;
    expect(warnings.items.map((l) => l.seq)).toEqual([1234, 1500]);
    const bad = await h.api<{ code: string }>('GET', `/v1/executions/${id}/logs?beforeSeq=10&follow=true`);
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
  });

  it('summarises the log: first and last seq and how many lines are stored', async () => {
    const summary = (await h.api('GET', `/v1/executions/${id}/logs/summary`)).body;
    expect(summary).toEqual({ firstSeq: 1, lastSeq: TOTAL, lineCount: TOTAL, written: TOTAL, deleted: null, ended: false });
  });

  it('searches the whole log case-insensitively, forwards and backwards, counting every match and taking % and _ literally', async () => {
    const all = (await h.api('GET', `/v1/executions/${id}/logs/search?q=needle`)).body;
    expect(all).toEqual({ seqs: [7, 1500, 2499], count: 3, countLimit: 10_000, truncated: false });
    const next = (await h.api('GET', `/v1/executions/${id}/logs/search?q=NEEDLE&afterSeq=7&limit=1`)).body;
    expect(next).toMatchObject({ seqs: [1500], count: 3, truncated: true });
    const previous = (await h.api('GET', `/v1/executions/${id}/logs/search?q=needle&beforeSeq=1500&limit=5`)).body;
    expect(previous).toMatchObject({ seqs: [7] });
    expect((await h.api('GET', `/v1/executions/${id}/logs/search?q=100%25_done`)).body).toMatchObject({ seqs: [42], count: 1 });
    expect((await h.api('GET', `/v1/executions/${id}/logs/search?q=1%25`)).body).toMatchObject({ seqs: [], count: 0 });
    const missing = await h.api<{ code: string }>('GET', `/v1/executions/${id}/logs/search`);
    expect(missing.status).toBe(400);
  });

  it('downloads the whole log as text and the filtered view as NDJSON, as attachments', async () => {
    const text = await h.app.inject({
      method: 'GET',
      url: `/v1/executions/${id}/logs/download`,
      headers: { authorization: `Bearer ${h.adminToken}` },
    });
    expect(text.statusCode).toBe(200);
    expect(text.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(text.headers['content-disposition']).toBe(`attachment; filename="${id}.log"`);
    const lines = text.body.trimEnd().split('\n');
    expect(lines).toHaveLength(TOTAL);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z INFO {2}\[scheduler\] line 1$/);
    expect(lines[1233]).toContain('ERROR [scheduler] line 1234');

    const ndjson = await h.app.inject({
      method: 'GET',
      url: `/v1/executions/${id}/logs/download?format=ndjson&level=WARN,ERROR&q=needle`,
      headers: { authorization: `Bearer ${h.adminToken}` },
    });
    expect(ndjson.headers['content-type']).toBe('application/x-ndjson');
    expect(ndjson.headers['content-disposition']).toBe(`attachment; filename="${id}-filtered.ndjson"`);
    expect(
      ndjson.body
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).seq),
    ).toEqual([1500]);
  });

  it('explains lines deleted by retention: which seqs, when, and under which policy', async () => {
    const longAgo = new Date(Date.now() - 40 * 86_400_000).toISOString();
    await h.store.db
      .updateTable('executions')
      .set({ status: 'completed', completed_at: longAgo, started_at: longAgo, log_entry_count: TOTAL })
      .where('id', '=', id)
      .execute();
    const cleanup = await h.api<{ logLines: { deleted: number } }>('POST', '/v1/admin/retention/cleanup', { olderThanDays: 30 });
    expect(cleanup.body.logLines.deleted).toBe(TOTAL);
    const summary = (await h.api<any>('GET', `/v1/executions/${id}/logs/summary`)).body;
    expect(summary).toMatchObject({ firstSeq: null, lastSeq: TOTAL, lineCount: 0, written: TOTAL, ended: true });
    expect(summary.deleted).toMatchObject({ fromSeq: 1, toSeq: TOTAL, retentionDays: 30 });
    expect(Date.now() - Date.parse(summary.deleted.deletedAt)).toBeLessThan(60_000);
  });
});
