import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyExecutionArchive } from '../../src/observe/execution-archive.ts';
import { chromiumAvailable, CHROMIUM_PATH, launchChromium } from '../support/chromium.ts';
import { expectAccessible, screenshot, signIn, startWebServer, watchedContext, type WebServer } from '../support/web-server.ts';

/**
 * Human-run records in the browser: the three-pane run view with notes and evidence, ending a
 * record, and reading one that was shared. The real server, Debian's Chromium, no mocks.
 */

const skip = !chromiumAvailable() && !process.env.CI;
if (skip) console.warn(`Procedure browser tests skipped: Chromium not found at ${CHROMIUM_PATH}`);

const PWN = 'window.__pwned=1;alert(1)';
const HOSTILE = `<img src=x onerror="${PWN}"> <script>${PWN}</script>`;
/** A file name may not hold a slash; everything else of the hostile text it may. */
const HOSTILE_NAME = `status <b>x <img src=x onerror="${PWN}">.txt`;
const MEMBER_PASSWORD = 'grace hopper cobol';
const MAX_BYTES = 2 * 1024 * 1024;

const RESTART = {
  id: 'restart_service',
  name: 'Restart a service',
  inputs: {
    server: { type: 'string', required: true, description: 'the host to restart' },
    service: { type: 'string', default: 'nginx' },
    api_token: { type: 'string', secret: true, description: 'never shown again' },
  },
  doc: [
    '# Restart {{ inputs.service }} on {{ inputs.server }}',
    '',
    '1. Open the dashboard of **{{ inputs.server }}** and take a screenshot of the health panel.',
    '2. Restart the service: `sudo systemctl restart {{ inputs.service }}`.',
    '3. Check the health panel again.',
  ].join('\n'),
  tasks: [
    { id: 'check_dashboard', type: 'manual', with: { description: 'Screenshot the health panel before the restart.' } },
    { id: 'restart', type: 'manual', needs: ['check_dashboard'], with: { description: 'Restart the service.' } },
    { id: 'verify', type: 'manual', needs: ['restart'], with: { description: 'Attach systemctl status after the restart.' } },
  ],
};

