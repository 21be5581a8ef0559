import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, CHROMIUM_PATH, launchChromium } from '../support/chromium.ts';
import { expectAccessible, screenshot, signedInPage, startWebServer, type WebServer } from '../support/web-server.ts';

/**
 * A workflow's triggers on its page, in Chromium against the real server: the schedule with its next
 * run time (from the store's schedule, not the definition alone), the webhook with its address, and
 * never a secret.
 */

const skip = !chromiumAvailable() && !process.env.CI;
if (skip) console.warn(`Trigger browser tests skipped: Chromium not found at ${CHROMIUM_PATH}`);

describe.skipIf(skip)("a workflow's triggers in Chromium", () => {
  let web: WebServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let secret: string;

  beforeAll(async () => {
    web = await startWebServer('runledger-web-triggers-');
    const applied = await web.client.applyWorkflow(fs.readFileSync(path.resolve('examples/scheduled-report.yaml'), 'utf8'), 'yaml');
    secret = applied.webhookSecrets!.on_demand!;
    browser = await launchChromium();
    ({ context, page, errors } = await signedInPage(browser, web.server.url));
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await web?.close();
  });

  it('lists the schedule with its next run and the webhook with its address', async () => {
    await page.goto(`${web.server.url}/workflows/scheduled_report`);
    const table = page.getByRole('table', { name: 'Triggers' });
    const schedule = table.getByRole('row').filter({ hasText: 'weekday_morning' });
    await expect.poll(() => schedule.textContent()).toMatch(/30 7 \* \* 1-5 \(Europe\/Paris\)\s*\d{4}-\d\d-\d\d \d\d:\d\d/);
    const webhook = table.getByRole('row').filter({ hasText: 'on_demand' });
    expect(await webhook.textContent()).toContain('POST /v1/workflows/scheduled_report/webhooks/on_demand');
    expect(await page.content()).not.toContain(secret);
    await expectAccessible(page, 'workflow triggers');
    await screenshot(page, '40-workflow-triggers');
    expect(errors).toEqual([]);
  });
});
