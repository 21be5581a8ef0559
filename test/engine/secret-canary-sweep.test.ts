import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { sqliteFile } from '../../src/store/store.ts';
import { createHarness, type ExecutionView, type Harness } from '../support/harness.ts';
import { describeEachDialect, type DialectName } from '../support/stores.ts';
import { fileForm } from '../support/multipart.ts';

/**
 * One canary, given as secrets of every type (string, a field of an object, an item of an array)
 * and then typed by a person or printed by a task into every place that takes text. Afterwards no
 * table, no write-ahead log, no API answer and no line of the server's own log holds it in any form.
 */
const CANARY = 'Canary-9tQv Zk/Xw?y#2';
const OBJECT_CANARY = 'objleaf-Hf42-canary';
const ARRAY_CANARY = 'arrleaf-Pm77-canary';
const DEFAULT_CANARY = 'deflt-Rw31-canary';
const ALL = [CANARY, OBJECT_CANARY, ARRAY_CANARY, DEFAULT_CANARY];

/** The forms a secret travels in: as written, JSON-escaped, URL-encoded, as the URL parser writes it, base64. */
function formsOf(secret: string): string[] {
  return [
    secret,
    JSON.stringify(secret).slice(1, -1),
    encodeURIComponent(secret),
    new URL(`http://h/${secret}`).href.slice('http://h/'.length),
    Buffer.from(secret).toString('base64').replace(/=+$/, ''),
  ];
}

