import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.ts';
import { sqliteFile } from '../../src/store/store.ts';
import { createHarness, createSecondEngine, type ExecutionView, type Harness } from '../support/harness.ts';
import { describeEachDialect } from '../support/stores.ts';

const CANARY = 'canary-7f3Kq9-Zx2w-secret';
const forms = [
  CANARY,
  Buffer.from(CANARY).toString('base64'),
  encodeURIComponent(`${CANARY}/x`).replace('%2Fx', ''),
  JSON.stringify(CANARY).slice(1, -1),
];

describe('a canary secret never reaches the store or an API answer', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness('sqlite');
  });
  afterEach(async () => {
    await h.dispose();
  });

  it('is masked when printed plainly, split across output chunks, encoded, in an error, and passed between tasks', async () => {
    await h.apply({
      id: 'canary',
      name: 'Canary',
      inputs: { canary: { type: 'string', secret: true, required: true } },
      tasks: [
        {
          id: 'print',
          type: 'shell',
          with: {
            env: { C: '{{ inputs.canary }}' },
            // the second half of the secret arrives in a later chunk than the first
            command:
              'echo "plain $C"; printf "split %s" "${C%%-secret}"; sleep 0.3; echo "-secret"; printf "%s" "$C" | base64; echo "{\\"json\\": \\"$C\\"}"',
          },
        },
        { id: 'relay', type: 'log', needs: ['print'], with: { message: 'relayed {{ tasks.print.output.stdout }}' } },
        { id: 'broken', type: 'http', with: { url: 'http://127.0.0.1:9/{{ inputs.canary }}' } },
      ],
    });
    const res = await h.api<{ executionId: string }>('POST', '/v1/workflows/canary/run', {
      inputs: { canary: CANARY },
      title: `run ${CANARY}`,
    });
    await h.engine.waitForExecution(res.body.executionId);
    const id = res.body.executionId;
    const e = (await h.api<ExecutionView>('GET', `/v1/executions/${id}`)).body;
    expect(e.status).toBe('failed');
    const broken = e.taskRuns.find((r) => r.taskId === 'broken')!;
    expect(broken.error?.code).toBe('HTTP_REQUEST_FAILED');
    expect(broken.error?.message).toContain('***');
    const print = e.taskRuns.find((r) => r.taskId === 'print')!;
    expect((print.output as { stdout: string }).stdout).toContain('split ***');

    const answers: string[] = [];
    for (const url of [
      `/v1/executions/${id}`,
      '/v1/executions',
      `/v1/executions/${id}/audit`,
      ...e.taskRuns.flatMap((r) => [`/v1/executions/${id}/tasks/${r.id}`, `/v1/executions/${id}/tasks/${r.id}/audit`]),
    ]) {
      const r = await h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${h.adminToken}` } });
      expect(r.statusCode, url).toBe(200);
      answers.push(r.body);
    }
    const exported = await h.app.inject({ method: 'GET', url: '/v1/audit/export', headers: { authorization: `Bearer ${h.adminToken}` } });
    answers.push(exported.body);
    await h.logs.flush();
    await h.writer.drain();
    const file = sqliteFile(h.dataDir);
    const stored = Buffer.concat([file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
    for (const form of forms) {
      expect(stored.includes(Buffer.from(form)), `store holds ${form}`).toBe(false);
      for (const answer of answers) expect(answer.includes(form), `an API answer holds ${form}`).toBe(false);
    }
    // the record is there, masked
    const lines = await h.store.db.selectFrom('execution_logs').select('message').where('execution_id', '=', id).execute();
    expect(lines.map((l) => l.message)).toEqual(expect.arrayContaining(['plain ***', 'split ***']));
    expect(lines.some((l) => l.message.startsWith('relayed ') && l.message.includes('***'))).toBe(true);
  });
});

describeEachDialect('a canary secret across a restart', (dialect) => {
  let h: Harness;
  let next: Engine | undefined;
  beforeEach(async () => {
    h = await createHarness(dialect);
  });
  afterEach(async () => {
    await next?.shutdown();
    await h.dispose();
  });

  /** Everything the store holds: the SQLite files, or a dump of the PostgreSQL schema. */
  async function storedBytes(): Promise<Buffer> {
    await h.logs.flush();
    await h.writer.drain();
    if (dialect === 'sqlite') {
      const file = sqliteFile(h.dataDir);
      return Buffer.concat([file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
    }
    const url = new URL(h.databaseUrl!);
    return execFileSync(
      'pg_dump',
      ['-h', url.hostname, '-p', url.port || '5432', '-U', url.username || 'postgres', '-n', h.schema!, url.pathname.slice(1)],
      {
        maxBuffer: 256 * 1024 * 1024,
      },
    );
  }

  it('is only ever stored sealed while the execution waits, opened by the next process, and stored nowhere once it ends', async () => {
    await h.apply({
      id: 'gated',
      name: 'Gated',
      inputs: { canary: { type: 'string', secret: true, required: true } },
      tasks: [
        { id: 'approve', type: 'manual', with: { description: 'check' } },
        {
          id: 'use',
          type: 'shell',
          needs: ['approve'],
          with: { env: { C: '{{ inputs.canary }}' }, command: 'echo "got $C"; printf %s "$C" | wc -c' },
        },
      ],
    });
    const res = await h.api<{ executionId: string }>('POST', '/v1/workflows/gated/run', {
      inputs: { canary: CANARY },
      correlationId: CANARY,
    });
    const id = res.body.executionId;
    let waiting: ExecutionView['taskRuns'][number] | undefined;
    for (let i = 0; i < 200 && !waiting; i++) {
      waiting = (await h.api<ExecutionView>('GET', `/v1/executions/${id}`)).body.taskRuns.find((r) => r.status === 'waiting');
      if (!waiting) await new Promise((r) => setTimeout(r, 25));
    }
    // While it waits the secret is in the store only sealed (by design), never in clear.
    const sealed = (await h.store.db.selectFrom('executions').select('sealed_secrets').where('id', '=', id).executeTakeFirstOrThrow())
      .sealed_secrets;
    expect(sealed).toMatch(/^rl1\./);
    for (const form of forms) expect((await storedBytes()).includes(Buffer.from(form)), `store holds ${form} while waiting`).toBe(false);

    await h.engine.die();
    next = await createSecondEngine(h, { workerId: 'after-restart' });
    await next.completeManualStep(id, waiting!.id, {
      status: 'succeeded',
      notes: `looks fine ${CANARY}`,
      actor: { kind: 'user', userId: null, username: 'ops', role: 'admin' },
    });
    expect(await next.waitForExecution(id, 20_000)).toBe('completed');
    const e = (await h.api<ExecutionView>('GET', `/v1/executions/${id}`)).body;
    const use = e.taskRuns.find((r) => r.taskId === 'use')!;
    expect((use.output as { stdout: string }).stdout).toBe(`got ***\n${CANARY.length}`);
    const bytes = await storedBytes();
    const rows = await h.store.db.selectFrom('executions').select('sealed_secrets').where('sealed_secrets', 'is not', null).execute();
    expect(rows, 'the sealed copy is erased at the end').toEqual([]);
    // A PostgreSQL dump holds the rows as they are; SQLite's file may keep a freed page's old bytes
    // (ciphertext only) until the page is reused, which is why the sealed form is excluded from the scan.
    if (dialect === 'postgres') expect(bytes.includes(Buffer.from(sealed!)), 'the dump holds the sealed copy').toBe(false);
    for (const form of forms) expect(bytes.includes(Buffer.from(form)), `store holds ${form}`).toBe(false);
  });
});
