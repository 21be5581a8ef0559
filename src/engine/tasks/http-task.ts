import { jsonNestsDeeperThan } from '../../domain/nesting-depth.ts';
import { TaskExecutionError, type TaskContext } from '../task-handler.ts';
import { abortError } from './abort-error.ts';
import { MAX_TASK_OUTPUT_BYTES } from './output-limit.ts';
import { invalidInput, optionalString, optionalStringRecord, requireString } from './task-input.ts';

/** Largest response body a task reads: the task output bound (DESIGN: bounded everything). */
export const MAX_RESPONSE_BYTES = MAX_TASK_OUTPUT_BYTES;

const METHOD = /^[A-Za-z]+$/;
const JSON_CONTENT_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** What an http task returns, and what its `HTTP_STATUS` failure carries. */
export interface HttpTaskOutput {
  status: number;
  /** Response headers, names lower-cased; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** Parsed JSON when the response says it is JSON, else the text. */
  body: unknown;
}

interface HttpRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string | undefined;
  allowStatus: readonly number[];
}

/**
 * `type: http` — one request with global `fetch`, aborted by `ctx.signal`. Objects in `with.body` go as
 * JSON (content-type `application/json` unless one is set), strings as they are. A status outside 2xx
 * and `with.allowStatus` rejects with `HTTP_STATUS` (the response kept as output); a network failure with
 * `HTTP_REQUEST_FAILED`; a body over 10 MB with `RESPONSE_TOO_LARGE`.
 */
export async function httpTask(ctx: TaskContext): Promise<HttpTaskOutput> {
  const request = readRequest(ctx.input);
  // The attempt's span (when traces are on): the server called joins the trace, unless the task sets its own.
  if (ctx.traceparent !== undefined && !Object.keys(request.headers).some((name) => name.toLowerCase() === 'traceparent'))
    request.headers.traceparent = ctx.traceparent;
  const label = `${request.method} ${request.url.href}`;
  const started = Date.now();
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: ctx.signal,
    });
  } catch (e: unknown) {
    // fetch rejects with the signal's reason itself, which is not an Error: normalise to our abort shape.
    if (ctx.signal.aborted) throw abortError(ctx.signal);
    throw new TaskExecutionError('HTTP_REQUEST_FAILED', `${label} failed: ${networkCause(e)}`);
  }

  const headers = Object.fromEntries(response.headers);
  const text = await readBody(response, label, ctx.signal);
  const output: HttpTaskOutput = { status: response.status, headers, body: decodeBody(text, headers['content-type']) };
  ctx.log('INFO', `task:${ctx.taskId}`, `${label} answered ${response.status} in ${Date.now() - started} ms`);

  const ok = response.status >= 200 && response.status < 300;
  if (!ok && !request.allowStatus.includes(response.status)) {
    throw new TaskExecutionError('HTTP_STATUS', `${label} answered ${response.status}`, output);
  }
  return output;
}

function readRequest(input: Record<string, unknown>): HttpRequest {
  const method = (optionalString(input, 'method') ?? 'GET').toUpperCase();
  if (!METHOD.test(method)) throw invalidInput(`with.method ${JSON.stringify(method)} is not an HTTP method`);

  const rawUrl = requireString(input, 'url');
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw invalidInput(`with.url ${JSON.stringify(rawUrl)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidInput(`with.url must be http or https, not ${url.protocol}`);
  // fetch refuses credentials in URLs; say so before the request rather than as a network failure.
  if (url.username || url.password) throw invalidInput('with.url must not hold credentials; send an authorization header');

  const headers = optionalStringRecord(input, 'headers');
  let body: string | undefined;
  if (input.body !== undefined && input.body !== null) {
    if (method === 'GET' || method === 'HEAD') throw invalidInput(`a ${method} request cannot have a body`);
    if (typeof input.body === 'string') {
      body = input.body;
    } else {
      body = JSON.stringify(input.body);
      const hasContentType = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
      if (!hasContentType) headers['content-type'] = 'application/json';
    }
  }

  const allowStatus = input.allowStatus ?? [];
  if (!Array.isArray(allowStatus) || !allowStatus.every((s) => Number.isInteger(s) && s >= 100 && s <= 599)) {
    throw invalidInput('with.allowStatus must be a list of HTTP status codes');
  }
  return { method, url, headers, body, allowStatus: allowStatus as number[] };
}

/** Reads the body as UTF-8 text, stopping (and failing) once it passes `MAX_RESPONSE_BYTES`. */
async function readBody(response: Response, label: string, signal: AbortSignal): Promise<string> {
  const tooLarge = (): TaskExecutionError =>
    new TaskExecutionError('RESPONSE_TOO_LARGE', `${label} answered with a body over ${MAX_RESPONSE_BYTES} bytes`, {
      status: response.status,
      headers: Object.fromEntries(response.headers),
    });
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > MAX_RESPONSE_BYTES) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!response.body) return '';

  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let received = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (received > MAX_RESPONSE_BYTES) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      parts.push(decoder.decode(value, { stream: true }));
    }
  } catch (e: unknown) {
    if (e instanceof TaskExecutionError) throw e;
    if (signal.aborted) throw abortError(signal);
    throw new TaskExecutionError('HTTP_REQUEST_FAILED', `${label} failed while reading the body: ${networkCause(e)}`);
  }
  parts.push(decoder.decode());
  return parts.join('');
}

/** JSON when the content type says so and the text parses; otherwise the text as it came. */
function decodeBody(text: string, contentType: string | undefined): unknown {
  if (!contentType || !JSON_CONTENT_TYPE.test(contentType) || text === '') return text;
  // A body nested too deep for the masker and the store stays text (it is still the whole answer).
  if (jsonNestsDeeperThan(text)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** undici's `fetch failed` says nothing; the reason (ECONNREFUSED, a TLS error) is in its cause. */
function networkCause(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause: unknown = e.cause;
  if (cause instanceof Error) {
    // Happy-eyeballs failures are AggregateErrors with an empty message and only a code.
    const code = (cause as NodeJS.ErrnoException).code;
    if (!cause.message) return code ?? e.message;
    return code && !cause.message.includes(code) ? `${cause.message} (${code})` : cause.message;
  }
  return e.message;
}