describeEachDialect('the canary sweep', (dialect: DialectName) => {
  let h: Harness;
  const serverLog: string[] = [];
  beforeEach(async () => {
    serverLog.length = 0;
    h = await createHarness(dialect, {
      appOptions: { logger: { level: 'trace', stream: { write: (line: string) => void serverLog.push(line) } } },
    });
  });
  afterEach(async () => {
    await h.dispose();
  });

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
      { maxBuffer: 256 * 1024 * 1024 },
    );
  }

  async function get(url: string): Promise<string> {
    const res = await h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${h.adminToken}` } });
    expect(res.statusCode, url).toBeLessThan(300);
    return res.body;
  }

  it('finds the canary in no table, no API answer and no server log line', async () => {
    await h.apply({
      id: 'sweep',
      name: 'Sweep',
      inputs: {
        canary: { type: 'string', secret: true, required: true },
        creds: { type: 'object', secret: true, required: true },
        keys: { type: 'array', secret: true, required: true },
        fallback: { type: 'string', secret: true, default: DEFAULT_CANARY },
        server: { type: 'string', default: 'web-01' },
      },
      tasks: [
        {
          id: 'print',
          type: 'shell',
          with: {
            env: { C: '{{ inputs.canary }}', O: '{{ inputs.creds.password }}', A: 'arr={{ inputs.keys }}', D: '{{ inputs.fallback }}' },
            // the last command writes the canary across the 64 KiB cut of a long line
            command: [
              'echo "plain $C obj $O $A default $D"',
              'echo "whole {{ inputs.creds }}"',
              `node -e 'process.stdout.write("x".repeat(65536 - 5) + process.env.C + "\\n")'`,
              `node -e 'process.stdout.write("y".repeat(65536 - 7) + process.env.O + "\\n")'`,
            ].join('; '),
          },
        },
        { id: 'relay', type: 'log', needs: ['print'], with: { message: 'relayed {{ tasks.print.output.stdout }} {{ inputs.keys }}' } },
        {
          id: 'fetch',
          type: 'http',
          needs: ['approve'],
          with: { url: 'http://127.0.0.1:9/{{ inputs.canary }}?k={{ inputs.creds.password }}' },
        },
        { id: 'approve', type: 'manual', needs: ['relay'], with: { description: 'check' } },
      ],
    });
    const run = await h.api<{ executionId: string }>('POST', '/v1/workflows/sweep/run', {
      inputs: { canary: CANARY, creds: { user: 'ops', password: OBJECT_CANARY }, keys: ['k1', ARRAY_CANARY] },
      title: `title ${CANARY} ${OBJECT_CANARY}`,
      correlationId: `corr-${ARRAY_CANARY}`,
    });
    expect(run.status).toBe(202);
    const id = run.body.executionId;
    let approve: ExecutionView['taskRuns'][number] | undefined;
    for (let i = 0; i < 400 && !approve; i++) {
      approve = (await h.api<ExecutionView>('GET', `/v1/executions/${id}`)).body.taskRuns.find((r) => r.status === 'waiting');
      if (!approve) await new Promise((r) => setTimeout(r, 25));
    }
    expect(approve, JSON.stringify((await h.api<ExecutionView>('GET', `/v1/executions/${id}`)).body)).toBeDefined();

    // a person writes the canaries into every field a record has
    expect(
      (await h.api('PATCH', `/v1/executions/${id}`, { title: `t ${OBJECT_CANARY}`, notes: `n ${ARRAY_CANARY} ${CANARY}` })).status,
    ).toBe(200);
    expect((await h.api('PATCH', `/v1/executions/${id}/steps/${approve!.id}`, { notes: `step ${OBJECT_CANARY}` })).status).toBe(200);
    const upload = fileForm(`evidence-${OBJECT_CANARY}.txt`, `content ${CANARY}`, 'text/plain');
    const uploaded = await h.app.inject({
      method: 'POST',
      url: `/v1/executions/${id}/steps/${approve!.id}/attachments`,
      headers: { authorization: `Bearer ${h.adminToken}`, ...upload.headers },
      payload: upload.payload,
    });
    expect(uploaded.statusCode).toBe(201);
    expect(
      (await h.api('POST', `/v1/executions/${id}/steps/${approve!.id}/complete`, { status: 'succeeded', notes: `done ${ARRAY_CANARY}` }))
        .status,
    ).toBe(200);
    expect(await h.engine.waitForExecution(id, 20_000)).toBe('failed'); // the http task cannot connect

    // a second run, cancelled with the canary as its reason
    const second = await h.api<{ executionId: string }>('POST', '/v1/workflows/sweep/run', {
      inputs: { canary: CANARY, creds: { password: OBJECT_CANARY }, keys: [ARRAY_CANARY] },
      correlationId: CANARY,
    });
    const cancelled = await h.api('POST', `/v1/executions/${second.body.executionId}/cancel`, {
      reason: `stop ${CANARY} ${OBJECT_CANARY}`,
    });
    expect(cancelled.status).toBe(200);
    await h.engine.waitForExecution(second.body.executionId, 20_000);

    // searching by a secret input matches nothing, whatever is asked
    for (const query of [
      'input.canary=***',
      `input.canary=${encodeURIComponent(CANARY)}`,
      `input.creds=${encodeURIComponent(JSON.stringify({ user: 'ops', password: OBJECT_CANARY }))}`,
      'input.creds=***',
      'input.keys=***',
    ]) {
      const found = await h.api<{ items: unknown[] }>('GET', `/v1/executions?${query}`);
      expect(found.status, query).toBe(200);
      expect(found.body.items, query).toEqual([]);
    }
    expect((await h.api<{ items: unknown[] }>('GET', '/v1/executions?input.server=web-01')).body.items).toHaveLength(2);

    // the record really holds what happened, masked
    const e = (await h.api<ExecutionView>('GET', `/v1/executions/${id}`)).body;
    expect(e.inputs).toEqual({ canary: '***', creds: '***', keys: '***', fallback: '***', server: 'web-01' });
    const print = e.taskRuns.find((r) => r.taskId === 'print')!;
    expect((print.output as { stdout: string }).stdout).toContain('plain *** obj *** arr=*** default ***');
    const fetchRun = e.taskRuns.find((r) => r.taskId === 'fetch')!;
    expect(fetchRun.error?.message).toContain('***');

    const answers: string[] = [];
    const taskRuns = e.taskRuns.flatMap((r) => [`/v1/executions/${id}/tasks/${r.id}`, `/v1/executions/${id}/tasks/${r.id}/audit`]);
    const attachments = JSON.parse(await get(`/v1/executions/${id}/attachments`)) as { items: Array<{ id: string; fileName: string }> };
    for (const url of [
      `/v1/executions/${id}`,
      `/v1/executions/${second.body.executionId}`,
      '/v1/executions',
      '/v1/workflows/sweep/executions',
      `/v1/executions/${id}/audit`,
      `/v1/executions/${second.body.executionId}/audit`,
      `/v1/executions/${id}/logs?limit=1000`,
      `/v1/executions/${id}/logs/download`,
      `/v1/executions/${id}/logs/download?format=ndjson`,
      `/v1/executions/${id}/logs/summary`,
      `/v1/executions/${id}/document`,
      `/v1/executions/${id}/step-audit`,
      `/v1/executions/${id}/attachments`,
      '/v1/workflows/sweep',
      '/v1/workflows/sweep/versions',
      '/v1/workflows/sweep/versions/1',
      '/v1/audit',
      '/v1/audit/export',
      ...taskRuns,
      ...attachments.items.map((a) => `/v1/attachments/${a.id}/url`),
    ]) {
      answers.push(await get(url));
    }
    const stored = await storedBytes();
    const evidence = fs.readdirSync(path.join(h.dataDir, 'attachments'), { recursive: true, encoding: 'utf8' }).join('\n');
    for (const secret of ALL) {
      for (const form of formsOf(secret)) {
        // a secret default is part of the definition, which must be stored to be used; it is shown nowhere
        if (secret !== DEFAULT_CANARY) expect(stored.includes(Buffer.from(form)), `the store holds ${form}`).toBe(false);
        for (const [i, answer] of answers.entries()) expect(answer.includes(form), `API answer ${i} holds ${form}`).toBe(false);
        expect(serverLog.join('').includes(form), `the server log holds ${form}`).toBe(false);
        expect(evidence.includes(form), `a stored evidence key holds ${form}`).toBe(false);
      }
    }
    // the sweep is not vacuous: what was typed is there, masked
    expect(stored.includes(Buffer.from('n *** ***'))).toBe(true);
    expect(answers.join('\n')).toContain('[continued] ***');
  });
});
