import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteFile } from '../../src/store/store.ts';
import { createHarness, type Harness } from '../support/harness.ts';

const INPUT_SECRET = 'hunter2-Zq8-input-secret';
const ENV_SECRET = 'envsecret-Wk3-value';

/** Every byte the SQLite store keeps: the main file and its write-ahead log. */
function storeBytes(dataDir: string): Buffer {
  const file = sqliteFile(dataDir);
  return Buffer.concat([file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
}

describe('secrets never reach the store', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness('sqlite', { env: { RUNLEDGER_SECRET_DEPLOY_KEY: ENV_SECRET } });
  });
  afterEach(async () => {
    await h.dispose();
  });

  it('masks a declared secret input and a {{ secrets.X }} that were printed, returned, encoded and passed on', async () => {
    await h.apply({
      id: 'leaky',
      name: 'Leaky',
      inputs: { api_token: { type: 'string', secret: true, required: true }, server: { type: 'string', default: 'web-01' } },
      tasks: [
        {
          id: 'print',
          type: 'shell',
          with: {
            command:
              'echo "token={{ inputs.api_token }}"; echo "key={{ secrets.DEPLOY_KEY }}" >&2; printf "%s" "{{ inputs.api_token }}" | base64; echo "url=$(node -e "console.log(encodeURIComponent(process.argv[1]))" "{{ inputs.api_token }}")"',
          },
        },
        { id: 'pass_on', type: 'log', needs: ['print'], with: { message: 'got {{ tasks.print.output.stdout }}' } },
        { id: 'fail', type: 'shell', needs: ['print'], with: { command: 'echo "bad {{ secrets.DEPLOY_KEY }}" >&2; exit 1' } },
      ],
    });
    const e = await h.runToEnd('leaky', { api_token: INPUT_SECRET });
    expect(e.status).toBe('failed');
    expect(e.inputs).toEqual({ api_token: '***', server: 'web-01' });
    const print = e.taskRuns.find((r) => r.taskId === 'print')!;
    expect((print.output as { stdout: string }).stdout).toContain('token=***');
    expect((print.output as { stderr: string }).stderr).toContain('key=***');
    await h.logs.flush();
    await h.writer.drain();
    // checkpoint nothing: the WAL is read as well, so whatever is in either file counts
    const bytes = storeBytes(h.dataDir);
    for (const secret of [INPUT_SECRET, ENV_SECRET, Buffer.from(INPUT_SECRET).toString('base64'), encodeURIComponent(INPUT_SECRET)]) {
      expect(bytes.includes(Buffer.from(secret)), `store contains ${secret}`).toBe(false);
    }
    // and the masked record is really there (the check above is not vacuous)
    expect(bytes.includes(Buffer.from('token=***'))).toBe(true);
    expect(fs.existsSync(path.join(h.dataDir, 'runledger.db'))).toBe(true);
  });
});
