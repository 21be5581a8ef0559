import { z } from 'zod';
import { instantWire } from './common-wire.ts';

/** `GET /v1/schedules` items: one schedule trigger, when it runs next and what became of its last due time. */
export const scheduleWire = z
  .object({
    workflowId: z.string(),
    triggerId: z.string(),
    cron: z.string(),
    timezone: z.string(),
    nextRuns: z.array(instantWire).meta({ description: 'The next due times, soonest first (the first may be due now)' }),
    lastFire: z
      .object({
        dueAt: instantWire.nullable(),
        status: z.enum(['started', 'skipped', 'failed']),
        reason: z.string().nullable(),
        executionId: z.string().nullable(),
        recordedAt: instantWire,
      })
      .nullable(),
  })
  .meta({ id: 'Schedule' });

/** `POST /v1/workflows/:id/webhooks/:triggerId/secret` (201): the new signing secret, shown this once. */
export const webhookSecretWire = z
  .object({
    workflowId: z.string(),
    triggerId: z.string(),
    secret: z.string(),
    url: z.string().meta({ description: 'The path to POST signed requests to' }),
  })
  .meta({ id: 'WebhookSecret' });
