import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import { WebhookNotFoundError } from '../domain/errors.ts';
import type { Actor } from '../domain/records.ts';
import { nowIso } from '../domain/time.ts';
import type { WorkflowDefinition } from '../domain/workflow-definition.ts';
import { recordAuditEvent } from '../observe/audit-logger.ts';
import type { Database } from '../store/database-schema.ts';
import { putWebhookSecret } from '../store/webhook-secret-repository.ts';
import { getWorkflow, getWorkflowVersion } from '../store/workflow-repository.ts';
import type { SecretBox } from './secret-box.ts';

/** A new signing secret: 32 random bytes, prefixed so that one found in a file says what it is. */
export function newWebhookSecret(): string {
  return `whsec_${crypto.randomBytes(32).toString('base64url')}`;
}

/** Whether the definition has a webhook trigger of that id. */
export function hasWebhookTrigger(definition: WorkflowDefinition, triggerId: string): boolean {
  return (definition.triggers ?? []).some((t) => t.id === triggerId && t.type === 'webhook');
}

/**
 * Replaces a webhook trigger's signing secret and returns the new one (shown once): requests signed
 * with the old one are refused from the commit on. Audited on the workflow's chain.
 */
export async function rotateWebhookSecret(
  db: Kysely<Database>,
  secrets: SecretBox,
  key: { workflowId: string; triggerId: string },
  actor: Actor,
): Promise<string> {
  const secret = newWebhookSecret();
  const sealedSecret = secrets.seal(secret);
  await db.transaction().execute(async (trx) => {
    const workflow = await getWorkflow(trx, key.workflowId);
    const version = workflow && (await getWorkflowVersion(trx, workflow.id, workflow.latestVersion));
    if (!version || !hasWebhookTrigger(version.definition, key.triggerId)) throw notFound(key);
    await putWebhookSecret(trx, { ...key, sealedSecret, createdBy: actor.userId, now: nowIso() });
    await recordAuditEvent(trx, {
      subjectType: 'workflow',
      subjectId: key.workflowId,
      eventType: 'WEBHOOK_SECRET_ROTATED',
      actor,
      metadata: { triggerId: key.triggerId },
    });
  });
  return secret;
}

export function notFound(key: { workflowId: string; triggerId: string }): WebhookNotFoundError {
  return new WebhookNotFoundError(`Workflow "${key.workflowId}" has no webhook trigger "${key.triggerId}"`, key);
}
