import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where `npm run build:web` writes the web UI (Vite's output), next to the sources. */
export const DEFAULT_WEB_ROOT = path.resolve(import.meta.dirname, '../../web/dist');

/**
 * The page may run only our own scripts (no inline script, no eval), load only from our origin,
 * never be framed, and send forms and requests only to us. Inline styles set through the DOM (as
 * React does) are not affected by `style-src`.
 */
export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  'content-security-policy': WEB_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
} as const;

/** Paths that are never pages of the UI: the API, its docs, health checks and metrics. */
const NOT_PAGES = /^\/+(v1|docs|healthz|readyz|metrics)(\/|\?|$)/i;

/**
 * Serves the built single-page app at `/`: hashed files under `/assets/` (cached for a year), and
 * `index.html` for `/` and any other GET that asks for a page (`/executions/<id>/logs`…), so every
 * view has its own URL (history API). Returns the fallback for the not-found handler: it answers
 * true when it sent the page.
 */
export async function registerWebUi(
  app: FastifyInstance,
  root: string | null,
): Promise<(request: FastifyRequest, reply: FastifyReply) => Promise<boolean>> {
  const index = root === null ? null : path.join(root, 'index.html');
  const built = index !== null && fs.existsSync(index);
  if (built) {
    await app.register(fastifyStatic, {
      root: path.join(root!, 'assets'),
      prefix: '/assets/',
      decorateReply: false,
      index: false,
      // The names carry a content hash: a file never changes under its name.
      immutable: true,
      maxAge: '365d',
      setHeaders: (reply) => {
        void reply.headers(PAGE_HEADERS);
      },
    });
  }
  return async (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    const url = request.url.split('?')[0] ?? '/';
    if (NOT_PAGES.test(url) || url.startsWith('/assets/')) return false;
    if (!/text\/html|\*\/\*/.test(request.headers.accept ?? '*/*')) return false;
    const html = built
      ? await fs.promises.readFile(index, 'utf8')
      : '<!doctype html><html lang="en"><title>Runledger</title><p>The web UI is not built: run <code>npm run build:web</code>, then reload.</p></html>';
    await reply
      .code(200)
      .headers({ ...PAGE_HEADERS, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' })
      .send(html);
    return true;
  };
}
