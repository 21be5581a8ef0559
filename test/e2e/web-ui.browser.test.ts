import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endBrowserSessionsOfUser } from '../../src/store/browser-session-repository.ts';
import { insertLogLines, type ExecutionLogRow } from '../../src/store/execution-log-repository.ts';
import { chromiumAvailable, CHROMIUM_PATH, launchChromium } from '../support/chromium.ts';
import { seedExecution, seedWorkflow } from '../support/seed.ts';
import { expectAccessible, screenshot, signIn, startWebServer, watchedContext, type WebServer } from '../support/web-server.ts';

/**
 * The web UI as people use it: the real server (API, engine, the built UI), Debian's Chromium, no
 * mocks. Every page is screenshotted (test-output/screenshots) and checked with axe-core.
 */

const SKIP_REASON = `Chromium not found at ${CHROMIUM_PATH}`;
const skip = !chromiumAvailable() && !process.env.CI;
if (skip) console.warn(`Web UI browser tests skipped: ${SKIP_REASON}`);

const PWN = 'window.__pwned=1;alert(1)';
const HOSTILE = `<img src=x onerror="${PWN}"> <script>${PWN}</script> javascript:${PWN}`;

const FLAKY = {
  id: 'flaky',
  name: 'Flaky deploy',
  inputs: { server: { type: 'string', required: true, description: 'Where to deploy' } },
  tasks: [
    { id: 'prepare', type: 'log', with: { level: 'INFO', message: 'preparing {{ inputs.server }}' } },
    {
      id: 'deploy',
      type: 'shell',
      needs: ['prepare'],
      retry: { max: 1, backoff: '1s' },
      with: { command: 'echo deploying; echo "disk full on /var" >&2; exit 3' },
    },
  ],
};

const HOSTILE_WORKFLOW = {
  id: 'hostile',
  name: 'Hostile text',
  inputs: { note: { type: 'string' } },
  tasks: [
    {
      id: 'echo',
      type: 'shell',
      with: { env: { NOTE: '{{ inputs.note }}' }, command: 'echo "$NOTE"; printf \'{"html":"%s"}\' "<b>x</b>"' },
    },
    { id: 'check', type: 'manual', needs: ['echo'], with: { description: 'Look at it' } },
  ],
};

const DRIP = {
  id: 'drip',
  name: 'Drip',
  inputs: {
    count: { type: 'integer', default: 12, description: 'How many lines to print' },
    token: { type: 'string', secret: true, description: 'Never shown again' },
  },
  tasks: [
    {
      id: 'drip',
      type: 'shell',
      with: { command: 'for i in $(seq 1 {{ inputs.count }}); do echo "drip $i"; sleep 0.3; done' },
    },
  ],
};

const BIG = 5000;

function bigLine(executionId: string, n: number, ts: string): ExecutionLogRow {
  const level = n === 3000 ? 'ERROR' : n === 1200 || n === 4000 ? 'WARN' : 'INFO';
  let message = `line ${n} of the big log`;
  if ([777, 2500, 4999].includes(n)) message = `here is the Needle (${n})`;
  if (n === 10) message = '\u001b[31mred alert\u001b[0m and \u001b[1;32mbold green\u001b[0m';
  if (n === 11) message = HOSTILE;
  return { executionId, seq: n, taskRunId: null, ts, level, source: n % 2 ? 'task:build:stdout' : 'scheduler', message };
}

