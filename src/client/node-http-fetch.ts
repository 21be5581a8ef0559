import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';

/**
 * How long a connection stays open, idle, for the client's next request. It must stay below the
 * server's keep-alive timeout (Fastify's 72 s), so that the server never closes a connection the
 * client is just reusing (the request would fail with ECONNRESET).
 */
export const CLIENT_IDLE_SOCKET_MS = 4000;

/**
 * One connection carries request after request (keep-alive): no TCP set-up per call. An idle socket
 * does not keep a process alive (the agent unrefs it), so a CLI command still exits when it is done.
 */
const agents = {
  'http:': new http.Agent({ keepAlive: true, timeout: CLIENT_IDLE_SOCKET_MS }),
  'https:': new https.Agent({ keepAlive: true, timeout: CLIENT_IDLE_SOCKET_MS }),
};

/** Statuses whose answer has no body (a Response refuses one). */
const NULL_BODY = new Set([101, 204, 205, 304]);

/**
 * The client's fetch: node:http for the plain requests that make up almost every CLI command (a
 * string body or none, headers as an object, redirects not asked about), the global fetch for the
 * rest (streamed uploads, manual redirects). Node's fetch spends 60–90 ms setting itself up at a
 * process's first request, more than the rest of a command such as `execution list` takes.
 */
export const clientFetch: typeof fetch = (input, init) => {
  const plain =
    (input instanceof URL || typeof input === 'string') &&
    init !== undefined &&
    init.redirect === undefined &&
    (init.body === undefined || typeof init.body === 'string') &&
    (init.headers === undefined ||
      (typeof init.headers === 'object' && !(init.headers instanceof Headers) && !Array.isArray(init.headers)));
  return plain ? nodeHttpFetch(new URL(input), init) : globalThis.fetch(input, init);
};

function nodeHttpFetch(url: URL, init: RequestInit): Promise<Response> {
  const transport = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
  // anything else is fetch's business, and its error
  if (!transport) return globalThis.fetch(url, init);
  return new Promise((resolve, reject) => {
    const body = init.body as string | undefined;
    const headers = { ...(init.headers as Record<string, string> | undefined) };
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    const agent = agents[url.protocol as keyof typeof agents];
    const request = transport.request(url, { method: init.method ?? 'GET', headers, agent, signal: init.signal ?? undefined }, (res) => {
      const responseHeaders = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (Array.isArray(value)) for (const v of value) responseHeaders.append(name, v);
        else if (value !== undefined) responseHeaders.set(name, value);
      }
      const status = res.statusCode ?? 0;
      if (NULL_BODY.has(status)) res.resume();
      resolve(
        new Response(NULL_BODY.has(status) ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), {
          status,
          statusText: res.statusMessage ?? '',
          headers: responseHeaders,
        }),
      );
    });
    // Shaped like fetch's failure, so callers find the system error (ECONNREFUSED…) as its cause.
    request.on('error', (e) => reject(new TypeError('fetch failed', { cause: e })));
    request.end(body);
  });
}
