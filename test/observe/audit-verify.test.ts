import { afterEach, beforeEach, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';
import { dropAuditGuards } from '../support/tampering.ts';

interface AuditAnswer {
  items: { id: string; seq: number; eventType: string }[];
  verification: { ok: boolean; checked: number; problems: string[] };
}

const dropGuards = (h: Harness) => dropAuditGuards(h, ['audit_events']);

describeEachDialect('GET /v1/executions/:id/audit', (dialect) => {
  let h: Harness;
  let id: string;
  beforeEach(async () => {
    h = await createHarness(dialect);
    await h.apply({
      id: 'v',
      name: 'V',
      tasks: [
        { id: 'a', type: 'log', with: { message: 'x' } },
        { id: 'b', type: 'log', needs: ['a'], with: { message: 'y' } },
      ],
    });
    id = (await h.runToEnd('v')).id;
  });
  afterEach(async () => {
    await h.dispose();
  });

  const audit = async () => (await h.api<AuditAnswer>('GET', `/v1/executions/${id}/audit`)).body;

  it('returns the chain and verifies it; reading is itself audited', async () => {
    const a = await audit();
    expect(a.verification).toEqual({ ok: true, checked: a.items.length, problems: [] });
    expect(a.items[0]?.eventType).toBe('CREATED');
    expect(a.items.at(-1)?.eventType).toBe('COMPLETED');
    const reads = await h.store.db
      .selectFrom('audit_events')
      .select('event_type')
      .where('event_type', '=', 'AUDIT_READ')
      .where('execution_id', '=', id)
      .execute();
    expect(reads).toHaveLength(1);
  });

  it('names the first changed, removed or forged event', async () => {
    await dropGuards(h);
    const { items } = await audit();
    const third = items[2]!;
    await h.store.db
      .updateTable('audit_events')
      .set({ metadata: JSON.stringify({ forged: true }) })
      .where('id', '=', third.id)
      .execute();
    let v = (await audit()).verification;
    expect(v.ok).toBe(false);
    expect(v.problems[0]).toContain(`event ${third.id} (seq 3): content does not match its hash`);

    await h.store.db.deleteFrom('audit_events').where('id', '=', third.id).execute();
    v = (await audit()).verification;
    expect(v.problems[0]).toMatch(/seq 4 where 3 was expected/);

    await h.store.db.deleteFrom('audit_events').where('id', '=', items.at(-1)!.id).execute();
    v = (await audit()).verification;
    expect(v.problems).toEqual(
      expect.arrayContaining([expect.stringContaining('the execution is completed but 0 terminal events are recorded')]),
    );
  });
});