describe.skipIf(skip)('procedures in Chromium', () => {
  let web: WebServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let dialogs: string[];
  let errors: string[];
  let files: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    web = await startWebServer('runledger-web-procedures-', { ATTACHMENT_MAX_BYTES: String(MAX_BYTES) });
    const c = web.client;
    await c.applyWorkflow(JSON.stringify(RESTART), 'json');
    const grace = await c.admin.createUser({ username: 'grace', password: MEMBER_PASSWORD, role: 'member' });
    const ops = await c.admin.createGroup('ops');
    await c.admin.addGroupMember(ops.id, grace.id);
    ids.grace = grace.id;
    files = fs.mkdtempSync(path.join(os.tmpdir(), 'runledger-evidence-'));
    fs.writeFileSync(
      path.join(files, 'health-before.png'),
      await sharp({ create: { width: 640, height: 480, channels: 3, background: '#2f855a' } })
        .png()
        .toBuffer(),
    );
    fs.writeFileSync(path.join(files, HOSTILE_NAME), 'active (running)\n');
    // over the limit: a sparse file, never read, the page must refuse it by its size
    const big = path.join(files, 'too-big.bin');
    fs.closeSync(fs.openSync(big, 'w'));
    fs.truncateSync(big, MAX_BYTES + 1);

    browser = await launchChromium();
    ({ context, dialogs, errors } = await watchedContext(browser));
    page = await context.newPage();
    page.setDefaultTimeout(8000);
    await page.goto(`${web.server.url}/login`);
    await signIn(page);
    await page.waitForURL(/\/executions$/);
  }, 90_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await web?.close();
    if (files) fs.rmSync(files, { recursive: true, force: true });
  });

  it('lists the procedures with search and starts one from its variables form, with a title', async () => {
    await web.client.applyWorkflow(
      JSON.stringify({ id: 'automated', name: 'Automated only', tasks: [{ id: 'a', type: 'log', with: { message: 'x' } }] }),
      'json',
    );
    await page.getByRole('link', { name: 'Procedures' }).click();
    await page.waitForURL(/\/procedures$/);
    const table = page.getByRole('table', { name: 'Procedures' });
    await table.getByText('Restart a service').waitFor();
    // a workflow without document or manual step is not a procedure
    expect(await table.getByText('Automated only').count()).toBe(0);
    await page.getByLabel('Search procedures').fill('rotate');
    await page.getByText('No procedure matches.').waitFor();
    await page.getByLabel('Search procedures').fill('restart');
    await expectAccessible(page, 'procedures');
    await screenshot(page, '19-procedures');
    await page.getByRole('link', { name: 'Start execution of Restart a service' }).click();
    await page.waitForURL(/\/procedures\/restart_service\/start$/);
    expect(await page.getByLabel(/^service/).inputValue()).toBe('nginx');
    expect(await page.getByLabel(/^api_token/).getAttribute('type')).toBe('password');
    await page.getByRole('button', { name: 'Start execution' }).click();
    await page.getByRole('alert').getByText('server is required').waitFor();
    await page.getByLabel(/^server/).fill('db-07');
    await page.getByLabel(/^api_token/).fill('tok-s3cr3t-value');
    await page.getByLabel('Title (optional)').fill('Restart nginx on db-07');
    await expectAccessible(page, 'start form');
    await screenshot(page, '19-start-form');
    await page.getByRole('button', { name: 'Start execution' }).click();
    await page.waitForURL(/\/executions\/[0-9a-f-]{36}$/);
    ids.record = /executions\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    const started = await web.client.getExecution(ids.record);
    expect(started).toMatchObject({ trigger: 'manual', status: 'running', title: 'Restart nginx on db-07', inputs: { api_token: '***' } });
  });

  it('shows a human-run record in three panes: the variables, the document with the values, the steps', async () => {
    const doc = page.getByRole('region', { name: 'Procedure' });
    await doc.getByRole('heading', { name: 'Restart nginx on db-07' }).waitFor();
    // the current step is highlighted in the document
    expect(await doc.locator('li[aria-current="step"]').textContent()).toContain('Open the dashboard of db-07');
    const meta = page.getByRole('complementary', { name: 'Variables and metadata' });
    await meta.getByText('db-07', { exact: true }).waitFor();
    await meta.getByText('***', { exact: true }).waitFor();
    expect(await page.content()).not.toContain('tok-s3cr3t-value');
    const steps = page.getByRole('region', { name: 'Steps and evidence' });
    expect(await steps.locator('li.step-card').count()).toBe(3);
    expect(await steps.locator('li[aria-current="step"] h3').textContent()).toContain('Screenshot the health panel');
    await expectAccessible(page, 'run view');
    await screenshot(page, '20-run-view', { fullPage: true });
  });

  it('keeps a step draft across a reload, attaches evidence with a thumbnail that opens full size, and refuses a file over the limit before sending it', async () => {
    const step = page.locator('li[data-task-id="check_dashboard"]');
    await step.getByLabel('Notes').fill(`Error rate 12 %, p95 4 s ${HOSTILE}`);
    await step.getByRole('button', { name: 'Save draft' }).click();
    await step.getByText(/Draft saved/).waitFor();
    await page.reload();
    await expect.poll(() => step.getByLabel('Notes').inputValue()).toBe(`Error rate 12 %, p95 4 s ${HOSTILE}`);

    const chooser = page.waitForEvent('filechooser');
    await step.getByRole('button', { name: 'Attach file' }).click();
    await (await chooser).setFiles(path.join(files, 'health-before.png'));
    await step.getByText('Attached health-before.png').waitFor();
    const thumb = step.getByRole('button', { name: 'Open health-before.png full size' });
    await thumb.waitFor({ timeout: 15_000 });
    await thumb.click();
    const full = page.getByRole('dialog', { name: 'health-before.png' });
    await full.locator('img').waitFor();
    await expect.poll(() => full.locator('img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(640);
    await expectAccessible(page, 'evidence full size');
    await page.keyboard.press('Escape');

    // a hostile file name is text, on the step and in the download's name
    await step.locator('input[type=file]').first().setInputFiles(path.join(files, HOSTILE_NAME));
    // the server keeps it as sanitised display text; the page shows that as text
    await step.locator('.file-name', { hasText: 'status _b_x _img src_x onerror_' }).waitFor();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    const download = page.waitForEvent('download');
    await step.getByRole('link', { name: 'Download health-before.png' }).click();
    expect((await download).suggestedFilename()).toBe('health-before.png');

    // a screenshot pasted from the clipboard, and a file dropped on the step
    const shot = (
      await sharp({ create: { width: 320, height: 200, channels: 3, background: '#1f4e8c' } })
        .png()
        .toBuffer()
    ).toString('base64');
    await step.getByRole('group', { name: /^Evidence upload for step 1/ }).waitFor();
    for (const [kind, name] of [
      ['paste', 'pasted-screenshot.png'],
      ['drop', 'dropped.png'],
    ] as const) {
      // a real File in a DataTransfer, as the browser builds for a paste or a drop (the CSP does not govern this)
      await page.evaluate(`(() => {
        const bytes = Uint8Array.from(atob(${JSON.stringify(shot)}), (c) => c.charCodeAt(0));
        const data = new DataTransfer();
        data.items.add(new File([bytes], ${JSON.stringify(name)}, { type: 'image/png' }));
        const init = { bubbles: true, cancelable: true };
        const event = ${JSON.stringify(kind)} === 'paste'
          ? new ClipboardEvent('paste', { ...init, clipboardData: data })
          : new DragEvent('drop', { ...init, dataTransfer: data });
        document.querySelector('li[data-task-id="check_dashboard"] .drop-zone').dispatchEvent(event);
      })()`);
      await step.getByText(`Attached ${name}`).waitFor();
      await step.getByRole('button', { name: `Open ${name} full size` }).waitFor({ timeout: 15_000 });
    }

    // over the limit: refused in the page, nothing sent
    const before = (await web.client.attachments.list(ids.record!)).length;
    await step.locator('input[type=file]').first().setInputFiles(path.join(files, 'too-big.bin'));
    await step
      .getByRole('alert')
      .getByText(/is 2,097,153 bytes, over the limit of 2,097,152 bytes; nothing was sent/)
      .waitFor();
    expect((await web.client.attachments.list(ids.record!)).length).toBe(before);
    await screenshot(page, '21-run-view-evidence', { fullPage: true });
    expect(await page.evaluate<unknown>('window.__pwned')).toBeUndefined();
    expect(dialogs).toEqual([]);
  });

  it('completes a step after confirmation, refuses to complete the record while steps are open, naming them, then completes it', async () => {
    const step = page.locator('li[data-task-id="check_dashboard"]');
    await step.getByRole('button', { name: 'Complete step' }).click();
    const confirm = page.getByRole('dialog', { name: 'Complete step 1?' });
    await confirm.waitFor();
    await screenshot(page, '22-complete-step');
    await confirm.getByRole('button', { name: 'Complete step' }).click();
    await step.getByText(/Completed by admin/).waitFor();
    const run = (await web.client.getExecution(ids.record!)).taskRuns.find((r) => r.taskId === 'check_dashboard')!;
    expect(run).toMatchObject({ status: 'succeeded', notes: `Error rate 12 %, p95 4 s ${HOSTILE}` });
    // the next step is now the current one, in the steps and in the document
    await expect.poll(() => page.locator('li.step-card[aria-current="step"] h3').textContent()).toContain('Restart the service');
    expect(await page.locator('.procedure-doc li[aria-current="step"]').textContent()).toContain('sudo systemctl restart nginx');

    await page.getByRole('toolbar', { name: 'Record actions' }).getByRole('button', { name: 'Complete', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Complete this record?' });
    await dialog.getByText('Steps not ended yet: restart, verify').waitFor();
    await dialog.getByRole('button', { name: 'Complete record' }).click();
    await dialog
      .getByRole('alert')
      .getByText(/restart, verify/)
      .waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await web.client.getExecution(ids.record!)).status).toBe('running');

    // an extra step, then every step, by keyboard only
    await page.getByLabel('Add an extra step').fill('Tell #ops the service is back');
    await page.keyboard.press('Enter');
    await page.locator('li.step-card', { hasText: 'Tell #ops the service is back' }).waitFor();
    for (const name of ['restart', 'verify', 'extra_1']) {
      const card = page.locator(`li[data-task-id="${name}"]`);
      await card.getByRole('button', { name: 'Complete step' }).waitFor();
      await card.getByLabel('Notes').focus();
      await page.keyboard.type(`done: ${name}`);
      await page.keyboard.press('Tab'); // Save draft
      await page.keyboard.press('Tab'); // Complete step
      await page.keyboard.press('Enter');
      await page.getByRole('dialog', { name: /^Complete step/ }).waitFor();
      // the dialog takes the focus; its confirm button is the last one
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await card.getByText(/Completed by admin/).waitFor();
    }
    await page.getByRole('toolbar', { name: 'Record actions' }).getByRole('button', { name: 'Complete', exact: true }).click();
    await page.getByRole('dialog', { name: 'Complete this record?' }).getByRole('button', { name: 'Complete record' }).click();
    await page.locator('.head-actions').getByText('completed').waitFor();
    const ended = await web.client.getExecution(ids.record!);
    expect(ended.status).toBe('completed');
    expect(ended.taskRuns.find((r) => r.taskId === 'verify')?.notes).toBe('done: verify');
    // an ended record is read only; notes with HTML in them are text
    expect(await page.getByLabel('Notes').count()).toBe(0);
    await page.locator('li[data-task-id="check_dashboard"] .step-notes').getByText(`Error rate 12 %, p95 4 s ${HOSTILE}`).waitFor();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    // the whole record as one archive, which verifies offline
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download record' }).click();
    const archive = await download;
    expect(archive.suggestedFilename()).toBe(`runledger-execution-${ids.record}.tar.gz`);
    const verified = await verifyExecutionArchive(fs.createReadStream(await archive.path()));
    expect(verified).toMatchObject({ ok: true, executionId: ids.record, checked: { attachments: 4 } });
    await expectAccessible(page, 'completed record');
    await screenshot(page, '23-run-view-completed', { fullPage: true });
  });

  it('marks a record failed only with a reason', async () => {
    const started = await web.client.records.startProcedure('restart_service', { inputs: { server: 'web-02' } });
    await page.goto(`${web.server.url}/executions/${started.executionId}`);
    await page.getByRole('button', { name: 'Mark as failed' }).click();
    const dialog = page.getByRole('dialog', { name: 'Mark this record as failed?' });
    expect(await dialog.getByRole('button', { name: 'Mark as failed' }).isDisabled()).toBe(true);
    await dialog.getByLabel('Reason (required)').fill('The host did not come back');
    await dialog.getByRole('button', { name: 'Mark as failed' }).click();
    await page.locator('.head-actions').getByText('failed').waitFor();
    expect(await web.client.getExecution(started.executionId)).toMatchObject({ status: 'failed', notes: 'The host did not come back' });
  });

  it('shows what another browser does to the record, and stacks the panes on a phone with the camera offered', async () => {
    const started = await web.client.records.startProcedure('restart_service', { inputs: { server: 'web-03' } });
    ids.phone = started.executionId;
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      const p = await phone.newPage();
      p.setDefaultTimeout(8000);
      await p.goto(`${web.server.url}/executions/${ids.phone}`);
      await signIn(p);
      await p.getByRole('heading', { name: 'Restart nginx on web-03' }).waitFor();
      const camera = p.locator('li[data-task-id="check_dashboard"]').getByRole('button', { name: 'Take photo' });
      expect(await camera.isVisible()).toBe(true);
      expect(await p.locator('input[capture="environment"][accept="image/*"]').count()).toBe(3);
      // the panes stack: one column
      const [meta, doc, evidence] = await Promise.all(['.pane-meta', '.pane-doc', '.pane-evidence'].map((s) => p.locator(s).boundingBox()));
      expect(meta!.x).toBe(doc!.x);
      expect(doc!.y).toBeGreaterThan(meta!.y);
      expect(evidence!.y).toBeGreaterThan(doc!.y);
      expect(meta!.width).toBeLessThanOrEqual(390);
      await expectAccessible(p, 'run view on a phone');
      await screenshot(p, '24-run-view-phone', { fullPage: true });

      // the desktop browser completes a step; the phone sees it without a reload
      await page.goto(`${web.server.url}/executions/${ids.phone}`);
      const step = page.locator('li[data-task-id="check_dashboard"]');
      await step.getByRole('button', { name: 'Complete step' }).click();
      await page.getByRole('dialog', { name: 'Complete step 1?' }).getByRole('button', { name: 'Complete step' }).click();
      await p
        .locator('li[data-task-id="check_dashboard"]')
        .getByText(/Completed by admin/)
        .waitFor({ timeout: 10_000 });
    } finally {
      await phone.close();
    }
  });

  it('shows a shared record to a member read only: no notes editor, no upload, no Complete', async () => {
    // the owner shares it with the group ops from the dialog
    await page.goto(`${web.server.url}/executions/${ids.phone}`);
    await page.getByRole('button', { name: 'Share' }).click();
    const share = page.getByRole('dialog', { name: 'Share this record' });
    await share.getByRole('list', { name: 'Who has access' }).getByText('Administrators').waitFor();
    await share.getByLabel('Search users and groups').fill('op');
    await share.getByRole('button', { name: 'Add group ops' }).click();
    await share.getByLabel('Search users and groups').fill('gra');
    await share.getByRole('button', { name: 'Add user grace' }).click();
    await share.getByRole('button', { name: 'Remove user grace' }).click();
    await expectAccessible(page, 'share dialog');
    await screenshot(page, '28-share-dialog');
    await share.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').getByText('Shared (read only).').waitFor();
    expect(await web.client.getShares(ids.phone!)).toMatchObject({ scope: 'shared', users: [], groups: [{ name: 'ops' }] });
    const audit = await web.client.audit.getExecution(ids.phone!);
    expect(audit.items.at(-1)).toMatchObject({ eventType: 'SHARES_CHANGED' });
    const other = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    try {
      const p = await other.newPage();
      p.setDefaultTimeout(8000);
      await p.goto(`${web.server.url}/executions/${ids.phone}`);
      await signIn(p, 'grace', MEMBER_PASSWORD);
      await p.getByRole('heading', { name: 'Restart nginx on web-03' }).waitFor();
      await p.getByText('read only').first().waitFor();
      expect(await p.getByLabel('Notes').count()).toBe(0);
      expect(await p.getByRole('button', { name: 'Attach file' }).count()).toBe(0);
      expect(await p.getByRole('button', { name: /^Complete/ }).count()).toBe(0);
      expect(await p.getByRole('button', { name: 'Mark as failed' }).count()).toBe(0);
      await expectAccessible(p, 'shared record, read only');
      // and finds it again by its variable value
      await p.getByRole('link', { name: 'Records' }).click();
      await p.getByLabel('Variable value').fill('server = web-03');
      await p.getByLabel('Variable value').press('Enter');
      await p.waitForURL(/input\.server=web-03/);
      const rows = p.getByRole('table', { name: 'Records' }).locator('tbody tr');
      await expect.poll(() => rows.count()).toBe(1);
      expect(await rows.first().textContent()).toContain('web-03');
      // a reader can view, not edit or delete
      expect(await p.getByRole('button', { name: /^Edit / }).isDisabled()).toBe(true);
      expect(await p.getByRole('button', { name: /^Delete / }).count()).toBe(0);
    } finally {
      await other.close();
    }
    expect(errors).toEqual([]);
  });

  it('finds records by keyword, procedure, status and variable value, as a table or as cards, all in the URL', async () => {
    await page.goto(`${web.server.url}/records`);
    const table = page.getByRole('table', { name: 'Records' });
    await table.getByText('Restart nginx on db-07').waitFor();
    // only human-run records
    expect(await table.locator('tbody tr').count()).toBe(3);
    await page.getByLabel('Variable value').fill('server = db-07');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/input\.server=db-07/);
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    await page.getByLabel('Status').selectOption('completed');
    await page.waitForURL(/status=completed/);
    await table.getByText('Restart nginx on db-07').waitFor();
    await page.getByLabel('Keywords').fill('db-07');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/keyword=db-07/);
    await table.getByText('Restart nginx on db-07').waitFor();
    await expectAccessible(page, 'records table');
    await screenshot(page, '25-records-table');
    await page.getByRole('button', { name: 'Cards' }).click();
    await page.waitForURL(/view=cards/);
    const cards = page.getByRole('list', { name: 'Records' });
    await cards.getByRole('link', { name: 'Restart nginx on db-07', exact: true }).waitFor();
    await page.reload();
    await cards.getByRole('link', { name: 'Restart nginx on db-07', exact: true }).waitFor();
    await expectAccessible(page, 'records cards');
    await screenshot(page, '26-records-cards');
    await page.getByLabel('Status').selectOption('failed');
    await page.getByText('No record matches.').waitFor();
    await page.getByRole('button', { name: 'Clear' }).click();
    await cards.getByRole('link', { name: /^Restart a service .* server=web-02$/ }).waitFor();
  });

  it('deletes an ended record after confirmation; an admin sees it among the deleted records and restores it', async () => {
    await page.goto(`${web.server.url}/records?input.server=db-07`);
    const table = page.getByRole('table', { name: 'Records' });
    await page.getByRole('button', { name: 'Delete Restart nginx on db-07' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this record?' });
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No record matches.').waitFor();
    await page.getByRole('checkbox', { name: 'Deleted records' }).check();
    await page.waitForURL(/deleted=true/);
    await page.getByRole('heading', { name: 'Deleted records' }).waitFor();
    await table.getByText('Restart nginx on db-07').waitFor();
    await expectAccessible(page, 'deleted records');
    await screenshot(page, '27-records-deleted');
    await page.getByRole('button', { name: 'Restore Restart nginx on db-07' }).click();
    await page.getByText('No record matches.').waitFor();
    await page.getByRole('checkbox', { name: 'Deleted records' }).uncheck();
    await table.getByText('Restart nginx on db-07').waitFor();
    expect((await web.client.getExecution(ids.record!)).status).toBe('completed');
  });

  it('administers users, groups, retention, audit and attachments, as an admin only', async () => {
    await page.goto(`${web.server.url}/executions`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Administration' }).click();
    await page.waitForURL(/\/admin\/users$/);
    const users = page.getByRole('table', { name: 'Users' });
    await users.getByRole('cell', { name: 'grace', exact: true }).waitFor();
    await page.getByLabel('Username').fill('henry');
    await page.getByLabel('Password', { exact: true }).fill('henry password 1');
    await page.getByRole('button', { name: 'Create user' }).click();
    await users.getByRole('cell', { name: 'henry', exact: true }).waitFor();
    await page.getByLabel('Role of henry').selectOption('admin');
    await page.getByRole('status').getByText('henry: now admin.').waitFor();
    await page.getByRole('button', { name: 'Disable henry' }).click();
    await page.getByRole('status').getByText('henry: disabled.').waitFor();
    await expectAccessible(page, 'admin users');
    await screenshot(page, '29-admin-users');
    // grace's password is reset: her sign-in token stops working
    const graceToken = (
      (await await fetch(`${web.server.url}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'grace', password: MEMBER_PASSWORD }),
      }).then((r) => r.json())) as { token: string }
    ).token;
    await page.getByRole('button', { name: 'Reset password of grace' }).click();
    const reset = page.getByRole('dialog', { name: 'Reset the password of grace?' });
    await reset.getByLabel('New password').fill('grace new password 2');
    await reset.getByRole('button', { name: 'Reset password' }).click();
    await page.getByRole('status').getByText('grace: password reset; their sessions and API tokens were ended.').waitFor();
    expect((await fetch(`${web.server.url}/v1/me`, { headers: { authorization: `Bearer ${graceToken}` } })).status).toBe(401);

    await page.getByRole('link', { name: 'Groups' }).click();
    await page.getByLabel('Group name').fill('dba');
    await page.getByRole('button', { name: 'Create group' }).click();
    await page.getByLabel('Add a member to dba').selectOption({ label: 'grace' });
    await page.getByRole('button', { name: 'Add member to dba' }).click();
    await page.getByRole('list', { name: 'Members of dba' }).getByText('grace').waitFor();
    await expectAccessible(page, 'admin groups');
    await screenshot(page, '30-admin-groups');
    await page.getByRole('button', { name: 'Remove grace from dba' }).click();
    await page.getByRole('list', { name: 'Members of dba' }).getByText('No members.').waitFor();

    await page.getByRole('link', { name: 'Retention' }).click();
    await page.getByRole('table', { name: 'Tables' }).getByText('execution_logs').waitFor();
    await page.getByLabel(/^Older than/).fill('30');
    await page.getByRole('button', { name: 'Preview (dry run)' }).click();
    const cleanup = page.getByRole('dialog', { name: 'Run this cleanup?' });
    await cleanup.getByText(/^0 would be deleted \(older than/).waitFor();
    await cleanup.getByText(/^0 would be deleted \(recorded before/).waitFor();
    await expectAccessible(page, 'retention dry run');
    await screenshot(page, '31-admin-retention');
    await cleanup.getByRole('button', { name: 'Delete now' }).click();
    await page.getByRole('status').getByText('Cleanup done.').waitFor();

    await page.getByRole('link', { name: 'Audit', exact: true }).click();
    await page.getByRole('button', { name: 'Verify now' }).click();
    await page.getByText(/^Verified: \d+ chains, \d+ events, \d+ checkpoints$/).waitFor({ timeout: 15_000 });
    const before = await page.getByLabel('Latest checkpoint').textContent();
    await page.getByRole('button', { name: 'Write a checkpoint now' }).click();
    await expect.poll(() => page.getByLabel('Latest checkpoint').textContent()).not.toBe(before);
    await expectAccessible(page, 'admin audit');
    await screenshot(page, '32-admin-audit');

    await page.getByRole('link', { name: 'Attachments' }).click();
    await page.getByRole('button', { name: 'Check attachments' }).click();
    await page.getByText(/^All \d+ attachments are stored unchanged$/).waitFor();
    await expectAccessible(page, 'admin attachments');

    // a member sees no Administration, and the page refuses
    const other = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    try {
      const p = await other.newPage();
      p.setDefaultTimeout(8000);
      await p.goto(`${web.server.url}/admin/users`);
      await signIn(p, 'grace', 'grace new password 2');
      await p.getByRole('alert').getByText('Only administrators can see this page.').waitFor();
      expect(await p.getByRole('link', { name: 'Administration' }).count()).toBe(0);
      expect((await p.request.get(`${web.server.url}/v1/admin/users`)).status()).toBe(403);
    } finally {
      await other.close();
    }
  });
});
