import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { streamedFileForm } from '../support/multipart.ts';
import { tempDir } from '../support/stores.ts';
import { waitFor } from '../support/wait-for.ts';
import { generatedBytes } from '../support/generated-bytes.ts';

const BIN = path.resolve('bin/runledger.js');
const MiB = 1024 * 1024;
const UPLOAD_BYTES = 200 * MiB;

/** The resident set of a process, from the kernel's own accounting. */
function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

describe('a 200 MB upload to a real server process', () => {
  const dataDir = tempDir();
  let server: ChildProcess | undefined;

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('streams to disk with the server RSS growing by less than 50 MB', { timeout: 180_000 }, async () => {
    server = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
      env: {
        ...process.env,
        RUNLEDGER_DATA_DIR: dataDir,
        RUNLEDGER_ADMIN_PASSWORD: 'correct horse battery',
        RUNLEDGER_LOG_LEVEL: 'silent',
        ATTACHMENT_MAX_BYTES: String(256 * MiB),
        ATTACHMENT_USER_QUOTA_BYTES: '0',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    server.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const pid = server.pid!;
    const url = await waitFor(
      () => {
        const file = path.join(dataDir, 'server.json');
        return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { url: string }).url : undefined;
      },
      'the server to listen',
      30_000,
    ).catch((e: unknown) => {
      throw new Error(`${String(e)}; server stderr: ${stderr}`);
    });
    const token = fs.readFileSync(path.join(dataDir, 'local-token'), 'utf8').trim();
    const call = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
      const res = await fetch(`${url}${route}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      if (res.status >= 300) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    };
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
    await new Promise((r) => setTimeout(r, 500));
    const baseline = rssBytes(pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 20);
    let result: Awaited<ReturnType<typeof upload>>;
    try {
      result = await upload('disk.img', UPLOAD_BYTES);
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, rssBytes(pid));
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
