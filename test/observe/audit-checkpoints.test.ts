import { afterEach, beforeEach, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.ts';
import crypto from 'node:crypto';
import { auditHash, canonicalJson, hashedContent } from '../../src/observe/audit-chain.ts';
import { insertAuditEvent, listAuditChain } from '../../src/store/audit-event-repository.ts';
import { createHarness, type Harness } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';
import { dropAuditGuards } from '../support/tampering.ts';

interface Verification {
  ok: boolean;
  chains: number;
  events: number;
  checkpoints: number;
  problems: string[];
}

const dropGuards = (h: Harness) => dropAuditGuards(h, ['audit_events', 'audit_checkpoints']);

describeEachDialect('signed audit checkpoints', (dialect) => {
  let h: Harness;
  let executionId: string;
  beforeEach(async () => {
    h = await createHarness(dialect);
    await h.apply({ id: 'c', name: 'C', tasks: [{ id: 'a', type: 'log', with: { message: 'x' } }] });
    executionId = (await h.runToEnd('c')).id;
  });
  afterEach(async () => {
    await h.dispose();
  });

  const verify = async (query = '') => (await h.api<Verification>('GET', `/v1/audit/verify${query}`)).body;

  it('signs the heads of every chain and verifies everything', async () => {
    const c = await h.api<{ seq: number; heads: [string, string, number, string][]; signature: string; keyId: string }>(
      'POST',
      '/v1/audit/checkpoints',
    );
    expect(c.status).toBe(201);
    expect(c.body.seq).toBe(1);
    expect(c.body.heads.some(([type, id]) => type === 'execution' && id === executionId)).toBe(true);
    expect(c.body.keyId).toBe(h.auditSigner.keyId);
    const v = await verify();
    expect(v).toMatchObject({ ok: true, checkpoints: 1, problems: [] });
    expect(v.events).toBeGreaterThan(5);
    expect((await verify(`?execution=${executionId}`)).ok).toBe(true);
    const second = await h.api<{ seq: number; prevHash: string }>('POST', '/v1/audit/checkpoints');
    expect(second.body).toMatchObject({ seq: 2, prevHash: expect.any(String) });
    expect((await h.api('GET', '/v1/audit/verify', undefined, null)).status).toBe(401);
  });

  it('detects a deleted tail against the latest checkpoint', async () => {
    await h.api('POST', '/v1/audit/checkpoints');
    await dropGuards(h);
    const chain = await listAuditChain(h.store.db, 'execution', executionId);
    await h.store.db.deleteFrom('audit_events').where('id', '=', chain.at(-1)!.id).execute();
    const v = await verify();
    expect(v.ok).toBe(false);
    expect(v.problems.join('\n')).toContain(
      `execution ${executionId} had ${chain.length} events, the store has ${chain.length - 1} (a deleted tail)`,
    );
  });

  it('detects a chain recomputed from scratch, with the checkpoints deleted: by its authentication, and against an exported checkpoint', async () => {
    const exported = (await h.api<Record<string, unknown>>('GET', '/v1/audit/checkpoints/latest')).body;
    expect(exported.publicKey).toMatch(/BEGIN PUBLIC KEY/);
    await dropGuards(h);
    // rewrite the execution's history consistently: every hash recomputed, every link intact
    const chain = await listAuditChain(h.store.db, 'execution', executionId);
    let prev: string | null = null;
    for (const e of chain) {
      const content = {
        id: e.id,
        subjectType: e.subjectType,
        subjectId: e.subjectId,
        seq: e.seq,
        executionId: e.executionId,
        eventType: e.eventType,
        actor: { kind: 'user', username: 'mallory' },
        metadata: e.metadata,
        createdAt: e.createdAt,
      };
      const hash = auditHash(prev, content);
      await h.store.db
        .updateTable('audit_events')
        .set({ actor: JSON.stringify(content.actor), prev_hash: prev, hash })
        .where('id', '=', e.id)
        .execute();
      prev = hash;
    }
    await h.store.db
      .updateTable('audit_chain_heads')
      .set({ hash: prev })
      .where('subject_type', '=', 'execution')
      .where('subject_id', '=', executionId)
      .execute();
    await h.store.db.deleteFrom('audit_checkpoints').execute();
    // The links and hashes hold, but the events' authentication needs the deployment key, which is not in the store.
    const inside = await verify();
    expect(inside).toMatchObject({ ok: false, checkpoints: 0 });
    expect(inside.problems.join('\n')).toMatch(
      new RegExp(`execution ${executionId}: event \\S+ \\(seq 1\\): its authentication does not verify \\(forged or rewritten\\)`),
    );
    expect(inside.problems).toContain(`execution ${executionId}: record: its triggered by is not the one recorded when it was created`);
    const { publicKey: _publicKey, ...checkpoint } = exported;
    const v = (await h.api<Verification>('POST', '/v1/audit/verify', { checkpoint })).body;
    expect(v.ok).toBe(false);
    expect(v.problems.join('\n')).toMatch(
      new RegExp(`execution ${executionId} event \\d+ differs from the checkpoint \\(the chain was rewritten\\)`),
    );
  });

  it('refuses a checkpoint whose heads were altered: by its hash, and by its signature when the hash was recomputed', async () => {
    const exported = (
      await h.api<{ heads: [string, string, number, string][] } & Record<string, unknown>>('GET', '/v1/audit/checkpoints/latest')
    ).body;
    const { publicKey: _publicKey, ...checkpoint } = exported;
    const tampered = { ...checkpoint, heads: checkpoint.heads.slice(1) };
    const v = (await h.api<Verification>('POST', '/v1/audit/verify', { checkpoint: tampered })).body;
    expect(v.problems).toContain(`exported checkpoint ${String(exported.seq)}: its content does not match its hash`);
    // a forger who also recomputes the hash still cannot sign it
    const { id, seq, createdAt, reason, heads, prevHash } = tampered as unknown as Record<string, unknown>;
    const rehashed = {
      ...tampered,
      hash: crypto.createHash('sha256').update(canonicalJson({ id, seq, createdAt, reason, heads, prevHash })).digest('hex'),
    };
    const again = (await h.api<Verification>('POST', '/v1/audit/verify', { checkpoint: rehashed })).body.problems;
    expect(again).not.toContain(`exported checkpoint ${String(exported.seq)}: its content does not match its hash`);
    expect(again).toContain(`exported checkpoint ${String(exported.seq)}: the signature does not verify with this server's audit key`);
  });
});

describeEachDialect('audit export', (dialect) => {
  it('streams every event as NDJSON, oldest first', async () => {
    const h = await createHarness(dialect);
    try {
      await h.apply({ id: 'e', name: 'E', tasks: [{ id: 'a', type: 'log', with: { message: 'x' } }] });
      await h.runToEnd('e');
      const res = await h.app.inject({ method: 'GET', url: '/v1/audit/export', headers: { authorization: `Bearer ${h.adminToken}` } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('application/x-ndjson');
      const events = res.body
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { id: string; hash: string });
      const count = await h.store.db
        .selectFrom('audit_events')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      expect(events.length).toBe(Number(count.n)); // including the export's own AUDIT_READ, written before it reads
      expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort());
    } finally {
      await h.dispose();
    }
  });
});

describeEachDialect('audit verify: lifecycle completeness', (dialect) => {
  it('names an execution whose terminal event is missing', async () => {
    const h = await createHarness(dialect);
    try {
      await h.apply({ id: 'l', name: 'L', tasks: [{ id: 'a', type: 'log', with: { message: 'x' } }] });
      const { id } = await h.runToEnd('l');
      expect((await h.api<Verification>('GET', '/v1/audit/verify')).body.ok).toBe(true);
      await dropGuards(h);
      const chain = await listAuditChain(h.store.db, 'execution', id);
      // remove the terminal event and mend the head so the chain itself still verifies
      await h.store.db.deleteFrom('audit_events').where('id', '=', chain.at(-1)!.id).execute();
      await h.store.db
        .updateTable('audit_chain_heads')
        .set({ seq: chain.length - 1, hash: chain.at(-2)!.hash })
        .where('subject_id', '=', id)
        .execute();
      const v = (await h.api<Verification>('GET', '/v1/audit/verify')).body;
      // The record's status no longer has the event that set it, either.
      expect(v.problems).toEqual([
        `execution ${id}: lifecycle: the execution is completed but 0 terminal events are recorded`,
        `execution ${id}: record: its status is completed, the audit trail says running`,
      ]);
    } finally {
      await h.dispose();
    }
  });
});

describeEachDialect('audit verify: tampering inside the store', (dialect) => {
  let h: Harness;
  let id: string;
  beforeEach(async () => {
    h = await createHarness(dialect);
    await h.apply({
      id: 't',
      name: 'T',
      tasks: [
        { id: 'a', type: 'log', with: { message: 'x' } },
        { id: 'b', type: 'log', needs: ['a'], with: { message: 'y' } },
      ],
    });
    id = (await h.runToEnd('t')).id;
    await dropGuards(h);
  });
  afterEach(async () => {
    await h.dispose();
  });
  const problems = async () => (await h.api<Verification>('GET', '/v1/audit/verify')).body.problems.join('\n');

  it('detects rows reordered', async () => {
    const chain = await listAuditChain(h.store.db, 'execution', id);
    const [x, y] = [chain[2]!, chain[3]!];
    // swap their seqs through a free value (the pair is unique)
    await h.store.db.updateTable('audit_events').set({ seq: -1 }).where('id', '=', x.id).execute();
    await h.store.db.updateTable('audit_events').set({ seq: x.seq }).where('id', '=', y.id).execute();
    await h.store.db.updateTable('audit_events').set({ seq: y.seq }).where('id', '=', x.id).execute();
    expect(await problems()).toContain(`event ${x.id}: seq ${y.seq} where ${x.seq} was expected (an event was removed or reordered)`);
  });

  it('detects a forged row, even one whose hash was computed correctly', async () => {
    const chain = await listAuditChain(h.store.db, 'execution', id);
    const last = chain.at(-1)!;
    const content = {
      ...last,
      id: newId(),
      seq: last.seq + 1,
      eventType: 'STATE_CHANGE',
      metadata: { from: 'completed', to: 'running' },
    };
    const hash = auditHash(last.hash, hashedContent(content));
    await insertAuditEvent(h.store.db, { ...content, prevHash: last.hash, hash, keyId: null, mac: null });
    expect(await problems()).toContain(`execution ${id}: the chain ends at seq ${last.seq + 1} but its recorded head is seq ${last.seq}`);
  });
});