describe.skipIf(skip)('web UI in Chromium', () => {
  let web: WebServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let dialogs: string[];
  let errors: string[];
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    web = await startWebServer('runledger-web-');
    const c = web.client;
    await c.applyWorkflow(JSON.stringify(FLAKY), 'json');
    await c.applyWorkflow(JSON.stringify(HOSTILE_WORKFLOW), 'json');
    await c.applyWorkflow(JSON.stringify(DRIP), 'json');
    const hello = await c.runWorkflow('flaky', { inputs: { server: 'web-01' }, title: 'Deploy web-01' });
    ids.flaky = hello.executionId;
    const hostile = await c.runWorkflow('hostile', { inputs: { note: HOSTILE }, title: `Title ${HOSTILE}` });
    ids.hostile = hostile.executionId;
    await c.waitForExecution(ids.flaky, { pollMs: 100, timeoutMs: 20_000 });
    // the hostile one waits at its manual step: notes on the record and on the step
    for (let i = 0; i < 100; i++) {
      const e = await c.getExecution(ids.hostile);
      if (e.status === 'waiting') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await c.records.update(ids.hostile, { notes: `Notes ${HOSTILE}` });

    // a big log of a finished execution, written straight to the store
    const db = web.server.store.db;
    const workflowId = await seedWorkflow(db);
    ids.big = await seedExecution(db, workflowId);
    const ts = new Date().toISOString();
    const rows = Array.from({ length: BIG }, (_, i) => bigLine(ids.big!, i + 1, ts));
    for (let i = 0; i < rows.length; i += 1000) await insertLogLines(db, rows.slice(i, i + 1000));
    await db
      .updateTable('executions')
      .set({ status: 'completed', started_at: ts, completed_at: ts, title: 'Big log' })
      .where('id', '=', ids.big)
      .execute();

    // an execution that ended long ago, whose lines the retention cleanup deleted
    ids.old = await seedExecution(db, workflowId);
    await insertLogLines(
      db,
      Array.from({ length: 100 }, (_, i) => bigLine(ids.old!, i + 1, ts)),
    );
    const longAgo = new Date(Date.now() - 40 * 86_400_000).toISOString();
    await db
      .updateTable('executions')
      .set({ status: 'completed', started_at: longAgo, completed_at: longAgo, title: 'Old run' })
      .where('id', '=', ids.old)
      .execute();
    expect((await c.admin.cleanup({ olderThanDays: 30 })).logLines.deleted).toBe(100);

    browser = await launchChromium();
    ({ context, dialogs, errors } = await watchedContext(browser));
    page = await context.newPage();
    page.setDefaultTimeout(8000);
  }, 90_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await web?.close();
  });

  it('serves the UI with a CSP that allows no inline script, and keeps the session cookie out of reach of page scripts', async () => {
    const res = await page.goto(`${web.server.url}/executions/${ids.flaky}/logs`);
    const csp = res!.headers()['content-security-policy']!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    // a deep link without a session goes to the sign-in page, and comes back after it
    await page.waitForURL(/\/login\?next=/);
    await expectAccessible(page, 'login');
    await screenshot(page, '01-login');
    await signIn(page);
    await page.waitForURL(`${web.server.url}/executions/${ids.flaky}/logs`);
    await page.getByRole('log').getByText('disk full on /var').first().waitFor();
    expect(await page.evaluate<string>('document.cookie')).toBe('');
    const cookies = await context.cookies();
    expect(cookies).toEqual([expect.objectContaining({ name: 'runledger_session', httpOnly: true, sameSite: 'Strict' })]);
  });

  it('finds an execution by filters kept in the URL, with counts per status, and opens it with j/k and Enter', async () => {
    await page.goto(`${web.server.url}/executions`);
    await page.getByRole('table', { name: 'Executions' }).getByText('Deploy web-01').waitFor();
    await expectAccessible(page, 'executions');
    await screenshot(page, '02-executions');
    await page.getByRole('button', { name: /^failed/ }).click();
    await page.waitForURL(/status=failed/);
    await expect.poll(() => page.getByRole('table', { name: 'Executions' }).locator('tbody tr').count()).toBe(1);
    expect(await page.getByRole('button', { name: /^failed/ }).textContent()).toContain('1');
    await page.getByLabel('Input filter', { exact: true }).fill('server=web-01');
    await page.getByRole('button', { name: 'Add' }).click();
    await page.waitForURL(/input\.server=web-01/);
    await page.getByText('input.server = web-01').waitFor();
    await screenshot(page, '03-executions-filtered');
    // the filtered view is a link: a fresh load shows the same
    await page.reload();
    await page.getByRole('table', { name: 'Executions' }).getByText('Deploy web-01').waitFor();
    await page.getByLabel('Input filter', { exact: true }).fill('server=db-07');
    await page.getByRole('button', { name: 'Add' }).click();
    await page.getByText('No execution matches.').waitFor();
    await page.goto(`${web.server.url}/executions`);
    await page.getByRole('table', { name: 'Executions' }).getByText('Deploy web-01').waitFor();
    await page.locator('body').click({ position: { x: 5, y: 400 } });
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/executions\/[0-9a-f-]{36}$/);
  });

  it('shows every view of an execution at its own URL: overview, tasks, timeline, graph, audit', async () => {
    await page.goto(`${web.server.url}/executions/${ids.flaky}`);
    await page.getByRole('heading', { name: 'Deploy web-01' }).waitFor();
    await page.getByText('disk full on /var').first().waitFor();
    await expectAccessible(page, 'overview');
    await screenshot(page, '04-overview');

    await page.getByRole('link', { name: 'Tasks' }).click();
    await page.waitForURL(/\/tasks$/);
    const tasks = page.getByRole('table', { name: 'Task runs' });
    await expect.poll(() => tasks.locator('tbody tr').count()).toBe(3);
    await tasks.getByText('Output').first().click();
    await expectAccessible(page, 'tasks');
    await screenshot(page, '05-tasks');

    await page.getByRole('link', { name: 'Timeline' }).click();
    await page.waitForURL(/\/timeline$/);
    await expect.poll(() => page.locator('.timeline rect.bar.run').count()).toBe(3);
    await expectAccessible(page, 'timeline');
    await screenshot(page, '06-timeline');
    const width = Number(await page.locator('.timeline svg').getAttribute('width'));
    await page.getByLabel('Zoom', { exact: true }).fill('4');
    await expect.poll(async () => Number(await page.locator('.timeline svg').getAttribute('width'))).toBeGreaterThan(width * 3);

    await page.getByRole('link', { name: 'Graph' }).click();
    await page.waitForURL(/\/graph$/);
    await page.locator('.node.status-failed').getByText('deploy').waitFor();
    await page.locator('.node.status-succeeded').getByText('prepare').waitFor();
    await expectAccessible(page, 'graph');
    await screenshot(page, '07-graph');

    await page.getByRole('link', { name: 'Audit' }).click();
    await page.waitForURL(/\/audit$/);
    await page.getByText(/Verified: \d+ events/).waitFor();
    await page.getByRole('table', { name: 'Step results' }).waitFor();
    await expectAccessible(page, 'audit');
    await screenshot(page, '08-audit');
  });

  it('opens a line link scrolled to the line, searches the whole log, and jumps to warnings, keeping the DOM small', async () => {
    await page.goto(`${web.server.url}/executions/${ids.big}/logs#L2500`);
    const row = page.locator('.log-row.highlighted');
    await row.waitFor();
    expect(await row.getAttribute('data-seq')).toBe('2500');
    expect(await row.isVisible()).toBe(true);
    // only the rows on screen are in the page
    expect(await page.locator('.log-row').count()).toBeLessThan(120);
    await expectAccessible(page, 'logs');
    await screenshot(page, '09-logs-line-link');

    await page.keyboard.press('Escape');
    await page.locator('body').press('/');
    expect(await page.evaluate<string>('document.activeElement?.id')).toBe('log-search');
    await page.keyboard.type('needle');
    await page.keyboard.press('Enter');
    await page.getByText('1 of 3').waitFor();
    await expect.poll(() => page.locator('.log-row.highlighted').getAttribute('data-seq')).toBe('777');
    await page.locator('.log-row.highlighted mark').getByText('Needle').waitFor();
    await page.keyboard.press('Enter');
    await page.getByText('2 of 3').waitFor();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('.log-row.highlighted').getAttribute('data-seq')).toBe('4999');
    await page.keyboard.press('Shift+Enter');
    await expect.poll(() => page.locator('.log-row.highlighted').getAttribute('data-seq')).toBe('2500');
    await screenshot(page, '10-logs-search');

    await page.getByRole('button', { name: 'Next WARN/ERROR' }).click();
    await expect.poll(() => page.locator('.log-row.highlighted').getAttribute('data-seq')).toBe('3000');
    expect(page.url()).toMatch(/#L3000$/);
    // the lines around it stay
    await page.locator('.log-row[data-seq="2999"]').waitFor();
    await page.getByRole('button', { name: 'Previous WARN/ERROR' }).click();
    await expect.poll(() => page.locator('.log-row.highlighted').getAttribute('data-seq')).toBe('1200');

    // levels: at or above ERROR, kept in the URL
    await page.getByLabel('Levels').selectOption('atLeast');
    await page.getByLabel('Level', { exact: true }).selectOption('ERROR');
    await page.waitForURL(/level=ERROR%2B/);
    await expect.poll(() => page.locator('.log-row').count()).toBe(1);
    await page.getByLabel('Levels').selectOption('all');

    // ANSI colours as styled text
    await page.goto(`${web.server.url}/executions/${ids.big}/logs#L10`);
    await page.locator('.log-row[data-seq="10"] .ansi-red-fg').getByText('red alert').waitFor();
    // copying lines does not take the line numbers (the gutter is drawn by CSS)
    const copied = await page.evaluate<string>(`(() => {
      const row = document.querySelector('.log-row[data-seq="10"]');
      const range = document.createRange();
      range.selectNodeContents(row);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      return selection.toString();
    })()`);
    expect(copied).toContain('red alert and bold green');
    expect(copied).not.toMatch(/^\s*10/);
  });

  it('starts a run from the form generated from the inputs and follows its lines live to the end', async () => {
    await page.goto(`${web.server.url}/workflows`);
    await page.getByRole('table', { name: 'Workflows' }).getByRole('link', { name: 'Drip', exact: true }).waitFor();
    await expectAccessible(page, 'workflows');
    await screenshot(page, '11-workflows');
    await page.getByRole('link', { name: 'Drip', exact: true }).click();
    await page.getByText('for i in $(seq 1 {{ inputs.count }})').waitFor();
    await expectAccessible(page, 'workflow');
    await screenshot(page, '12-workflow');
    await page.getByRole('link', { name: 'Run', exact: true }).click();
    await page.waitForURL(/\/workflows\/drip\/run$/);
    expect(await page.getByLabel(/count/).inputValue()).toBe('12');
    expect(await page.getByLabel(/token/).getAttribute('type')).toBe('password');
    await page.getByLabel(/token/).fill('s3cr3t-value');
    await page.getByLabel(/count/).fill('10');
    await expectAccessible(page, 'run form');
    await screenshot(page, '13-run-form');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.waitForURL(/\/executions\/[0-9a-f-]{36}\/logs$/);
    const log = page.getByRole('log');
    await log.getByText('drip 2', { exact: true }).waitFor({ timeout: 15_000 });
    await screenshot(page, '14-logs-following');
    await log.getByText('drip 10', { exact: true }).waitFor({ timeout: 15_000 });
    const id = /executions\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    const ended = await web.client.waitForExecution(id, { pollMs: 100, timeoutMs: 10_000 });
    expect(ended.status).toBe('completed');
    expect(ended.inputs.token).toBe('***');
    expect(await page.content()).not.toContain('s3cr3t-value');
  });

  it('shows HTML and javascript: in titles, inputs, outputs, notes and log lines as text, running nothing', async () => {
    for (const tab of ['', '/tasks', '/logs', '/audit']) {
      await page.goto(`${web.server.url}/executions/${ids.hostile}${tab}`);
      await page.getByRole('heading', { name: /^Title </ }).waitFor();
      if (tab === '') await page.getByText(`Notes ${HOSTILE}`).waitFor();
      if (tab === '/tasks') for (const summary of await page.getByText('Output').all()) await summary.click();
      if (tab === '/logs') await page.getByRole('log').getByText(HOSTILE).first().waitFor();
      if (tab === '/tasks') await page.locator('pre[aria-label="Output"]', { hasText: '<b>x</b>' }).first().waitFor();
    }
    await page.goto(`${web.server.url}/executions/${ids.big}/logs#L11`);
    await page.locator('.log-row[data-seq="11"]').getByText(HOSTILE).waitFor();
    await page.goto(`${web.server.url}/executions?keyword=Title`);
    await page.getByRole('table', { name: 'Executions' }).getByText(`Title ${HOSTILE}`).waitFor();
    expect(await page.evaluate<unknown>('window.__pwned')).toBeUndefined();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('explains in place the lines that retention deleted', async () => {
    await page.goto(`${web.server.url}/executions/${ids.old}/logs`);
    await page
      .getByRole('note')
      .getByText(/Lines 1–100 were deleted by the log retention policy \(30 days\) on \d{4}-\d\d-\d\d/)
      .waitFor();
    expect(await page.locator('.log-row').count()).toBe(0);
    await expectAccessible(page, 'logs after retention');
    await screenshot(page, '17-logs-retention');
  });

  it('remembers the time zone and dark mode, following the system until chosen', async () => {
    await page.goto(`${web.server.url}/executions/${ids.flaky}`);
    await page.getByLabel('Time zone').selectOption('utc');
    await page
      .getByText(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/)
      .first()
      .waitFor();
    expect(await page.evaluate<string>('document.documentElement.dataset.theme')).toBe('light');
    await page.getByRole('button', { name: 'Dark mode' }).click();
    await page.reload();
    await page
      .getByText(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/)
      .first()
      .waitFor();
    expect(await page.evaluate<string>('document.documentElement.dataset.theme')).toBe('dark');
    expect(await page.getByRole('button', { name: 'Dark mode' }).getAttribute('aria-pressed')).toBe('true');
    await expectAccessible(page, 'overview, dark');
    await screenshot(page, '15-overview-dark');
    await page.goto(`${web.server.url}/executions/${ids.big}/logs`);
    await page.locator('.log-row').first().waitFor();
    await screenshot(page, '16-logs-dark');
    await page.getByRole('button', { name: 'Dark mode' }).click();
    await page.getByLabel('Time zone').selectOption('local');
  });

  it('goes back to the sign-in page when the session ends, then back to where the person was; sign-out ends it on the server', async () => {
    await page.goto(`${web.server.url}/executions/${ids.flaky}/tasks`);
    await page.getByRole('table', { name: 'Task runs' }).waitFor();
    const admin = (await web.client.me()).id!;
    await endBrowserSessionsOfUser(web.server.store.db, admin, new Date().toISOString());
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.waitForURL(/\/login\?next=/);
    await signIn(page);
    await page.waitForURL(`${web.server.url}/executions/${ids.flaky}/audit`);
    await page.getByText(/Verified/).waitFor();

    const before = await context.cookies();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login$/);
    // the old cookie, replayed, no longer opens anything
    const replay = await fetch(`${web.server.url}/v1/me`, { headers: { cookie: `${before[0]!.name}=${before[0]!.value}` } });
    expect(replay.status).toBe(401);
    await page.goto(`${web.server.url}/executions`);
    await page.waitForURL(/\/login\?next=%2Fexecutions/);
  });

  it('reaches every control of the executions page by keyboard', async () => {
    await signIn(page);
    await page.waitForURL(/\/executions$/);
    await page.getByRole('table', { name: 'Executions' }).getByText('Deploy web-01').waitFor();
    const reached = new Set<string>();
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      reached.add(
        await page.evaluate<string>(
          "document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent?.trim() ?? ''",
        ),
      );
    }
    for (const name of ['Executions', 'Workflows', 'Sign out', 'Apply', 'Clear']) expect(reached).toContain(name);
    expect([...reached].some((n) => n.startsWith('View '))).toBe(true);
    expect([...reached].some((n) => n.startsWith('Delete '))).toBe(true);
  });

  it('deletes an ended execution only after confirmation', async () => {
    const table = page.getByRole('table', { name: 'Executions' });
    await page.getByRole('button', { name: 'Delete Old run' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete this execution?' });
    await dialog.waitFor();
    await expectAccessible(page, 'delete dialog');
    await screenshot(page, '18-delete-dialog');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await table.getByText('Old run').waitFor();
    await page.getByRole('button', { name: 'Delete Old run' }).click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => table.getByText('Old run').count()).toBe(0);
    expect(await web.client.listExecutions({ deleted: true })).toMatchObject({ items: [expect.objectContaining({ id: ids.old })] });
    // a running execution cannot be deleted from here
    expect(await page.getByRole('button', { name: /^Delete Title / }).isDisabled()).toBe(true);
  });
});
