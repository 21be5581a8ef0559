import type { Kysely } from 'kysely';

/** The tables this migration reads and changes, as they are at 0015. */
interface Tables {
  workflow_versions: { workflow_id: string; version: number; definition: unknown };
  executions: { id: string; workflow_id: string; workflow_version: number };
  execution_inputs: { execution_id: string; key: string; value: string };
}

/**
 * Secret inputs leave the search index. Earlier versions indexed every input, secret ones as `***`
 * (so `input.pw=***` matched them) and secret `object`/`array` inputs in clear. Their rows are
 * removed; nothing reads them any more. (The same values in audit events that already exist stay
 * where they are: the trail is append-only.)
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const d = db as Kysely<Tables>;
  const versions = await d.selectFrom('workflow_versions').select(['workflow_id', 'version', 'definition']).execute();
  for (const v of versions) {
    const definition = (typeof v.definition === 'string' ? JSON.parse(v.definition) : v.definition) as {
      inputs?: Record<string, { secret?: boolean }>;
    };
    const secret = Object.entries(definition.inputs ?? {})
      .filter(([, spec]) => spec.secret === true)
      .map(([name]) => name);
    if (secret.length === 0) continue;
    await d
      .deleteFrom('execution_inputs')
      .where('key', 'in', secret)
      .where('execution_id', 'in', (eb) =>
        eb.selectFrom('executions').select('id').where('workflow_id', '=', v.workflow_id).where('workflow_version', '=', v.version),
      )
      .execute();
  }
}

/** Nothing to undo: the removed rows held secrets, or `***`, and are not recreated. */
export async function down(): Promise<void> {}
