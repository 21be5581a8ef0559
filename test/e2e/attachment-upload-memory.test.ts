import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { generatedBytes } from '../support/generated-bytes.ts';
import { streamedFileForm } from '../support/multipart.ts';
import { measureRss, Processes } from '../support/processes.ts';
import { tempDir } from '../support/stores.ts';
import { startUploadServer } from '../support/upload-server.ts';
import { waitFor } from '../support/wait-for.ts';

const MiB = 1024 * 1024;
const UPLOAD_BYTES = 200 * MiB;

describe('a 200 MB upload to a real server process', () => {
  const dataDir = tempDir();
  const processes = new Processes();

  afterAll(async () => {
    await processes.stopAll();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('streams to disk with the server RSS growing by less than 50 MB', { timeout: 180_000 }, async () => {
    const { child, url, token, call } = await startUploadServer(processes, dataDir);
    await call('PUT', '/v1/workflows/big_evidence', {
      id: 'big_evidence',
      name: 'Big evidence',
      tasks: [{ id: 'attach', type: 'manual', with: { description: 'Attach the disk image' } }],
    });
    const { executionId } = await call<{ executionId: string }>('POST', '/v1/workflows/big_evidence/run', {});
    const taskRunId = await waitFor(
      async () => {
        const view = await call<{ taskRuns: { id: string; status: string }[] }>('GET', `/v1/executions/${executionId}`);
        return view.taskRuns.find((r) => r.status === 'waiting')?.id;
      },
      'the manual step',
      30_000,
    );

    const upload = async (fileName: string, totalBytes: number) => {
      const body = generatedBytes(totalBytes);
      const form = streamedFileForm(fileName, body.chunks);
      const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request(
          `${url}/v1/executions/${executionId}/steps/${taskRunId}/attachments`,
          { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': form.contentType } },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => (text += d));
            res.on('end', () => resolve({ status: res.statusCode!, text }));
          },
        );
        req.on('error', reject);
        pipeline(form.body, req).catch(reject);
      });
      const { status, text } = await response;
      expect(status, text).toBe(201);
      return { view: JSON.parse(text) as { id: string; sizeBytes: number; sha256: string }, sha256: body.sha256() };
    };

    // Warm up first, so the baseline includes the modules and buffers every upload uses.
    await upload('warm-up.bin', 8 * MiB);
    const { result, baselineBytes: baseline, peakBytes: peak } = await measureRss(child.pid!, () => upload('disk.img', UPLOAD_BYTES));
    const growthMiB = (peak - baseline) / MiB;
    console.log(
      `200 MiB upload: server RSS ${(baseline / MiB).toFixed(1)} MiB -> peak ${(peak / MiB).toFixed(1)} MiB (+${growthMiB.toFixed(1)} MiB)`,
    );

    expect(result.view).toMatchObject({ sizeBytes: UPLOAD_BYTES, sha256: result.sha256 });
    const stored = path.join(dataDir, 'attachments', 'attachments', executionId, result.view.id);
    expect(fs.statSync(stored).size).toBe(UPLOAD_BYTES);
    expect(growthMiB).toBeLessThan(50);
  });
});
