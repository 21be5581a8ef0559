import { z } from 'zod';
import { FailureType } from '../task-failure.ts';

/**
 * Building blocks of the wire shapes (what the API answers). The server declares its responses with
 * these schemas, the OpenAPI document is generated from them, and both clients take their types from
 * them: one definition per shape.
 */

/** An instant as the API writes it: ISO-8601 UTC with milliseconds. */
export const instantWire = z.string().meta({ format: 'date-time', description: 'ISO-8601 UTC, milliseconds' });

/** Any JSON value a task received or returned, an input, a metadata object. */
export const jsonWire = z.unknown();

/** RFC 9457 problem details with our stable `code`; extra members (problems, details) may follow. */
export const problemWire = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string().meta({ description: 'Stable error code (docs/errors.md)' }),
    detail: z.string(),
    instance: z.string().optional(),
    problems: z.array(z.string()).optional(),
  })
  .meta({ id: 'Problem' });

/** Why a task run or an execution did not succeed. */
export const taskFailureWire = z
  .object({
    type: z.enum(Object.values(FailureType) as [FailureType, ...FailureType[]]),
    code: z.string(),
    message: z.string(),
    stack: z.string().optional(),
    retryable: z.boolean(),
  })
  .meta({ id: 'TaskFailure' });

/** `{ items: [...] }`: the envelope of every list that is not paged. */
export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item) });
}

/** Answers that are errors: every route may answer one (401 without a session, 400 for bad input…). */
export const problemResponses = { '4xx': problemWire, '5xx': problemWire } as const;
