/**
 * Everything the client throws. `status` is the HTTP status, or 0 when there was no answer
 * (`SERVER_UNREACHABLE`, `INVALID_SERVER_URL`, `WAIT_TIMEOUT`) or the request was refused before it
 * was sent (`INVALID_DEFINITION`).
 */
export class ApiError extends Error {
  readonly status: number;
  /** The server's stable error code (problem+json `code`), or one of the client's own. */
  readonly code: string;
  /** The human-readable reason; also the error's `message`. */
  readonly detail: string;
  /** Individual validation problems, when the server listed them. */
  readonly problems: string[];
  /** Seconds to wait before asking again, from a `Retry-After` header (429 `TOO_MANY_ATTEMPTS`). */
  readonly retryAfterSeconds: number | undefined;

  constructor(init: { status: number; code: string; detail: string; problems?: string[]; retryAfterSeconds?: number; cause?: unknown }) {
    super(init.detail, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.detail = init.detail;
    this.problems = init.problems ?? [];
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
}

/** `Retry-After` as seconds: either a number of seconds or an HTTP date (RFC 9110 §10.2.3). */
function retryAfterSeconds(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/**
 * The ApiError for a non-2xx answer. A problem+json body gives code, detail and problems (top-level
 * `problems` for request validation, `details.problems` for definition and input errors); anything
 * else (a proxy's HTML page, an empty body) still yields a one-line reason.
 */
export function apiErrorFromResponse(status: number, statusText: string, body: unknown, retryAfter?: string | null): ApiError {
  const retry = retryAfterSeconds(retryAfter);
  const extra = retry === undefined ? {} : { retryAfterSeconds: retry };
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const problem = body as Record<string, unknown>;
    const details = problem.details && typeof problem.details === 'object' ? (problem.details as Record<string, unknown>) : {};
    const code = typeof problem.code === 'string' ? problem.code : `HTTP_${status}`;
    const detail =
      typeof problem.detail === 'string'
        ? problem.detail
        : typeof problem.title === 'string'
          ? problem.title
          : `HTTP ${status} ${statusText}`.trim();
    return new ApiError({ status, code, detail, problems: stringList(problem.problems) ?? stringList(details.problems) ?? [], ...extra });
  }
  const text = typeof body === 'string' ? body.trim().split('\n')[0]?.slice(0, 200) : '';
  return new ApiError({
    status,
    code: `HTTP_${status}`,
    detail: `HTTP ${status} ${statusText}${text ? `: ${text}` : ''}`.trim(),
    ...extra,
  });
}

/** The ApiError for a request that got no answer at all. */
export function unreachableError(server: string, cause: unknown): ApiError {
  const reason = networkReason(cause);
  return new ApiError({
    status: 0,
    code: 'SERVER_UNREACHABLE',
    detail: `Cannot reach the Runledger server at ${server}${reason ? ` (${reason})` : ''}; start one with "runledger serve", or point --server or RUNLEDGER_SERVER at a running one`,
    cause,
  });
}

/**
 * The object storage a download was sent to (S3: a pre-signed URL) did not answer. The server did:
 * the message names the storage, so nobody goes looking for a server that is running.
 */
export function storageUnreachableError(origin: string, cause: unknown): ApiError {
  const reason = networkReason(cause);
  return new ApiError({
    status: 0,
    code: 'STORAGE_UNREACHABLE',
    detail: `Cannot reach the attachment storage at ${origin}${reason ? ` (${reason})` : ''}, where the Runledger server sent this download; the storage (S3_ENDPOINT on the server) is down or unreachable from here`,
    cause,
  });
}

/** fetch says only "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND, "bad port") is in its causes. */
function networkReason(error: unknown): string | undefined {
  let message: string | undefined;
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const { code, message: text, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string') return code;
    if (typeof text === 'string' && text && text !== 'fetch failed') message = text;
    current = cause;
  }
  return message;
}
