import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database-schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A webhook trigger's signing secret, sealed under the secret key (never kept in clear). */
export async function getSealedWebhookSecret(db: Db, workflowId: string, triggerId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('webhook_secrets')
    .select('sealed_secret')
    .where('workflow_id', '=', workflowId)
    .where('trigger_id', '=', triggerId)
    .executeTakeFirst();
  return row?.sealed_secret;
}

export async function listWebhookSecretTriggers(db: Db, workflowId: string): Promise<string[]> {
  const rows = await db.selectFrom('webhook_secrets').select('trigger_id').where('workflow_id', '=', workflowId).execute();
  return rows.map((r) => r.trigger_id);
}

/** Sets (or replaces) the sealed secret. */
export async function putWebhookSecret(
  trx: Transaction<Database>,
  row: { workflowId: string; triggerId: string; sealedSecret: string; createdBy: string | null; now: string },
): Promise<void> {
  await trx
    .insertInto('webhook_secrets')
    .values({
      workflow_id: row.workflowId,
      trigger_id: row.triggerId,
      sealed_secret: row.sealedSecret,
      created_by: row.createdBy,
      created_at: row.now,
    })
    .onConflict((oc) =>
      oc
        .columns(['workflow_id', 'trigger_id'])
        .doUpdateSet({ sealed_secret: row.sealedSecret, created_by: row.createdBy, created_at: row.now }),
    )
    .execute();
}

/** Removes a workflow's secrets, all of them or those not in `keep`. */
export async function deleteWebhookSecrets(trx: Transaction<Database>, workflowId: string, keep: readonly string[] = []): Promise<void> {
  let query = trx.deleteFrom('webhook_secrets').where('workflow_id', '=', workflowId);
  if (keep.length > 0) query = query.where('trigger_id', 'not in', keep);
  await query.execute();
}
