import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteFile } from '../../src/store/store.ts';
import { createHarness, type ExecutionView, type Harness } from '../support/harness.ts';

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
