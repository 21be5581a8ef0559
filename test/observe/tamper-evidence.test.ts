import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startServer } from '../../src/api/server.ts';
import { newId } from '../../src/domain/ids.ts';
import { auditHash } from '../../src/observe/audit-chain.ts';
import { insertAuditEvent, listAuditChain } from '../../src/store/audit-event-repository.ts';
import { createAttachmentFixture, sha256, type AttachmentFixture } from '../support/attachment-fixture.ts';
import { createHarness, type Harness } from '../support/harness.ts';
import { describeEachDialect, tempDir, TEST_PG_URL } from '../support/stores.ts';
import { dropAuditGuards } from '../support/tampering.ts';

interface Verification {
  ok: boolean;
  problems: string[];
}

const dropGuards = (h: Harness) => dropAuditGuards(h);

/** A task that fails, so its record has a failure to turn into a success. */
const FLAKY = {
  id: 'deploy',
  name: 'Deploy',
  tasks: [
    { id: 'build', type: 'shell', with: { command: 'echo built' } },
    { id: 'ship', type: 'shell', needs: ['build'], with: { command: 'echo shipping; exit 3' } },
  ],
};

describeEachDialect('tamper evidence: the record, not only the audit rows', (dialect) => {
  let h: Harness;
  let executionId: string;
  const verify = async () => (await h.api<Verification>('GET', '/v1/audit/verify')).body;
  const problemsOf = async () => (await verify()).problems.join('\n');

  afterEach(async () => {
    await h?.dispose();
  });

  async function failedRun(): Promise<void> {
    h = await createHarness(dialect);
    await h.apply(FLAKY);
    const e = await h.runToEnd('deploy');
    expect(e.status).toBe('failed');
    executionId = e.id;
    expect(await verify()).toMatchObject({ ok: true, problems: [] });
  }

  it('names an execution whose status was changed from failed to completed', async () => {
    await failedRun();
    await h.store.db.updateTable('executions').set({ status: 'completed', error: null }).where('id', '=', executionId).execute();
    const problems = await problemsOf();
    expect(problems).toContain(`execution ${executionId}: record: its status is completed, the audit trail says failed`);
    expect(problems).toContain(`execution ${executionId}: record: its error is not the one recorded when it ended`);
  });

  it('names a changed trigger, triggering user and inputs', async () => {
    await failedRun();
    await h.store.db
      .updateTable('executions')
      .set({ triggered_by: null, trigger: 'schedule', inputs: JSON.stringify({ env: 'staging' }) })
      .where('id', '=', executionId)
      .execute();
    const problems = await problemsOf();
    for (const fact of ['triggered by', 'trigger', 'inputs'])
      expect(problems).toContain(`execution ${executionId}: record: its ${fact} is not the one recorded when it was created`);
  });

  it('names a task run whose output, status and transition were rewritten to look like a success', async () => {
    await failedRun();
    const ship = await h.store.db
      .selectFrom('task_runs')
      .select(['id'])
      .where('execution_id', '=', executionId)
      .where('task_id', '=', 'ship')
      .executeTakeFirstOrThrow();
    const forged = { exitCode: 0, stdout: 'shipping\n', stderr: '' };
    await h.store.db
      .updateTable('task_runs')
      .set({ status: 'succeeded', output: JSON.stringify(forged), error: null })
      .where('id', '=', ship.id)
      .execute();
    await h.store.db
      .updateTable('task_run_transitions')
      .set({ to_state: 'succeeded', metadata: JSON.stringify({ result: forged, success: true }) })
      .where('task_run_id', '=', ship.id)
      .where('to_state', '=', 'failed')
      .execute();
    const problems = await problemsOf();
    const label = `task run ship#1 (${ship.id})`;
    expect(problems).toContain(`execution ${executionId}: ${label}: its status is succeeded, the audit trail says failed`);
    expect(problems).toContain(`execution ${executionId}: ${label}: its output is not the one recorded when it ended`);
    expect(problems).toMatch(new RegExp(`transition \\S+ \\(running → succeeded\\): it differs from what the audit trail recorded`));
  });

  it('names an edited step-result row, and one deleted', async () => {
    await failedRun();
    await dropGuards(h);
    const rows = await h.store.db
      .selectFrom('step_result_audit')
      .select(['id', 'transition_id'])
      .where('execution_id', '=', executionId)
      .execute();
    expect(rows.length).toBe(2);
    await h.store.db
      .updateTable('step_result_audit')
      .set({ success: h.store.caps.dialect === 'postgres' ? sql`true` : sql`1`, worker_id: 'elsewhere' })
      .where('id', '=', rows[0]!.id)
      .execute();
    await h.store.db.deleteFrom('step_result_audit').where('id', '=', rows[1]!.id).execute();
    const problems = await problemsOf();
    expect(problems).toMatch(
      new RegExp(`step result of transition ${rows[0]!.transition_id}: its (workerId|success) differs from the transition it records`),
    );
    expect(problems).toContain(`execution ${executionId}: step result of transition ${rows[1]!.transition_id}: missing`);
  });

  it('names a forged event appended at the tail with a valid hash, and a rewrite that a later checkpoint would have laundered', async () => {
    await failedRun();
    await h.api('POST', '/v1/audit/checkpoints');
    await dropGuards(h);
    const chain = await listAuditChain(h.store.db, 'execution', executionId);
    const last = chain.at(-1)!;
    // A forged tail: a correct seq, link and hash, computed the way the server computes them.
    const content = {
      id: newId(),
      subjectType: 'execution',
      subjectId: executionId,
      seq: last.seq + 1,
      executionId,
      eventType: 'RECORD_UPDATED',
      actor: { kind: 'user', username: 'admin', userId: null },
      metadata: { notes: { before: null, after: 'all fine' } },
      createdAt: new Date().toISOString(),
    };
    const hash = auditHash(last.hash, content);
    await insertAuditEvent(h.store.db, { ...content, prevHash: last.hash, hash, keyId: last.keyId, mac: last.mac });
    await h.store.db.updateTable('audit_chain_heads').set({ seq: content.seq, hash }).where('subject_id', '=', executionId).execute();
    expect(await problemsOf()).toContain(
      `execution ${executionId}: event ${content.id} (seq ${content.seq}): its authentication does not verify (forged or rewritten)`,
    );
    // Take the forgery out again, then remove the real terminal event and let the server write a new checkpoint:
    // the earlier checkpoint still knows the chain was longer.
    await h.store.db.deleteFrom('audit_events').where('id', 'in', [content.id, last.id]).execute();
    await h.store.db
      .updateTable('audit_chain_heads')
      .set({ seq: last.seq - 1, hash: chain.at(-2)!.hash })
      .where('subject_id', '=', executionId)
      .execute();
    expect((await h.api('POST', '/v1/audit/checkpoints')).status).toBe(201);
    expect(await problemsOf()).toContain(
      `checkpoint 1: execution ${executionId} had ${last.seq} events, the store has ${last.seq - 1} (a deleted tail)`,
    );
  });
});

