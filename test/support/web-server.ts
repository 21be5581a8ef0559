import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/server.ts';
import { RunledgerClient } from '../../src/client/runledger-client.ts';
import { loadConfig } from '../../src/config.ts';

export const ADMIN_PASSWORD = 'correct horse battery';

/** Where the browser tests write their screenshots (one PNG per page and state). */
export const SCREENSHOT_DIR = path.resolve('test-output/screenshots');

export interface WebServer {
  server: RunningServer;
  /** The admin, through the server's local token (for seeding). */
  client: RunledgerClient;
  dataDir: string;
  close(): Promise<void>;
}

/** The real server (API, engine, the built UI at /) on a fresh SQLite data directory. */
export async function startWebServer(prefix: string, env: Record<string, string> = {}): Promise<WebServer> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const dataDir = path.join(tmp, 'data');
  const server = await startServer(
    loadConfig(
      { RUNLEDGER_ADMIN_PASSWORD: ADMIN_PASSWORD, RUNLEDGER_LOG_LEVEL: 'silent', ...env },
      { dataDir, port: 0, host: '127.0.0.1' },
    ),
    { print: () => {} },
  );
  const client = new RunledgerClient({ server: server.url, token: fs.readFileSync(path.join(dataDir, 'local-token'), 'utf8').trim() });
  return {
    server,
    client,
    dataDir,
    async close() {
      await server.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** Signs in through the login page (the page must be showing it). */
export async function signIn(page: Page, username = 'admin', password = ADMIN_PASSWORD): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** A context whose page scripts are watched: any dialog or `window.__pwned` means injected code ran. */
export async function watchedContext(
  browser: Browser,
  options: { colorScheme?: 'light' | 'dark' } = {},
): Promise<{ context: BrowserContext; dialogs: string[]; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: options.colorScheme ?? 'light' });
  const dialogs: string[] = [];
  const errors: string[] = [];
  context.on('page', (p) => {
    p.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    p.on('pageerror', (e) => errors.push(e.message));
    p.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/.test(m.text())) errors.push(m.text());
    });
  });
  return { context, dialogs, errors };
}

/** A watched context (see `watchedContext`) and its page, signed in as the admin and showing the executions. */
export async function signedInPage(
  browser: Browser,
  serverUrl: string,
): Promise<{ context: BrowserContext; page: Page; dialogs: string[]; errors: string[] }> {
  const watched = await watchedContext(browser);
  const page = await watched.context.newPage();
  page.setDefaultTimeout(8000);
  await page.goto(`${serverUrl}/login`);
  await signIn(page);
  await page.waitForURL(/\/executions$/);
  return { ...watched, page };
}

export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: options.fullPage ?? false });
}

const AXE_SOURCE = fs.readFileSync(path.resolve('node_modules/axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core on the page as it is now: no serious or critical violation. */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  // evaluated through the debugging protocol, which the page's CSP does not govern
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate<AxeViolation[]>(`axe.run(document, { resultTypes: ['violations'] }).then((r) =>
    r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target })) })))`);
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad, `${where}: ${JSON.stringify(bad, null, 1)}`).toEqual([]);
}
