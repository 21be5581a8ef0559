import { ApiError, apiErrorFromResponse, storageUnreachableError, unreachableError } from './api-error.ts';

/** One request to the Runledger server. */
export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  /**
   * An object is sent as JSON; a string with `contentType`; a `ReadableStream` is streamed as it is
   * read (with `contentType`), never held whole.
   */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  /** `manual`: a 3xx answer comes back as it is (its `Location` unfollowed), for the caller to decide. */
  redirect?: 'follow' | 'manual';
}

/**
 * The requests of the client: URL building, the bearer token, JSON in and out, and the mapping of
 * every non-2xx answer and network failure to `ApiError`. The client classes share one transport.
 */
export class HttpTransport {
  readonly server: string;
  token: string | undefined;
  private readonly fetchFn: typeof fetch;

  constructor(server: string, token: string | undefined, fetchFn: typeof fetch) {
    this.server = normaliseServer(server);
    this.token = token;
    this.fetchFn = fetchFn;
  }

  /** Sends the request and answers with its parsed body (JSON, text, or undefined when empty). */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    return (await this.send<T>(method, path, options)).body;
  }

  async send<T>(method: string, path: string, options: RequestOptions): Promise<{ status: number; body: T }> {
    const response = await this.fetchOk(method, path, options);
    return { status: response.status, body: (await readBody(response)) as T };
  }

  /**
   * Sends the request; a 2xx answer (or, with `redirect: 'manual'`, a 3xx one) comes back unread,
   * anything else throws its ApiError.
   */
  async fetchOk(method: string, path: string, options: RequestOptions): Promise<Response> {
    const response = await this.fetch(method, path, options);
    const redirected = options.redirect === 'manual' && response.status >= 300 && response.status < 400;
    if (!response.ok && !redirected) await throwFor(response);
    return response;
  }

  /** Sends the request to our server, with our token, and answers whatever the status. */
  async fetch(method: string, path: string, options: RequestOptions): Promise<Response> {
    const url = new URL(path, `${this.server}/`);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...options.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const init: RequestInit = { method, headers };
    if (options.redirect) init.redirect = options.redirect;
    if (options.body instanceof ReadableStream) {
      init.body = options.body as ReadableStream<Uint8Array>;
      // a streamed request body must say so (the Fetch standard); undici sends it chunked
      (init as RequestInit & { duplex: 'half' }).duplex = 'half';
      // Unless redirects are an error, fetch clones the request to be able to follow one, which tees
      // the body: the unread branch then keeps every chunk sent, the whole file in memory by the end.
      init.redirect = 'error';
      headers['content-type'] = options.contentType ?? 'application/octet-stream';
    } else if (typeof options.body === 'string') {
      init.body = options.body;
      headers['content-type'] = options.contentType ?? 'text/plain';
    } else if (options.body !== undefined) {
      init.body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    try {
      return await this.fetchFn(url, init);
    } catch (e: unknown) {
      throw unreachableError(this.server, e);
    }
  }

  /**
   * GETs a URL of the attachment storage (a pre-signed S3 URL) without our token: the bearer token
   * is for our server only. A non-2xx answer throws its ApiError; no answer, STORAGE_UNREACHABLE.
   */
  async fetchForeign(url: URL): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetchFn(url, { method: 'GET' });
    } catch (e: unknown) {
      throw storageUnreachableError(url.origin, e);
    }
    if (!response.ok) await throwFor(response);
    return response;
  }
}

async function throwFor(response: Response): Promise<never> {
  const parsed = await readBody(response);
  throw apiErrorFromResponse(response.status, response.statusText, parsed, response.headers.get('retry-after'));
}

/** The whole body: JSON when the answer says so, else text; undefined when empty. */
async function readBody(response: Response): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch (e: unknown) {
    throw incomplete(response, e);
  }
  if (text === '') return undefined;
  if (/json/i.test(response.headers.get('content-type') ?? '')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // a broken JSON body is reported like any other text
    }
  }
  return text;
}

/** A body cut off mid-way. */
export function incomplete(response: Response, cause: unknown): ApiError {
  return new ApiError({
    status: response.status,
    code: 'RESPONSE_INCOMPLETE',
    detail: `The answer was cut off (HTTP ${response.status})`,
    cause,
  });
}

/** A path segment, escaped. */
export function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function normaliseServer(server: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new ApiError({
      status: 0,
      code: 'INVALID_SERVER_URL',
      detail: `"${server}" is not a server URL (expected e.g. http://127.0.0.1:8080)`,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ApiError({ status: 0, code: 'INVALID_SERVER_URL', detail: `"${server}" is not an http:// or https:// URL` });
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '').replace(/\/v1$/, '')}`;
}
