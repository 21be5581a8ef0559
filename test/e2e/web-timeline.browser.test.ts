import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, CHROMIUM_PATH, launchChromium } from '../support/chromium.ts';
import { expectAccessible, screenshot, SCREENSHOT_DIR, signedInPage, startWebServer, type WebServer } from '../support/web-server.ts';

/**
 * The timeline of an execution with a for_each task, in Chromium against the real server: the eight
 * item runs sit under one group row, closed, and open with its button; the on_failure run follows a
 * separator.
 */

const skip = !chromiumAvailable() && !process.env.CI;
if (skip) console.warn(`Timeline browser tests skipped: Chromium not found at ${CHROMIUM_PATH}`);

const SERVERS = [
  'web-01',
  'web-02',
  'web-03',
  'web-04',
  'web-05',
  'web-06',
  'db-01',
  'a-very-long-server-name-that-will-not-fit.example.internal',
];

const FAN_OUT = {
  id: 'fan_out_timeline',
  name: 'Fan out (timeline)',
  inputs: { servers: { type: 'array', default: SERVERS } },
  tasks: [
    { id: 'prepare', type: 'log', with: { message: 'checking {{ inputs.servers }}' } },
    {
      id: 'each_server',
      type: 'shell',
      needs: ['prepare'],
      for_each: '{{ inputs.servers }}',
      concurrency: 3,
      continue_on_failure: true,
      // db-01 fails; the others take a little while, so the bars have a width
      with: { env: { SERVER: '{{ item }}' }, command: 'sleep 0.3; test "$SERVER" != db-01' },
    },
    { id: 'verify', type: 'shell', needs: ['each_server'], with: { command: 'echo "one server did not answer" >&2; exit 1' } },
  ],
  on_failure: [{ id: 'notify', type: 'log', with: { level: 'ERROR', message: 'fan-out failed' } }],
};

describe.skipIf(skip)('timeline of a for_each task in Chromium', () => {
  let web: WebServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let executionId: string;

  beforeAll(async () => {
    web = await startWebServer('runledger-web-timeline-');
    await web.client.applyWorkflow(JSON.stringify(FAN_OUT), 'json');
    executionId = (await web.client.runWorkflow('fan_out_timeline', { title: 'Fan out over 8 servers' })).executionId;
    const ended = await web.client.waitForExecution(executionId, { pollMs: 100, timeoutMs: 30_000 });
    expect(ended.status).toBe('failed');
    browser = await launchChromium();
    ({ context, page, errors } = await signedInPage(browser, web.server.url));
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await web?.close();
  });

  /** The page, and the timeline alone (the picture in docs/web.md), also copied to TIMELINE_SCREENSHOT_DIR when set. */
  async function shoot(name: string): Promise<void> {
    await screenshot(page, name);
    await page.locator('.timeline-grid').screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-plot.png`) });
    const out = process.env.TIMELINE_SCREENSHOT_DIR;
    if (!out) return;
    fs.mkdirSync(out, { recursive: true });
    for (const file of [`${name}.png`, `${name}-plot.png`]) fs.copyFileSync(path.join(SCREENSHOT_DIR, file), path.join(out, file));
  }

  it('shows the items of a for_each task as one closed group row with their counts, and opens it', async () => {
    await page.goto(`${web.server.url}/executions/${executionId}/timeline`);
    const rows = page.getByRole('list', { name: 'Timeline rows' });
    const toggle = rows.getByRole('button', { name: 'each_server ×8' });
    await toggle.waitFor();
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await rows.locator('li.group').textContent()).toContain('7 succeeded · 1 failed');
    // the other tasks keep a row each; on_failure runs come after a separator
    expect(await rows.locator('li').allTextContents()).toEqual([
      'prepare',
      '▸each_server ×87 succeeded · 1 failed',
      'verify',
      'on_failure',
      'notify',
    ]);
    expect(await rows.locator('li.item').count()).toBe(0);
    // the group's bar holds one span per item
    expect(await page.locator('.timeline rect.bar.item').count()).toBe(8);
    expect(await page.locator('.timeline rect.bar.item.status-failed').count()).toBe(1);
    await expectAccessible(page, 'timeline, group closed');
    await shoot('timeline-group-closed');

    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    const items = rows.locator('li.item');
    await expect.poll(() => items.count()).toBe(8);
    for (const item of await items.all()) expect(await item.isVisible()).toBe(true);
    const labels = await items.allTextContents();
    expect(labels.slice(0, 7)).toEqual(SERVERS.slice(0, 7).map((s, i) => `[${i}] ${s}`));
    expect(labels[7]).toMatch(/^\[7\] a-very-long-server-name-that-wi…$/);
    // the item rows sit right under the group row, before the next task
    const all = await rows.locator('li').allTextContents();
    expect(all.indexOf('verify')).toBe(all.findIndex((t) => t.includes('each_server ×8')) + 9);
    // item rows line up with their bars: one run bar per row
    expect(await page.locator('.timeline rect.bar.run').count()).toBe(8 + 3);
    await expectAccessible(page, 'timeline, group open');
    await shoot('timeline-group-open');

    await page.getByRole('button', { name: 'Dark mode' }).click();
    await shoot('timeline-group-open-dark');
    await toggle.click();
    await expect.poll(() => items.count()).toBe(0);
    await shoot('timeline-group-closed-dark');
    await page.getByRole('button', { name: 'Dark mode' }).click();
    expect(errors).toEqual([]);
  });
});
