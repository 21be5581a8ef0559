import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, CHROMIUM_PATH, launchChromium } from '../support/chromium.ts';
import { measureRss, Processes } from '../support/processes.ts';
import { tempDir } from '../support/stores.ts';
import { startUploadServer } from '../support/upload-server.ts';
import { signIn } from '../support/web-server.ts';

/**
 * A 200 MB file attached from the run view in Chromium to a real server process: the page streams
 * it with a progress bar, and the server's resident memory stays bounded as for any upload.
 */
const skip = !chromiumAvailable() && !process.env.CI;
if (skip) console.warn(`Browser upload test skipped: Chromium not found at ${CHROMIUM_PATH}`);

const MiB = 1024 * 1024;
const UPLOAD_BYTES = 200 * MiB;

describe.skipIf(skip)('a 200 MB upload from the run view', () => {
  const dir = tempDir('runledger-web-upload-');
  const dataDir = path.join(dir, 'data');
  const processes = new Processes();
  let browser: Browser | undefined;

  afterAll(async () => {
    await browser?.close();
    await processes.stopAll();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('streams to the server with a progress bar, its RSS growing by less than 60 MB', { timeout: 240_000 }, async () => {
    const { child, url, call } = await startUploadServer(processes, dataDir);
    await call('PUT', '/v1/workflows/image_disk', {
      id: 'image_disk',
      name: 'Image a disk',
      doc: '1. Attach the disk image.',
      tasks: [{ id: 'attach', type: 'manual', with: { description: 'Attach the disk image' } }],
    });
    const { executionId } = await call<{ executionId: string }>('POST', '/v1/workflows/image_disk/run', { procedure: true });

    // 200 MB on disk, written in pieces (never one buffer here either)
    const file = path.join(dir, 'disk.img');
    const hash = createHash('sha256');
    const fd = fs.openSync(file, 'w');
    for (let i = 0; i < UPLOAD_BYTES / MiB; i++) {
      const chunk = Buffer.alloc(MiB, i % 251);
      hash.update(chunk);
      fs.writeSync(fd, chunk);
    }
    fs.closeSync(fd);

    browser = await launchChromium();
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${url}/executions/${executionId}`);
    await signIn(page);
    const step = page.locator('li[data-task-id="attach"]');
    await step.getByRole('button', { name: 'Attach file' }).waitFor();
    // the page is loaded and a small request has been served: the baseline
    const { baselineBytes: baseline, peakBytes: peak } = await measureRss(child.pid!, async () => {
      await step.locator('input[type=file]').first().setInputFiles(file);
      await step.locator('progress').waitFor();
      await step.getByText('Attached disk.img').waitFor({ timeout: 180_000 });
    });
    const growthMiB = (peak - baseline) / MiB;
    console.log(`200 MiB upload from the page: server RSS ${(baseline / MiB).toFixed(1)} MiB -> peak ${(peak / MiB).toFixed(1)} MiB`);
    const [stored] = await call<{ items: { sizeBytes: number; sha256: string }[] }>(
      'GET',
      `/v1/executions/${executionId}/attachments`,
    ).then((r) => r.items);
    expect(stored).toMatchObject({ sizeBytes: UPLOAD_BYTES, sha256: hash.digest('hex') });
    expect(growthMiB).toBeLessThan(60);
  });
});