describeEachDialect('tamper evidence: evidence files', (dialect) => {
  let f: AttachmentFixture;
  afterEach(async () => {
    await f?.dispose();
  });

  it('names a file replaced together with its row sha256, in `attachments check` and in verify', async () => {
    f = await createAttachmentFixture(dialect, 'local');
    const record = await f.openRecord();
    const res = await f.upload(record, 'rack.txt', 'the rack as it was');
    expect(res.statusCode, res.body).toBe(201);
    const { id } = res.json<{ id: string }>();
    const row = await f.h.store.db.selectFrom('attachments').select(['storage_key']).where('id', '=', id).executeTakeFirstOrThrow();
    const replacement = 'the rack as someone wished it was';
    fs.writeFileSync(path.join(f.storageDir!, row.storage_key), replacement);
    await f.h.store.db
      .updateTable('attachments')
      .set({ sha256: sha256(replacement), size_bytes: Buffer.byteLength(replacement) })
      .where('id', '=', id)
      .execute();
    const check = await f.h.api<{ ok: boolean; altered: { id: string; expectedSha256: string }[] }>('GET', '/v1/admin/attachments/check');
    expect(check.body.ok).toBe(false);
    expect(check.body.altered).toEqual([expect.objectContaining({ id, expectedSha256: sha256('the rack as it was') })]);
    const v = (await f.h.api<Verification>('GET', '/v1/audit/verify')).body;
    expect(v.problems).toContain(
      `execution ${record.executionId}: attachment ${id} (rack.txt): its sha256, size or step is not what was recorded when it was added`,
    );
  });
});

describeEachDialect('one audit key per deployment', (dialect) => {
  it('refuses a second node with a key of its own, and takes one with the deployment key', async () => {
    const h = await createHarness(dialect);
    try {
      if (dialect === 'sqlite') {
        // One process per data directory, and the key lives in it: a node with another key cannot share the store.
        expect(h.store.caps.dialect).toBe('sqlite');
        return;
      }
      const start = (env: Record<string, string>) =>
        startServer(
          loadConfig(
            { RUNLEDGER_LOG_LEVEL: 'silent', RUNLEDGER_SECRET_KEY: Buffer.alloc(32, 9).toString('base64'), ...env },
            { dataDir: tempDir(), databaseUrl: TEST_PG_URL, port: 0, host: '127.0.0.1' },
          ),
          { print: () => {}, worker: false, schema: h.store.schema },
        );
      await expect(start({})).rejects.toThrow(
        new RegExp(
          `this store's audit trail is authenticated with key ${h.auditSigner.keyId} .*but this process has key \\S+ \\(generated in .*audit-signing-key.pem\\)`,
        ),
      );
      const pem = fs.readFileSync(path.join(h.dataDir, 'audit-signing-key.pem'), 'utf8');
      const node = await start({ RUNLEDGER_AUDIT_SIGNING_KEY: pem });
      await node.close();
    } finally {
      await h.dispose();
    }
  });
});
