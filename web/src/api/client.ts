import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

/** The wire shapes, named as the server's OpenAPI document names them. */
export type Schemas = components['schemas'];

/**
 * The one API client of the web UI, typed from the served OpenAPI document. The session is the
 * HttpOnly cookie (no token in page scripts); requests that change something carry the session's
 * CSRF token; a 401 means the session ended, and the app goes back to the sign-in page.
 */
export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });

let csrfToken: string | null = null;
let sessionEnded: () => void = () => undefined;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** The CSRF token of the session, for the one request openapi-fetch cannot make (an upload with progress). */
export function currentCsrfToken(): string | null {
  return csrfToken;
}

/** Tells the app the session ended (a 401 outside openapi-fetch). */
export function sessionEndedNow(): void {
  sessionEnded();
}

export function onSessionEnded(handler: () => void): void {
  sessionEnded = handler;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

const session: Middleware = {
  onRequest({ request }) {
    if (!SAFE.has(request.method) && csrfToken) request.headers.set('x-csrf-token', csrfToken);
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401 && !new URL(request.url).pathname.startsWith('/v1/auth/session')) sessionEnded();
    return response;
  },
};
api.use(session);

/** An answer that was not a success, with the problem's stable code. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: string[] = [],
  ) {
    super(message);
  }
}

export function problemOf(error: unknown, response: { status: number; statusText: string }): ApiProblem {
  const p = (error && typeof error === 'object' ? error : {}) as { code?: unknown; detail?: unknown; problems?: unknown };
  return new ApiProblem(
    response.status,
    typeof p.code === 'string' ? p.code : `HTTP_${response.status}`,
    typeof p.detail === 'string' ? p.detail : `${response.status} ${response.statusText}`,
    Array.isArray(p.problems) ? p.problems.filter((x): x is string => typeof x === 'string') : [],
  );
}

/** The data of a successful answer; any other answer throws its ApiProblem. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (e: unknown) {
    throw new ApiProblem(0, 'UNREACHABLE', `The server did not answer (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!result.response.ok) throw problemOf(result.error, result.response);
  return result.data as T;
}
