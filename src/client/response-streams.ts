/** Streamed answers: NDJSON lines and Server-Sent Events, parsed as they arrive. */
import { ApiError } from './api-error.ts';
import { incomplete } from './http-transport.ts';
import type { ExecutionStatus, LogEvent, LogLine } from './types.ts';

/**
 * A streamed body decoded as UTF-8, chunk by chunk; a body cut off mid-way is `RESPONSE_INCOMPLETE`.
 * Leaving the loop early (a consumer's `break`) cancels the body.
 */
async function* textChunks(response: Response): AsyncGenerator<string> {
  if (!response.body) return;
  try {
    for await (const chunk of response.body.pipeThrough(new TextDecoderStream())) yield chunk;
  } catch (e: unknown) {
    throw incomplete(response, e);
  }
}

/** The non-empty lines of a streamed body. */
export async function* ndjsonLines(response: Response): AsyncGenerator<string> {
  let pending = '';
  for await (const chunk of textChunks(response)) {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) if (line.trim() !== '') yield line;
  }
  if (pending.trim() !== '') yield pending;
}

/** One Server-Sent Event: its `event` name (default `message`), `data` lines joined by `\n`, and `id`. */
interface ServerSentEvent {
  event: string;
  data: string;
  id: string | undefined;
}

/**
 * The events of a `text/event-stream` body as they arrive (the WHATWG parsing rules): lines end in
 * LF, CR or CRLF, anywhere in a chunk; a blank line ends an event; `:` lines are comments (heartbeats).
 * An event not ended by a blank line when the body ends is dropped.
 */
async function* serverSentEvents(response: Response): AsyncGenerator<ServerSentEvent> {
  let pending = '';
  let event = '';
  let data: string[] = [];
  let id: string | undefined;
  let started = false;
  for await (const chunk of textChunks(response)) {
    pending += chunk;
    // A CR at the very end may be the first half of a CRLF: keep it for the next chunk.
    const lines = pending.split(/\r\n|\r(?!$)|\n/);
    pending = lines.pop()!;
    for (let line of lines) {
      if (!started) {
        started = true;
        if (line.startsWith('\uFEFF')) line = line.slice(1);
      }
      if (line === '') {
        if (data.length > 0) yield { event: event || 'message', data: data.join('\n'), id };
        event = '';
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id' && !value.includes('\0')) id = value;
    }
  }
}

/** `line` and `end` events of a log stream; other events are skipped. Stops at `end`. */
export async function* logEvents(response: Response): AsyncGenerator<LogEvent> {
  for await (const sse of serverSentEvents(response)) {
    if (sse.event === 'line') {
      yield { type: 'line', line: parseEventData<LogLine>(sse, response) };
    } else if (sse.event === 'end') {
      const end = parseEventData<{ status: ExecutionStatus; lastSeq: number }>(sse, response);
      yield { type: 'end', status: end.status, lastSeq: end.lastSeq };
      return;
    }
  }
  throw new ApiError({
    status: response.status,
    code: 'RESPONSE_INCOMPLETE',
    detail: `The log stream ended before the execution did (HTTP ${response.status})`,
  });
}

function parseEventData<T>(sse: ServerSentEvent, response: Response): T {
  try {
    return JSON.parse(sse.data) as T;
  } catch (e: unknown) {
    throw new ApiError({
      status: response.status,
      code: 'INVALID_RESPONSE',
      detail: `The server sent a "${sse.event}" event that is not JSON: ${sse.data.slice(0, 80)}`,
      cause: e,
    });
  }
}
