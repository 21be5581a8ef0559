import type { Transaction } from 'kysely';
import { SecretKeyUnavailableError } from '../domain/errors.ts';
import type { Actor } from '../domain/records.ts';
import { nextDueAfter } from '../domain/schedule-times.ts';
import type { WorkflowDefinition } from '../domain/workflow-definition.ts';
import { recordAuditEvent } from '../observe/audit-logger.ts';
import type { Database } from '../store/database-schema.ts';
import { deleteSchedules, listWorkflowSchedules, upsertSchedule } from '../store/trigger-schedule-repository.ts';
import { deleteWebhookSecrets, listWebhookSecretTriggers, putWebhookSecret } from '../store/webhook-secret-repository.ts';
import type { SecretBox } from './secret-box.ts';
import { newWebhookSecret } from './webhook-secrets.ts';

/** A due time that never comes (a cron expression with no future time left). */
export const NEVER_DUE = '9999-12-31T23:59:59.999Z';

/**
 * Brings a workflow's trigger rows in line with the version just applied, in the apply's transaction:
 * a schedule whose cron and time zone are unchanged keeps its next due time, a new or changed one is
 * next due after `now` (no catching up on times before it existed); a new webhook trigger gets a
 * signing secret, returned in clear this once. Rows of triggers the version no longer has are removed.
 */
export async function syncTriggers(
  trx: Transaction<Database>,
  definition: WorkflowDefinition,
  context: { secrets: SecretBox | undefined; actor: Actor; now: string },
): Promise<Record<string, string>> {
  const triggers = definition.triggers ?? [];
  const schedules = triggers.filter((t) => t.type === 'schedule');
  const existing = new Map((await listWorkflowSchedules(trx, definition.id)).map((s) => [s.triggerId, s]));
  for (const trigger of schedules) {
    const row = existing.get(trigger.id);
    if (row && row.cron === trigger.cron && row.timezone === trigger.timezone) continue;
    const next = nextDueAfter(trigger, new Date(context.now));
    await upsertSchedule(
      trx,
      {
        workflowId: definition.id,
        triggerId: trigger.id,
        cron: trigger.cron,
        timezone: trigger.timezone,
        nextDueAt: next?.toISOString() ?? NEVER_DUE,
      },
      context.now,
    );
  }
  await deleteSchedules(
    trx,
    definition.id,
    schedules.map((t) => t.id),
  );

  const webhooks = triggers.filter((t) => t.type === 'webhook').map((t) => t.id);
  const withSecret = new Set(await listWebhookSecretTriggers(trx, definition.id));
  const created: Record<string, string> = {};
  for (const triggerId of webhooks) {
    if (withSecret.has(triggerId)) continue;
    if (!context.secrets) throw new SecretKeyUnavailableError('a webhook trigger needs the secret key to keep its signing secret');
    const secret = newWebhookSecret();
    await putWebhookSecret(trx, {
      workflowId: definition.id,
      triggerId,
      sealedSecret: context.secrets.seal(secret),
      createdBy: context.actor.userId,
      now: context.now,
    });
    await recordAuditEvent(trx, {
      subjectType: 'workflow',
      subjectId: definition.id,
      eventType: 'WEBHOOK_SECRET_CREATED',
      actor: context.actor,
      metadata: { triggerId },
    });
    created[triggerId] = secret;
  }
  await deleteWebhookSecrets(trx, definition.id, webhooks);
  return created;
}

/** A deleted workflow starts on nothing: its schedules and webhook secrets go with it. */
export async function dropTriggers(trx: Transaction<Database>, workflowId: string): Promise<void> {
  await deleteSchedules(trx, workflowId);
  await deleteWebhookSecrets(trx, workflowId);
}
