import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { RunledgerError, TooManyAttemptsError } from '../domain/errors.ts';
import { storeFailure } from '../store/store-failure.ts';

/** RFC 9457 problem details, with our stable `code`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance?: string;
  [extra: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  code: string,
  detail: string,
  extra: Record<string, unknown> = {},
): FastifyReply {
  const problem: Problem = {
    type: `https://runledger.dev/errors/${code.toLowerCase().replaceAll('_', '-')}`,
    title: TITLES[status] ?? 'Error',
    status,
    code,
    detail,
    instance: request.url.split('?')[0],
    ...extra,
  };
  if (status === 401) void reply.header('www-authenticate', 'Bearer realm="runledger"');
  return reply.code(status).type('application/problem+json').send(problem);
}

/** Fastify's own errors that users can cause, mapped to our codes. */
const FASTIFY_CODES: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'INVALID_JSON' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'INVALID_JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'VALIDATION_FAILED' },
};

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof TooManyAttemptsError) void reply.header('retry-after', String(error.retryAfterSeconds));
  if (error instanceof RunledgerError) {
    return sendProblem(reply, request, error.status, error.code, error.message, error.details ? { details: error.details } : {});
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'request';
    const problems = error.validation.map((v) => {
      const field = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
      return `${where}${field ? `.${field}` : ''}: ${v.message}`;
    });
    return sendProblem(reply, request, 400, 'VALIDATION_FAILED', problems.join('; '), { problems });
  }
  const failure = storeFailure(error);
  if (failure) {
    request.log.warn({ err: error }, 'store unavailable');
    return sendProblem(
      reply,
      request,
      503,
      'STORE_UNAVAILABLE',
      `The store cannot take this request now (${failure.cause}); nothing was changed. Try again later.`,
      {
        cause: failure.cause,
      },
    );
  }
  const known = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (known) return sendProblem(reply, request, known.status, known.code, error.message);
  if (error instanceof SyntaxError || error.statusCode === 400) return sendProblem(reply, request, 400, 'INVALID_REQUEST', error.message);
  request.log.error({ err: error }, 'unhandled error');
  return sendProblem(reply, request, 500, 'INTERNAL', 'An internal error occurred; it has been logged');
}
