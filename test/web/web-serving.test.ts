import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { WEB_CSP } from '../../src/api/web-ui.ts';
import { createHarness, type Harness } from '../support/harness.ts';
import { tempDir } from '../support/stores.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

function builtUi(): string {
  const root = tempDir('runledger-web-root-');
  fs.mkdirSync(path.join(root, 'assets'));
  fs.writeFileSync(
    path.join(root, 'index.html'),
    '<!doctype html><title>ui</title><script type="module" src="/assets/app-1a2b.js"></script>',
  );
  fs.writeFileSync(path.join(root, 'assets', 'app-1a2b.js'), 'console.log("app")');
  return root;
}

it('serves index.html at / and at every page URL (history API), with the CSP and no caching', async () => {
  h = await createHarness('sqlite', { appOptions: { webRoot: builtUi() } });
  for (const url of ['/', '/executions', '/executions/01900000-0000-7000-8000-000000000000/logs?level=WARN%2B', '/workflows/hello/run']) {
    const res = await h.app.inject({ method: 'GET', url, headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(res.statusCode, url).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('<title>ui</title>');
    expect(res.headers['content-security-policy']).toBe(WEB_CSP);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['x-frame-options']).toBe('DENY');
  }
  expect(WEB_CSP).toContain("script-src 'self'");
  expect(WEB_CSP).not.toMatch(/unsafe-(inline|eval)/);
});

it('serves the hashed assets for a year, and keeps the API, docs and unknown files out of the fallback', async () => {
  h = await createHarness('sqlite', { appOptions: { webRoot: builtUi() } });
  const asset = await h.app.inject({ method: 'GET', url: '/assets/app-1a2b.js' });
  expect(asset.statusCode).toBe(200);
  expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  expect(asset.headers['content-security-policy']).toBe(WEB_CSP);
  expect((await h.app.inject({ method: 'GET', url: '/assets/missing.js' })).statusCode).toBe(404);
  expect((await h.app.inject({ method: 'GET', url: '/assets/../index.html' })).body).not.toContain('console.log');
  // the API answers for itself: no session is a 401 problem, never the page
  const api = await h.app.inject({ method: 'GET', url: '/v1/no-such-route', headers: { accept: 'text/html' } });
  expect(api.statusCode).toBe(401);
  expect(api.headers['content-type']).toContain('application/problem+json');
  // whatever its case, an API path is never answered with the page
  expect((await h.app.inject({ method: 'GET', url: '/V1/EXECUTIONS', headers: { accept: 'text/html' } })).statusCode).toBe(401);
  // a file that is not a page (favicon, JSON) is a plain 404
  const json = await h.app.inject({ method: 'GET', url: '/favicon.ico', headers: { accept: 'image/*' } });
  expect(json.statusCode).toBe(404);
  expect(json.json()).toMatchObject({ code: 'NOT_FOUND' });
  expect((await h.app.inject({ method: 'POST', url: '/executions' })).statusCode).toBe(404);
  expect((await h.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
});

it('says how to build the UI when it is not built', async () => {
  h = await createHarness('sqlite', { appOptions: { webRoot: tempDir('runledger-no-ui-') } });
  const res = await h.app.inject({ method: 'GET', url: '/executions' });
  expect(res.statusCode).toBe(200);
  expect(res.body).toContain('npm run build:web');
});
